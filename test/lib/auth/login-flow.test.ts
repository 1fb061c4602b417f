import {expect} from 'chai'
import nock from 'nock'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'

import {ApiClient} from '../../../src/lib/api/client.js'
import {CredentialStore} from '../../../src/lib/auth/credentials.js'
import {Keychain} from '../../../src/lib/auth/keychain.js'
import {login} from '../../../src/lib/auth/login-flow.js'
import {runGit} from '../../../src/lib/git/run-git.js'
import {caught} from '../../helpers/failure.js'
import {scriptedPrompter} from '../../helpers/scripted-prompter.js'
import {testOutput} from '../../helpers/test-output.js'

const API_URL = 'https://api.login.test'

function memoryKeychain(): Keychain & {items: Map<string, string>} {
  const items = new Map<string, string>()
  return {
    available: async () => true,
    delete: async a => items.delete(a),
    get: async a => items.get(a),
    items,
    async set(a, s) {
      items.set(a, s)
    },
  }
}

describe('login', () => {
  let dir: string
  let env: NodeJS.ProcessEnv

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'login-'))
    env = {...process.env, GIT_CONFIG_GLOBAL: join(dir, 'gitconfig'), GIT_CONFIG_NOSYSTEM: '1', XDG_CONFIG_HOME: dir}
    delete env.CI // these tests play a person at a terminal, even when the suite runs in CI
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  const client = (token?: string) => new ApiClient({baseUrl: API_URL, maxAttempts: 1, token: async () => token, userAgent: 'test'})

  it('asks for email and password, trades them for a token, checks and stores it', async () => {
    const basic = 'Basic ' + Buffer.from('jane@example.com:hunter2').toString('base64')
    nock(API_URL).post('/oauth/authorizations', body => body.scope[0] === 'global').matchHeader('authorization', basic)
      .reply(201, {access_token: {expires_in: null, id: 'a1', token: 'new-token'}, id: 'auth-1'})
    nock(API_URL).get('/account').matchHeader('authorization', 'Bearer new-token').reply(200, {email: 'jane@example.com', id: 'acc-1'})
    const keychain = memoryKeychain()
    const {out, stdout} = testOutput({stdoutTTY: true})
    const prompter = scriptedPrompter([
      {answer: 'jane@example.com', flag: '--with-token (reading a token from stdin)', input: 'Email:'},
      {answer: 'hunter2', flag: '--with-token (reading a token from stdin)', password: 'Password:'},
    ])
    const result = await login({
      apiUrl: API_URL, client, credentials: new CredentialStore({env, keychain}), env, gitSetup: false, helperCommand: '!x', out, prompter,
    })
    expect(result).to.include({email: 'jane@example.com', git_credential_helper: 'skipped', storage: 'keychain'})
    expect(keychain.items.get('api.login.test')).to.equal('new-token')
    expect(stdout.text).to.include('Logged in as')
  })

  it('says so, and stores nothing, when the password is wrong', async () => {
    nock(API_URL).post('/oauth/authorizations').reply(401, {id: 'unauthorized', message: 'Invalid credentials provided.'})
    const keychain = memoryKeychain()
    const {out} = testOutput({stdoutTTY: true})
    const prompter = scriptedPrompter([{answer: 'jane@example.com', input: 'Email:'}, {answer: 'nope', password: 'Password:'}])
    const err = await login({apiUrl: API_URL, client, credentials: new CredentialStore({env, keychain}), env, gitSetup: false, helperCommand: '!x', out, prompter})
      .catch(caught)
    expect(err.message).to.equal('Invalid email or password.')
    expect(err.exitCode).to.equal(4)
    expect(keychain.items.size).to.equal(0)
  })

  it('reads a token from stdin with --with-token and never prompts', async () => {
    nock(API_URL).get('/account').matchHeader('authorization', 'Bearer piped-token').reply(200, {email: 'ci@example.com'})
    const keychain = memoryKeychain()
    // the terminal prompter in CI: nobody to ask about git setup either
    const {out, prompter} = testOutput({env: {CI: 'true'}, stdoutTTY: true})
    const result = await login({
      apiUrl: API_URL, client, credentials: new CredentialStore({env, keychain}), env, helperCommand: '!x', out, prompter,
      tokenStream: Readable.from(['\n  piped-token  \n']),
    })
    expect(result.email).to.equal('ci@example.com')
    expect(result.git_credential_helper).to.equal('skipped')
    expect(keychain.items.get('api.login.test')).to.equal('piped-token')
  })

  it('does not keep a token the platform rejects', async () => {
    nock(API_URL).get('/account').reply(401, {id: 'unauthorized', message: 'Invalid credentials provided.'})
    const keychain = memoryKeychain()
    const {out} = testOutput({stdoutTTY: true})
    const err = await login({
      apiUrl: API_URL, client, credentials: new CredentialStore({env, keychain}), env, helperCommand: '!x', out, prompter: scriptedPrompter(),
      tokenStream: Readable.from(['bad-token\n']),
    }).catch(caught)
    expect(err.exitCode).to.equal(4)
    expect(keychain.items.size).to.equal(0)
  })

  it('refuses to prompt without a TTY, naming the flag to pass', async () => {
    const {out, prompter} = testOutput({stderrTTY: true, stdoutTTY: false})
    const err = await login({apiUrl: API_URL, client, credentials: new CredentialStore({env, keychain: memoryKeychain()}), env, helperCommand: '!x', out, prompter}).catch(caught)
    expect(err.message).to.match(/not running in an interactive terminal/)
    expect(err.hint).to.include('--with-token')
    expect(err.exitCode).to.equal(2)
  })

  it('on a terminal without --git-setup, asks whether git may use the login, and does as answered', async () => {
    for (const [answer, outcome] of [[false, 'skipped'], [true, 'configured']] as const) {
      nock(API_URL).get('/account').reply(200, {email: 'a@b.c'})
      const prompter = scriptedPrompter([{answer, confirm: 'Let git use this login for https://git.login.test (sets a credential helper in ~/.gitconfig)?', flag: '--git-setup'}])

      const result = await login({
        apiUrl: API_URL, client, credentials: new CredentialStore({env, keychain: memoryKeychain()}), env, helperCommand: '!x',
        out: testOutput({stdoutTTY: true}).out, prompter, tokenStream: Readable.from(['t\n']),
      })
      expect(result.git_credential_helper).to.equal(outcome)
      expect(prompter.asked[0].default).to.equal(true)
    }
  })

  it('configures the git credential helper for the platform git host with --git-setup', async () => {
    nock(API_URL).get('/account').reply(200, {email: 'a@b.c'})
    const {out} = testOutput({stdoutTTY: true})
    await runGit(['config', '--global', 'credential.https://git.login.test.helper', 'store'], {env})
    const result = await login({
      apiUrl: API_URL, client, credentials: new CredentialStore({env, keychain: memoryKeychain()}), env, gitSetup: true,
      helperCommand: "!'/opt/heroku/bin/run.js' git:credentials", out, prompter: scriptedPrompter(), tokenStream: Readable.from(['t\n']),
    })
    expect(result.git_credential_helper).to.equal('configured')
    const helpers = await runGit(['config', '--global', '--get-all', 'credential.https://git.login.test.helper'], {env})
    // an empty entry first resets helpers inherited for that URL
    expect(helpers).to.equal("\n!'/opt/heroku/bin/run.js' git:credentials\n")
  })
})
