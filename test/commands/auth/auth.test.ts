import {expect} from 'chai'
import nock from 'nock'
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Readable} from 'node:stream'

import {rememberCa} from '../../../src/lib/api/trust.js'
import {api, run, useIsolatedEnv} from '../../helpers/cli.js'
import {makeTestCa} from '../../helpers/test-ca.js'

/** Replaces process.stdin for one command run, as a pipe would. */
async function withStdin<T>(text: string, fn: () => Promise<T>): Promise<T> {
  const saved = Object.getOwnPropertyDescriptor(process, 'stdin')!
  Object.defineProperty(process, 'stdin', {configurable: true, value: Readable.from([text])})
  try {
    return await fn()
  } finally {
    Object.defineProperty(process, 'stdin', saved)
  }
}

const ACCOUNT = {email: 'jane@example.com', id: '01234567-89ab-cdef-0123-456789abcdef'}

describe('auth commands', () => {
  useIsolatedEnv()

  describe('whoami', () => {
    it('prints the email of the account', async () => {
      api().get('/account').matchHeader('authorization', 'Bearer test-token').reply(200, ACCOUNT)
      const {exitCode, stdout} = await run(['whoami'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal('jane@example.com\n')
    })

    it('prints the account object with --json', async () => {
      api().get('/account').reply(200, ACCOUNT)
      const {stdout} = await run(['auth:whoami', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal(ACCOUNT)
    })

    it('exits 4 with a hint when not logged in, before any request', async () => {
      delete process.env.HEROKU_API_KEY
      const {exitCode, stderr, stdout} = await run(['whoami'])
      expect(exitCode).to.equal(4)
      expect(stdout).to.equal('')
      expect(stderr).to.include('Not logged in to https://api.heroku.test').and.include('heroku login')
    })
  })

  describe('error rendering', () => {
    const cases: Array<[number, string, string, number, RegExp]> = [
      [401, 'unauthorized', 'Invalid credentials provided.', 4, /heroku login/],
      [403, 'forbidden', 'You do not have access to this.', 1, /permission/],
      [404, 'not_found', "Couldn't find that account.", 1, /^/],
      [422, 'invalid_params', 'Email is invalid.', 1, /^/],
      [500, 'internal_server_error', 'Internal server error.', 1, /try again/],
    ]
    for (const [status, id, message, exit, hint] of cases) {
      it(`${status} ${id}: the server's message, request id, exit ${exit}, no stack`, async () => {
        api().get('/account').reply(status, {id, message}, {'Request-Id': `req-${status}`})
        const {exitCode, stderr, stdout} = await run(['whoami'])
        expect(exitCode).to.equal(exit)
        expect(stdout).to.equal('')
        expect(stderr).to.include(message).and.include(`Request ID: req-${status}`)
        expect(stderr).to.match(hint)
        expect(stderr).not.to.match(/\n\s+at /) // no stack frames
      })
    }

    it('JSON errors on stderr in --json mode, nothing on stdout', async () => {
      api().get('/account').reply(422, {id: 'invalid_params', message: 'Bad.'}, {'Request-Id': 'r-9'})
      const {exitCode, stderr, stdout} = await run(['whoami', '--json'])
      expect(exitCode).to.equal(1)
      expect(stdout).to.equal('')
      expect(JSON.parse(stderr)).to.deep.equal({error: {id: 'invalid_params', message: 'Bad.', request_id: 'r-9', status: 422}})
    })

    it('a refused connection names the URL, exit 1, no stack', async () => {
      process.env.HEROKU_API_URL = 'http://127.0.0.1:9'
      const {exitCode, stderr} = await run(['whoami'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.include('Could not reach http://127.0.0.1:9').and.include('connection refused')
      expect(stderr).not.to.match(/\n\s+at /)
    })

    it('usage errors exit 2', async () => {
      const {exitCode, stderr} = await run(['whoami', '--bogus'])
      expect(exitCode).to.equal(2)
      expect(stderr).to.include('Nonexistent flag: --bogus')
    })

    it('HEROKU_DEBUG=1 logs requests with the token redacted', async () => {
      process.env.HEROKU_DEBUG = '1'
      api().get('/account').reply(200, ACCOUNT)
      const {stderr} = await run(['whoami'])
      expect(stderr).to.include('--> GET https://api.heroku.test/account').and.include('Authorization: Bearer [REDACTED]')
      expect(stderr).not.to.include('test-token')
    })
  })

  describe('login --with-token', () => {
    it('checks the token, stores it, saves --api-url', async () => {
      delete process.env.HEROKU_API_KEY
      delete process.env.HEROKU_API_URL
      const scope = api().get('/account').matchHeader('authorization', 'Bearer piped').reply(200, ACCOUNT)
      const {exitCode, stderr, stdout} = await withStdin('piped\n', () => run(['login', '--with-token', '--api-url', 'https://api.heroku.test', '--no-git-setup']))
      scope.done()
      expect(exitCode, stderr).to.equal(0)
      expect(stdout).to.equal('Logged in as jane@example.com\n')
      const settings = JSON.parse(readFileSync(join(process.env.XDG_CONFIG_HOME!, 'heroku-toolbelt', 'config.json'), 'utf8'))
      expect(settings.apiUrl).to.equal('https://api.heroku.test')
      // whoami now uses the stored token and the saved URL
      api().get('/account').matchHeader('authorization', 'Bearer piped').reply(200, ACCOUNT)
      expect((await run(['whoami'])).stdout).to.equal('jane@example.com\n')
      const token = await run(['auth:token'])
      expect(token.stdout).to.equal('piped\n')
    })

    it('--git-setup for a platform whose CA is recorded: git trusts that CA for that origin only', async function () {
      const ca = makeTestCa()
      if (!ca) this.skip()
      try {
        delete process.env.HEROKU_API_KEY
        const origin = 'https://127.0.0.1:5999'
        rememberCa(origin, ca!.caPath)
        const scope = nock(origin).get('/account').reply(200, ACCOUNT)
        const {exitCode, stderr} = await withStdin('piped\n', () => run(['login', '--with-token', '--git-setup', '--api-url', origin]))
        scope.done()
        expect(exitCode, stderr).to.equal(0)
        expect(stderr).to.include(`git trusts the platform's certificate authority for ${origin} only`)
        const urlmatch = (url: string) => execFileSync('git', ['config', '--global', '--get-urlmatch', 'http.sslCAInfo', url], {encoding: 'utf8'}).trim()
        expect(urlmatch(`${origin}/my-app.git`)).to.equal(ca!.caPath)
        expect(() => urlmatch('https://127.0.0.1:6000/my-app.git')).to.throw()
        expect(() => urlmatch('https://git.heroku.com/my-app.git')).to.throw()
      } finally {
        ca!.cleanup()
      }
    })

    it('rejects an --api-url that is not a URL (exit 2)', async () => {
      const {exitCode, stderr} = await withStdin('t\n', () => run(['login', '--with-token', '--api-url', 'nope']))
      expect(exitCode).to.equal(2)
      expect(stderr).to.include('--api-url is not a URL')
    })
  })

  describe('logout', () => {
    it('revokes the authorization on the server, then forgets the token', async () => {
      delete process.env.HEROKU_API_KEY
      api().get('/account').reply(200, ACCOUNT)
      await withStdin('tok\n', () => run(['login', '--with-token', '--no-git-setup']))
      api().get('/oauth/authorizations/~').matchHeader('authorization', 'Bearer tok').reply(200, {id: 'auth-1'})
      api().delete('/oauth/authorizations/auth-1').matchHeader('authorization', 'Bearer tok').reply(200, {id: 'auth-1'})
      const {exitCode, stdout} = await run(['logout'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal('Logged out.\n')
      expect((await run(['auth:token'])).exitCode).to.equal(4)
    })

    it('still forgets the token when the platform cannot be reached', async () => {
      delete process.env.HEROKU_API_KEY
      api().get('/account').reply(200, ACCOUNT)
      await withStdin('tok\n', () => run(['login', '--with-token', '--no-git-setup']))
      api().get('/oauth/authorizations/~').times(4).reply(503, {id: 'unavailable', message: 'down'})
      const {exitCode, stderr} = await run(['logout'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.include('Could not revoke')
      expect((await run(['auth:token'])).exitCode).to.equal(4)
    })
  })

  describe('git:credentials', () => {
    it('answers git with the stored token for the platform git host', async () => {
      const {stdout} = await withStdin('protocol=https\nhost=git.heroku.test\npath=hello.git\n\n', () => run(['git:credentials', 'get']))
      expect(stdout).to.equal('username=heroku\npassword=test-token\n')
    })

    it('serves the API host itself when the API is not at api.X (local platform)', async () => {
      process.env.HEROKU_API_URL = 'http://127.0.0.1:5400'
      const {stdout} = await withStdin('protocol=http\nhost=127.0.0.1:5400\n\n', () => run(['git:credentials', 'get']))
      expect(stdout).to.equal('username=heroku\npassword=test-token\n')
    })

    it('says nothing for any other host, or for another port', async () => {
      for (const input of ['protocol=https\nhost=github.com\n\n', 'protocol=https\nhost=git.heroku.test.evil.com\n\n', 'protocol=https\nhost=git.heroku.test:444\n\n']) {
        const {exitCode, stdout} = await withStdin(input, () => run(['git:credentials', 'get']))
        expect(stdout, input).to.equal('')
        expect(exitCode).to.equal(0)
      }
    })

    it('stores and erases nothing', async () => {
      for (const op of ['store', 'erase']) {
        const {exitCode, stdout} = await withStdin('protocol=https\nhost=git.heroku.test\nusername=x\npassword=y\n\n', () => run(['git:credentials', op]))
        expect(stdout).to.equal('')
        expect(exitCode).to.equal(0)
      }
    })

    it('uses HEROKU_GIT_HOST when set', async () => {
      process.env.HEROKU_GIT_HOST = 'git.example.org'
      const {stdout} = await withStdin('protocol=https\nhost=git.example.org\n\n', () => run(['git:credentials', 'get']))
      expect(stdout).to.equal('username=heroku\npassword=test-token\n')
    })
  })
})
