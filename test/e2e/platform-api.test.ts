import {expect} from 'chai'
import {existsSync, mkdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {detectSandbox} from '../../src/platform/sandbox/sandbox.js'
import {E2eHome} from '../helpers/e2e.js'

// The built CLI against a platform it starts itself: what a user does after reading the README.
describe('e2e: the CLI against the local platform', function () {
  this.timeout(120_000)
  let home: E2eHome
  let dataDir: string
  let repo: string

  before(async () => {
    if (!existsSync(join(process.cwd(), 'dist', 'commands'))) throw new Error('dist/ is missing: npm run build first (npm test does)')
    home = new E2eHome()
    dataDir = join(home.dir, 'platform')
    repo = join(home.dir, 'repo')
    mkdirSync(repo)
    await home.exec('git', ['init', '-q'], {cwd: repo})
  })

  after(async () => {
    await home.heroku(['platform:stop', '--data-dir', dataDir])
    home.cleanup()
  })

  it('platform:start --detach creates the owner and logs the CLI in', async () => {
    const r = await home.heroku(['platform:start', '--detach', '--data-dir', dataDir, '--port', '0', '--router-port', '0', '--email', 'owner@example.com'])
    expect(r.code, r.stderr).to.equal(0)
    // HTTPS, with the platform's own CA, which this CLI now trusts for that URL (test/e2e/tls.test.ts)
    expect(r.stdout).to.match(/Platform running at https:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/)
    expect(r.stderr).to.include('Created the owner account owner@example.com')
    // off a terminal the password is never printed: it is in a file only its owner can read
    const file = join(dataDir, 'owner-password')
    expect(r.stderr).to.include(`is in ${file}, readable by you only`)
    const password = readFileSync(file, 'utf8').trim()
    expect(password).to.match(/^\S{12,}$/)
    expect(r.stdout + r.stderr).not.to.include(password)
    expect(statSync(file).mode & 0o777).to.equal(0o600)
    const who = await home.heroku(['whoami'])
    expect(who.stdout).to.equal('owner@example.com\n')
  })

  it('a second start --detach finds it running', async () => {
    const r = await home.heroku(['platform:start', '--detach', '--data-dir', dataDir])
    expect(r.code).to.equal(0)
    expect(r.stdout).to.include('already running')
  })

  it('apps:create adds the git remote; config:set, config, releases work', async () => {
    const created = await home.heroku(['apps:create', 'e2e-app'], {cwd: repo})
    expect(created.code, created.stderr).to.equal(0)
    expect(created.stdout).to.match(/^https:\/\/e2e-app\.localhost:\d+\/ \| https:\/\/127\.0\.0\.1:\d+\/e2e-app\.git\n$/)
    const remotes = await home.exec('git', ['remote', '-v'], {cwd: repo})
    expect(remotes.stdout).to.match(/^heroku\thttps:\/\/127\.0\.0\.1:\d+\/e2e-app\.git \(push\)$/m)

    const set = await home.heroku(['config:set', 'GREETING=hello world', 'URL=a=b'], {cwd: repo})
    expect(set.code, set.stderr).to.equal(0)
    const shell = await home.heroku(['config', '--shell'], {cwd: repo})
    expect(shell.stdout).to.equal("GREETING='hello world'\nURL='a=b'\n")
    const json = await home.heroku(['config', '--json', '-a', 'e2e-app'])
    expect(JSON.parse(json.stdout)).to.deep.equal({GREETING: 'hello world', URL: 'a=b'})

    const releases = await home.heroku(['releases', '--json'], {cwd: repo})
    const list = JSON.parse(releases.stdout) as Array<{description: string, version: number}>
    expect(list.map(r => r.version)).to.deep.equal([2, 1])
    expect(list[0].description).to.include('GREETING')
  })

  it('addons:services lists the platform catalog', async () => {
    const r = await home.heroku(['addons:services', '--json'])
    expect(r.code, r.stderr).to.equal(0)
    const services = JSON.parse(r.stdout) as Array<{name: string}>
    expect(services.map(s => s.name)).to.include('heroku-postgresql')
  })

  it('errors are clean: a missing app, a bad key, no --confirm without a TTY', async () => {
    const missing = await home.heroku(['config', '-a', 'no-such-app'])
    expect(missing.code).to.equal(1)
    expect(missing.stderr).to.include('no-such-app').and.not.match(/\n\s+at /)
    const badKey = await home.heroku(['config:set', '1ABC=x', '-a', 'e2e-app'])
    expect(badKey.code).to.equal(2)
    const destroy = await home.heroku(['apps:destroy', '-a', 'e2e-app'])
    expect(destroy.code).to.equal(2)
    expect(destroy.stderr).to.include('--confirm')
  })

  it('apps:destroy removes the app and its remote', async () => {
    const r = await home.heroku(['apps:destroy', 'e2e-app', '--confirm', 'e2e-app'], {cwd: repo})
    expect(r.code, r.stderr).to.equal(0)
    const remotes = await home.exec('git', ['remote'], {cwd: repo})
    expect(remotes.stdout).to.equal('')
    const apps = await home.heroku(['apps', '--json'])
    expect(JSON.parse(apps.stdout)).to.deep.equal([])
  })

  it('platform:users:add adds an account that logs in and sees only its own apps', async () => {
    const added = await home.heroku(['platform:users:add', 'jane@example.com', '--password-stdin', '--data-dir', dataDir], {input: 'correct horse battery\n'})
    expect(added.code, added.stderr).to.equal(0)
    expect(added.stdout).to.match(/Added jane@example\.com\. They log in with: heroku login --api-url http/)
    const status = JSON.parse((await home.heroku(['platform:status', '--json', '--data-dir', dataDir])).stdout) as {ca_path: string, url: string}
    const basic = Buffer.from('jane@example.com:correct horse battery').toString('base64')
    // a client of its own, trusting the platform's CA as NODE_EXTRA_CA_CERTS would
    const {Agent, fetch: undiciFetch} = await import('undici')
    const res = await undiciFetch(`${status.url}/oauth/authorizations`, {
      body: '{}', dispatcher: new Agent({connect: {ca: readFileSync(status.ca_path, 'utf8')}}),
      headers: {Accept: 'application/vnd.heroku+json; version=3', Authorization: `Basic ${basic}`, 'Content-Type': 'application/json'}, method: 'POST',
    })
    expect(res.status).to.equal(201)
    const {token} = ((await res.json()) as {access_token: {token: string}}).access_token
    await home.heroku(['apps:create', 'owners-app', '--no-remote'])
    const jane = {env: {HEROKU_API_KEY: token}}
    expect((await home.exec(process.execPath, ['bin/run.js', 'whoami'], {...jane, cwd: process.cwd()})).stdout).to.equal('jane@example.com\n')
    const apps = await home.exec(process.execPath, ['bin/run.js', 'apps', '--json'], {...jane, cwd: process.cwd()})
    expect(JSON.parse(apps.stdout)).to.deep.equal([])
    const peek = await home.exec(process.execPath, ['bin/run.js', 'config', '-a', 'owners-app'], {...jane, cwd: process.cwd()})
    expect(peek.code).to.equal(1)
    expect(peek.stderr).to.include('owners-app')
    const dup = await home.heroku(['platform:users:add', 'jane@example.com', '--password-stdin', '--data-dir', dataDir], {input: 'another password\n'})
    expect(dup.code).to.equal(1)
    expect(dup.stderr).to.include('already exists')
    await home.heroku(['apps:destroy', 'owners-app', '--confirm', 'owners-app'])
    // a mistyped --data-dir must not create an empty platform
    const nowhere = join(home.dir, 'no-platform-here')
    const stray = await home.heroku(['platform:users:add', 'x@example.com', '--password-stdin', '--data-dir', nowhere], {input: 'a long password\n'})
    expect(stray.code).to.equal(1)
    expect(stray.stderr).to.include('No platform has been started in')
    expect(existsSync(nowhere)).to.equal(false)
  })

  it('platform:status --json, then platform:stop', async () => {
    const status = await home.heroku(['platform:status', '--json', '--data-dir', dataDir])
    const s = JSON.parse(status.stdout)
    expect(s).to.include({app_count: 0, data_dir: dataDir, running: true})
    expect(s.uptime_seconds).to.be.a('number')
    expect(s.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(s.ca_path).to.equal(join(dataDir, 'tls', 'ca.pem'))
    // whether dynos are sandboxed is never silent
    const sandbox = await detectSandbox()
    expect(s.sandbox).to.include({enabled: sandbox.enabled, separate_users: sandbox.separateUsers})
    const human = await home.heroku(['platform:status', '--data-dir', dataDir])
    expect(human.stdout).to.match(sandbox.enabled ? /Sandbox: +bubblewrap[^\n]*dynos and builds confined/ : /Sandbox: +off: /)
    const stop = await home.heroku(['platform:stop', '--data-dir', dataDir])
    expect(stop.stdout).to.match(/Stopped the platform/)
    const after = await home.heroku(['platform:status', '--json', '--data-dir', dataDir])
    expect(JSON.parse(after.stdout).running).to.equal(false)
    const down = await home.heroku(['apps'])
    expect(down.code).to.equal(1)
    expect(down.stderr).to.include('Could not reach')
  })
})

describe('e2e: platform:start in the foreground', function () {
  this.timeout(60_000)

  it('runs until Ctrl-C (SIGINT), then stops cleanly', async () => {
    const home = new E2eHome()
    try {
      const {spawn} = await import('node:child_process')
      const dataDir = join(home.dir, 'platform')
      const child = spawn(process.execPath, ['bin/run.js', 'platform:start', '--data-dir', dataDir, '--port', '0', '--router-port', '0', '--email', 'fg@example.com'], {env: home.env})
      let stderr = ''
      child.stderr.on('data', d => {
        stderr += d
      })
      child.stdout.resume()
      const started = Date.now()
      while (!stderr.includes('Ctrl-C stops it')) {
        if (Date.now() - started > 30_000) throw new Error(`no start: ${stderr}`)

        await new Promise(resolve => {
          setTimeout(resolve, 50)
        })
      }

      expect((await home.heroku(['whoami'])).stdout).to.equal('fg@example.com\n')
      const exited = new Promise<null | number>(resolve => {
        child.once('exit', code => resolve(code))
      })
      child.kill('SIGINT')
      expect(await exited).to.equal(0)
      const status = await home.heroku(['platform:status', '--json', '--data-dir', dataDir])
      expect(JSON.parse(status.stdout).running).to.equal(false)
    } finally {
      home.cleanup()
    }
  })
})
