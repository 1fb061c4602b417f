// The built CLI against the local platform over HTTPS, as a user meets it: platform:start makes
// the platform speak TLS with its own CA, and our CLI — API, git push, logs, run, git:clone —
// trusts that CA for that platform's origin only. A client without the CA is refused; a server
// on another origin with a certificate from the same CA is refused by our CLI and by git.

import type {AddressInfo} from 'node:net'

import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:https'
import {join} from 'node:path'

import {E2eHome} from '../helpers/e2e.js'
import {startPlatformProcess} from '../helpers/platform-process.js'

const EXAMPLE_APP = join(process.cwd(), 'examples', 'node-app')
const BIN = join(process.cwd(), 'bin', 'run.js')
/** `heroku ARGS` in `h` with extra environment. */
const herokuWith = (h: E2eHome, args: string[], env: NodeJS.ProcessEnv) => h.exec(process.execPath, [BIN, ...args], {env})

/** A leaf certificate for 127.0.0.1 signed by the platform's own CA (its key from DATA/tls/). */
function leafFromPlatformCa(tlsDir: string, caPath: string, workDir: string): {cert: string, key: string} {
  const caKey = readdirSync(tlsDir).map(f => join(tlsDir, f)).find(f => /key/i.test(f) && /ca/i.test(f) && readFileSync(f, 'utf8').includes('PRIVATE KEY'))
  if (!caKey) throw new Error(`no CA key in ${tlsDir}: ${readdirSync(tlsDir).join(', ')}`)
  mkdirSync(workDir, {recursive: true})
  const key = join(workDir, 'other-key.pem')
  const csr = join(workDir, 'other.csr')
  const cert = join(workDir, 'other.pem')
  const ext = join(workDir, 'other.ext')
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n')
  execFileSync('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', csr], {stdio: 'ignore'})
  execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', caPath, '-CAkey', caKey, '-set_serial', String(Date.now()), '-days', '1', '-out', cert, '-extfile', ext], {stdio: 'ignore'})
  return {cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8')}
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)

    await new Promise(resolve => setTimeout(resolve, 300))
  }
}

describe('e2e: the local platform over HTTPS', function () {
  this.timeout(180_000)
  let home: E2eHome
  let dataDir: string
  let repo: string
  let url: string
  let caPath: string
  const settings = (h: E2eHome) => JSON.parse(readFileSync(join(h.env.XDG_CONFIG_HOME!, 'heroku-toolbelt', 'config.json'), 'utf8')) as {apiUrl?: string, trustedCAs?: Record<string, string>}
  const git = (args: string[], cwd = repo) => home.exec('git', args, {cwd, env: {GIT_TERMINAL_PROMPT: '0'}, timeoutMs: 120_000})

  before(async () => {
    if (!existsSync(join(process.cwd(), 'dist', 'commands'))) throw new Error('dist/ is missing: npm run build first (npm test does)')
    home = new E2eHome()
    // a machine-wide CA bundle forced on git would override the per-URL sslCAInfo under test
    delete home.env.GIT_SSL_CAINFO
    // the default data dir: heroku login --api-url finds the platform there
    dataDir = join(home.env.XDG_DATA_HOME!, 'heroku-toolbelt', 'platform')
    repo = join(home.dir, 'repo')
    cpSync(EXAMPLE_APP, repo, {recursive: true})
    await home.exec('git', ['init', '-q', '-b', 'main'], {cwd: repo})
    await home.exec('git', ['add', '.'], {cwd: repo})
    await home.exec('git', ['-c', 'user.email=tls@example.com', '-c', 'user.name=TLS', 'commit', '-q', '-m', 'first'], {cwd: repo})
  })

  after(async () => {
    await home.heroku(['platform:stop'])
    home.cleanup()
  })

  it('platform:start serves HTTPS, trusts its CA for its URL only and says how others can', async () => {
    const r = await home.heroku(['platform:start', '--detach', '--port', '0', '--router-port', '0', '--email', 'tls@example.com', '--git-setup'])
    expect(r.code, r.stderr).to.equal(0)
    url = /Platform running at (https:\/\/127\.0\.0\.1:\d+) /.exec(r.stdout)?.[1] ?? ''
    expect(url, r.stdout).to.match(/^https:\/\/127\.0\.0\.1:\d+$/)
    const status = JSON.parse((await home.heroku(['platform:status', '--json'])).stdout) as {ca_path: string, url: string}
    caPath = status.ca_path
    expect(status.url).to.equal(url)
    expect(caPath.startsWith(dataDir)).to.equal(true)
    expect(readFileSync(caPath, 'utf8')).to.include('-----BEGIN CERTIFICATE-----')
    expect(r.stderr).to.include(`NODE_EXTRA_CA_CERTS=${caPath}`)
    expect(r.stderr).to.include(`git config --global http.${url}/.sslCAInfo ${caPath}`)
    expect(r.stderr).to.include('docs/tls.md')
    expect(settings(home)).to.deep.include({apiUrl: url, trustedCAs: {[url]: caPath}})
    const human = await home.heroku(['platform:status'])
    expect(human.stdout).to.match(new RegExp(`CA: +${caPath.replaceAll('/', String.raw`\/`)}`))
    const urlmatch = await home.exec('git', ['config', '--global', '--get-urlmatch', 'http.sslCAInfo', `${url}/x.git`])
    expect(urlmatch.stdout.trim()).to.equal(caPath)
  })

  it('a client without the CA is refused; with it, the API answers', async () => {
    const plain = await home.exec('curl', ['-sS', '-o', '/dev/null', `${url}/apps`])
    expect(plain.code, 'curl without --cacert').to.equal(60) // SSL certificate problem
    expect(plain.stderr).to.match(/certificate/i)
    const withCa = await home.exec('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', caPath, `${url}/apps`])
    expect(withCa.code, withCa.stderr).to.equal(0)
    expect(withCa.stdout).to.equal('401')
  })

  it('apps:create, git push over https, builds:output, logs and run over TLS', async () => {
    const created = await home.heroku(['apps:create', 'tls-app'], {cwd: repo})
    expect(created.code, created.stderr).to.equal(0)
    expect(created.stdout).to.match(/\| https:\/\/127\.0\.0\.1:\d+\/tls-app\.git\n$/)
    const push = await git(['push', 'heroku', 'main'])
    expect(push.code, push.stderr).to.equal(0)
    expect(push.stderr).to.match(/Launching|Released|deployed/i)

    const build = await home.heroku(['builds:output', '-a', 'tls-app'], {timeoutMs: 60_000})
    expect(build.code, build.stderr).to.equal(0)
    expect(build.stdout.length).to.be.greaterThan(0)

    await until('a web dyno up', async () => {
      const ps = await home.heroku(['ps', '--json', '-a', 'tls-app'])
      const dynos = ps.code === 0 ? JSON.parse(ps.stdout) as Array<{state: string, type: string}> : []
      return dynos.some(d => d.type === 'web' && d.state === 'up') ? true : undefined
    })
    const logs = await until('the web dyno\'s first line in heroku logs', async () => {
      const r = await home.heroku(['logs', '-a', 'tls-app', '-n', '200'])
      return r.code === 0 && r.stdout.includes('listening on') ? r : undefined
    })
    expect(logs.stderr).not.to.match(/\n\s+at /)

    const run = await home.heroku(['run', '-a', 'tls-app', '--no-tty', '--', 'echo', 'hello-over-tls'], {timeoutMs: 60_000})
    expect(run.code, run.stderr).to.equal(0)
    expect(run.stdout).to.include('hello-over-tls')
    const status = await home.heroku(['run', '-a', 'tls-app', '--no-tty', '--', 'sh', '-c', 'exit 3'], {timeoutMs: 60_000})
    expect(status.code, status.stderr).to.equal(3)

    const clone = await home.heroku(['git:clone', '-a', 'tls-app', join(home.dir, 'clone')], {timeoutMs: 60_000})
    expect(clone.code, clone.stderr).to.equal(0)
    expect(existsSync(join(home.dir, 'clone', 'Procfile'))).to.equal(true)
  })

  it('a server on another origin with a certificate from the same CA is refused, by our CLI and by git', async () => {
    const server: Server = createServer(leafFromPlatformCa(join(dataDir, 'tls'), caPath, join(home.dir, 'other-cert')), (_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end('[]')
    })
    await new Promise<void>(resolve => {
      server.listen(0, '127.0.0.1', resolve)
    })
    const other = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      // the same certificate is fine for a client that trusts the CA everywhere (curl --cacert) …
      const curl = await home.exec('curl', ['-sS', '--cacert', caPath, `${other}/apps`])
      expect(curl.code, curl.stderr).to.equal(0)
      // … but our CLI trusts the CA for the platform's origin only
      const apps = await herokuWith(home, ['apps'], {HEROKU_API_KEY: 'x', HEROKU_API_URL: other})
      expect(apps.code).to.equal(1)
      expect(apps.stderr).to.include(`Could not reach ${other}`).and.include('does not trust').and.not.match(/\n\s+at /)
      const gitRefused = await git(['ls-remote', `${other}/tls-app.git`])
      expect(gitRefused.code).not.to.equal(0)
      expect(gitRefused.stderr).to.match(/certificate|SSL/i)
    } finally {
      server.close()
    }
  })

  it('heroku login --api-url URL of the running platform trusts its CA (and git, with --git-setup)', async () => {
    const token = (await home.heroku(['auth:token'])).stdout.trim()
    // another user's config on this machine, the platform in the default data dir
    const second = new E2eHome({XDG_DATA_HOME: home.env.XDG_DATA_HOME})
    try {
      const login = await second.heroku(['login', '--with-token', '--git-setup', '--api-url', url], {input: `${token}\n`})
      expect(login.code, login.stderr).to.equal(0)
      expect(settings(second).trustedCAs).to.deep.equal({[url]: caPath})
      expect((await second.heroku(['whoami'])).stdout).to.equal('tls@example.com\n')
      const urlmatch = await second.exec('git', ['config', '--global', '--get-urlmatch', 'http.sslCAInfo', `${url}/tls-app.git`])
      expect(urlmatch.stdout.trim()).to.equal(caPath)
    } finally {
      second.cleanup()
    }

    // no platform of its own running there: nothing to trust, a clear refusal
    const stranger = new E2eHome()
    try {
      const login = await stranger.heroku(['login', '--with-token', '--no-git-setup', '--api-url', url], {input: `${token}\n`})
      expect(login.code).to.equal(1)
      expect(login.stderr).to.include('does not trust').and.include('heroku platform:start').and.not.match(/\n\s+at /)
    } finally {
      stranger.cleanup()
    }
  })

  it('a recorded CA file that is gone: --version and help still start; a request says what to do', async () => {
    const moved = new E2eHome()
    try {
      const missing = join(moved.dir, 'gone', 'ca.pem')
      mkdirSync(join(moved.env.XDG_CONFIG_HOME!, 'heroku-toolbelt'), {recursive: true})
      writeFileSync(join(moved.env.XDG_CONFIG_HOME!, 'heroku-toolbelt', 'config.json'), JSON.stringify({apiUrl: url, trustedCAs: {[url]: missing}}))
      expect((await moved.heroku(['--version'])).code).to.equal(0)
      expect((await moved.heroku(['help'])).code).to.equal(0)
      const r = await herokuWith(moved, ['apps'], {HEROKU_API_KEY: 'x'})
      expect(r.code).to.equal(1)
      expect(r.stderr).to.include(missing).and.include('heroku platform:start').and.include('heroku login').and.not.match(/\n\s+at /)
    } finally {
      moved.cleanup()
    }
  })
})

describe('e2e: a plain-HTTP platform (started before TLS) keeps working', function () {
  this.timeout(90_000)

  it('platform:start finds it, platform:status names no CA, the CLI talks to it over http', async () => {
    const home = new E2eHome()
    const dataDir = join(home.dir, 'old-platform')
    // the platform process as an older platform:start ran it: no --tls
    const platform = await startPlatformProcess(dataDir)
    try {
      expect(platform.state.url).to.match(/^http:\/\//)
      const start = await home.heroku(['platform:start', '--detach', '--data-dir', dataDir])
      expect(start.code, start.stderr).to.equal(0)
      expect(start.stdout).to.include(`already running at ${platform.state.url}`)
      const status = JSON.parse((await home.heroku(['platform:status', '--json', '--data-dir', dataDir])).stdout) as {ca_path: unknown, url: string}
      expect(status).to.deep.include({ca_path: null, url: platform.state.url})
      const added = await home.heroku(['platform:users:add', 'old@example.com', '--password-stdin', '--data-dir', dataDir], {input: 'correct horse battery\n'})
      expect(added.code, added.stderr).to.equal(0)
      // no prompt without a TTY: trade the password for a token as a script would
      const basic = Buffer.from('old@example.com:correct horse battery').toString('base64')
      const res = await fetch(`${platform.state.url}/oauth/authorizations`, {body: '{}', headers: {Accept: 'application/vnd.heroku+json; version=3', Authorization: `Basic ${basic}`, 'Content-Type': 'application/json'}, method: 'POST'})
      const {token} = ((await res.json()) as {access_token: {token: string}}).access_token
      const login = await home.heroku(['login', '--with-token', '--no-git-setup', '--api-url', platform.state.url], {input: `${token}\n`})
      expect(login.code, login.stderr).to.equal(0)
      expect(login.stdout).to.equal('Logged in as old@example.com\n')

      const apps = await home.heroku(['apps', '--json'])
      expect(apps.code, apps.stderr).to.equal(0)
      expect(JSON.parse(apps.stdout)).to.deep.equal([])
    } finally {
      await platform.stop()
      home.cleanup()
    }
  })
})
