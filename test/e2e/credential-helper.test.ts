import {expect} from 'chai'
import {mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import {type AddressInfo} from 'node:net'
import {dirname, join} from 'node:path'

import {E2eHome} from '../helpers/e2e.js'

// After heroku login, ~/.gitconfig must name the installed heroku, never a file of this checkout:
// a clone that moves or goes away must not break git push (issue 12).
describe('e2e: the git credential helper that login writes', function () {
  this.timeout(60_000)
  let server: Server
  let apiUrl: string
  let home: E2eHome
  const checkout = process.cwd()

  before(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(req.url === '/account' ? {email: 'jane@example.com', id: 'acct-1'} : {}))
    })
    await new Promise<void>(resolve => {
      server.listen(0, '127.0.0.1', resolve)
    })
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  after(() => {
    server.close()
  })

  beforeEach(() => {
    home = new E2eHome()
  })

  afterEach(() => home.cleanup())

  const helpers = () => readFileSync(join(home.dir, 'gitconfig'), 'utf8').split('\n').filter(l => l.includes('helper =') && l.includes('git:credentials'))
  /** A bin dir with `heroku` linked to this CLI, as npm link, npm install -g or brew leave it. */
  function linkedBin(): string {
    const bin = join(home.dir, 'prefix', 'bin')
    mkdirSync(bin, {recursive: true})
    symlinkSync(join(checkout, 'bin', 'run.js'), join(bin, 'heroku'))
    return bin
  }

  const heroku = (args: string[], opts: {env: NodeJS.ProcessEnv, input: string}) => home.exec(process.execPath, [join(checkout, 'bin', 'run.js'), ...args], opts)
  const path = (...dirs: string[]) => [...dirs, dirname(process.execPath), '/usr/bin', '/bin'].join(':')

  it('names the heroku on PATH by its own path, not the checkout it links to', async () => {
    const bin = linkedBin()
    const r = await heroku(['login', '--with-token', '--git-setup', '--api-url', apiUrl], {env: {PATH: path(bin)}, input: 'a-token\n'})
    expect(r.code, r.stderr).to.equal(0)
    expect(helpers()).to.deep.equal([`\thelper = !'${join(bin, 'heroku')}' git:credentials`])
    expect(readFileSync(join(home.dir, 'gitconfig'), 'utf8')).not.to.include(checkout)
  })

  it('without heroku on PATH, runs this copy until it is installed, and says how to install it', async () => {
    const r = await heroku(['login', '--with-token', '--git-setup', '--api-url', apiUrl], {env: {PATH: path()}, input: 'a-token\n'})
    expect(r.code, r.stderr).to.equal(0)
    expect(helpers()).to.deep.equal([`\thelper = !'${join(checkout, 'bin', 'run.js')}' git:credentials`])
    expect(r.stderr).to.include('heroku is not on your PATH')
  })

  it('repairs an entry that pointed into a clone, without asking', async () => {
    const bin = linkedBin()
    const base = (await heroku(['login', '--with-token', '--no-git-setup', '--api-url', apiUrl], {env: {PATH: path(bin)}, input: 'a-token\n'}))
    expect(base.code, base.stderr).to.equal(0)
    const gitBase = apiUrl // the local platform's git is on the API's origin
    writeFileSync(join(home.dir, 'gitconfig'), `[credential "${gitBase}"]\n\thelper =\n\thelper = !'/old/clone/bin/run.js' git:credentials\n`)
    const r = await heroku(['login', '--with-token', '--api-url', apiUrl], {env: {PATH: path(bin)}, input: 'a-token\n'})
    expect(r.code, r.stderr).to.equal(0)
    expect(r.stderr).to.include(`now runs '${join(bin, 'heroku')}' git:credentials (was !'/old/clone/bin/run.js' git:credentials)`)
    expect(helpers()).to.deep.equal([`\thelper = !'${join(bin, 'heroku')}' git:credentials`])
  })
})
