// The claim that the local platform speaks the Heroku Platform API v3, tested with a client
// nobody here wrote: the official Heroku CLI (npm `heroku`, pinned), run against a real platform
// process with HEROKU_HOST and HEROKU_API_KEY, in a home of its own, no TTY, CI=true.
// Each everyday command is one test; what cannot pass yet for a missing piece of the platform is
// pending (this.skip() naming that piece), never faked. docs/compatibility.md has the table.
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {findPostgresBinaries} from '../../src/platform/addons/postgresql-cluster.js'
import {createUser} from '../../src/platform/bootstrap.js'
import {openStore} from '../../src/platform/store/database.js'
import {
  type InstalledCli, installOfficialCli, type Invocation, OFFICIAL_CLI_VERSION, OfficialCliHome, PlatformApi,
  platformHasTls, type PlatformProcess, runProgram, startPlatform, waitFor, withoutNotices,
} from './official-cli.js'

const EMAIL = 'official-cli@example.com'
const APP = 'official-app'
const OTHER = 'official-other'
const RENAMED = 'official-renamed'

const APP_FILES: Record<string, string> = {
  'package.json': JSON.stringify({name: 'official-cli-fixture', version: '1.0.0', scripts: {start: 'node server.js'}}, null, 2),
  'server.js': "require('node:http').createServer((req, res) => res.end('hello from the official cli test\\n')).listen(process.env.PORT)\n",
}

/** why heroku-postgresql cannot be provisioned by this platform process, if it cannot */
function postgresUnavailable(): string | undefined {
  if (process.env.HEROKU_PLATFORM_POSTGRES_URL) return undefined
  if (process.getuid?.() !== 0) return 'the platform\'s own PostgreSQL cluster needs root (a uid of its own) and no external server is configured (HEROKU_PLATFORM_POSTGRES_URL)'
  if (findPostgresBinaries() === undefined) return 'no PostgreSQL server binaries (initdb, postgres) are installed and no external server is configured (HEROKU_PLATFORM_POSTGRES_URL)'
  return undefined
}

let cli: InstalledCli | undefined
let installError: string | undefined

async function officialCli(ctx: Mocha.Context): Promise<InstalledCli> {
  if (cli === undefined && installError === undefined) {
    try {
      cli = await installOfficialCli(540_000)
      if (cli.installMs > 0) process.stdout.write(`      (installed heroku@${OFFICIAL_CLI_VERSION} in ${(cli.installMs / 1000).toFixed(1)} s)\n`)
    } catch (error) {
      installError = (error as Error).message
    }
  }

  if (cli === undefined) {
    process.stdout.write(`      skipped: the official Heroku CLI (heroku@${OFFICIAL_CLI_VERSION}) could not be installed from the npm registry: ${installError}\n`)
    ctx.skip()
  }

  return cli!
}

/** A fresh data dir with an account, the platform process on it, the official CLI's home. */
async function setUp(cliInstalled: InstalledCli, extraArgs: string[], env: NodeJS.ProcessEnv) {
  const dataDir = mkdtempSync(join(tmpdir(), 'official-cli-platform-'))
  const store = openStore(dataDir)
  const user = await createUser(store, {email: EMAIL, password: 'correct horse battery'})
  store.close()
  const platform = await startPlatform(dataDir, extraArgs, env)
  const home = new OfficialCliHome(cliInstalled, {url: platform.state.url, token: user.token, caPath: platform.state.caPath})
  const api = new PlatformApi(platform.state.url, user.token, platform.state.caPath)
  return {dataDir, platform, home, api, token: user.token}
}

/** Asserts a zero exit and gives what a user saw (stdout + stderr, the CLI's notices left out). */
function ok(result: Invocation): string {
  expect(result.code, `exit code; output:\n${result.output}`).to.equal(0)
  return withoutNotices(result.output)
}

function writeRepoFiles(dir: string): void {
  for (const [name, content] of Object.entries(APP_FILES)) writeFileSync(join(dir, name), content)
}

describe(`the official Heroku CLI (heroku@${OFFICIAL_CLI_VERSION}) against the local platform over HTTP`, function () {
  // the first run installs the CLI (minutes at most); each command has its own timeout
  this.timeout(60_000)
  let platform: PlatformProcess | undefined
  let home: OfficialCliHome
  let api: PlatformApi
  let dataDir: string | undefined
  let repo: string
  let addonName: string | undefined
  const pgUnavailable = postgresUnavailable()

  const heroku = (...args: string[]) => home.heroku(args, {cwd: repo})

  before(async function () {
    this.timeout(600_000)
    const installed = await officialCli(this)
    // the platform's own cluster where it can make one, else the external server the test script gave
    const env: NodeJS.ProcessEnv = pgUnavailable === undefined && process.getuid?.() === 0 && findPostgresBinaries() !== undefined ? {HEROKU_PLATFORM_POSTGRES_URL: ''} : {}
    const set = await setUp(installed, [], env);
    ({platform, home, api, dataDir} = set)
    repo = mkdtempSync(join(home.dir, 'app-'))
    writeRepoFiles(repo)
    ok(await home.git(['init', '--quiet', '--initial-branch=main'], {cwd: repo}))
    ok(await home.git(['add', '-A'], {cwd: repo}))
    ok(await home.git(['commit', '--quiet', '-m', 'initial commit'], {cwd: repo}))
  })

  after(async function () {
    this.timeout(30_000)
    await api?.close()
    await platform?.stop()
    home?.cleanup()
    if (dataDir) rmSync(dataDir, {recursive: true, force: true})
  })

  describe('account, apps, config, buildpacks, deploy, releases, dynos, logs, domains', () => {
    it('auth:whoami names the account of the token', async () => {
      expect(ok(await heroku('auth:whoami'))).to.contain(EMAIL)
    })

    it('regions lists the platform\'s region', async () => {
      expect(ok(await heroku('regions'))).to.match(/^\s*us\s+This machine/m)
    })

    it('apps:create creates the app and prints its web URL', async () => {
    // outside the repo: inside one it would add a remote with the https URL it builds itself
      const out = ok(await home.heroku(['apps:create', APP]))
      expect(out).to.contain(`Creating ${APP}... done`)
      expect(out).to.contain(`http://${APP}.localhost:${platform!.state.routerPort}/`)
      expect((await api.get(`/apps/${APP}`)).status).to.equal(200)
    })

    it('apps lists it', async () => {
      const out = ok(await heroku('apps'))
      expect(out).to.contain(`=== ${EMAIL} Apps`)
      expect(out).to.match(new RegExp(`^${APP}$`, 'm'))
    })

    it('apps:info shows its URLs, owner, region and stack', async () => {
      const out = ok(await heroku('apps:info', '-a', APP))
      expect(out).to.contain(`=== ${APP}`)
      expect(out).to.match(new RegExp(`Git URL:\\s+${platform!.state.url}/${APP}\\.git`))
      expect(out).to.match(new RegExp(`Web URL:\\s+http://${APP}\\.localhost:\\d+/`))
      expect(out).to.match(new RegExp(`Owner:\\s+${EMAIL}`))
      expect(out).to.match(/Region:\s+us/)
      expect(out).to.match(/Stack:\s+heroku-24/)
    })

    it('stack shows the app\'s stack', async () => {
      expect(ok(await heroku('stack', '-a', APP))).to.match(/^\* heroku-24$/m)
    })

    it('config:set sets vars and makes a release', async () => {
      const out = ok(await heroku('config:set', 'FOO=bar', 'BAZ=qux', '-a', APP))
      expect(out).to.match(/Setting FOO, BAZ and restarting official-app\.\.\. done, v2/)
      expect(out).to.match(/^FOO: bar$/m)
      expect((await api.get(`/apps/${APP}/config-vars`)).body).to.deep.equal({FOO: 'bar', BAZ: 'qux'})
    })

    it('config lists them', async () => {
      const out = ok(await heroku('config', '-a', APP))
      expect(out).to.contain(`=== ${APP} Config Vars`)
      expect(out).to.match(/^FOO: bar$/m)
      expect(out).to.match(/^BAZ: qux$/m)
    })

    it('config:get prints one value', async () => {
      const result = await heroku('config:get', 'FOO', '-a', APP)
      ok(result)
      expect(result.stdout).to.equal('bar\n')
    })

    it('config:unset removes one', async () => {
      expect(ok(await heroku('config:unset', 'BAZ', '-a', APP))).to.contain('Unsetting BAZ and restarting official-app... done, v3')
      expect((await api.get(`/apps/${APP}/config-vars`)).body).to.deep.equal({FOO: 'bar'})
    })

    it('buildpacks:set with a buildpack URL sets it', async () => {
      const out = ok(await heroku('buildpacks:set', 'https://github.com/heroku/heroku-buildpack-nodejs', '-a', APP))
      // as on Heroku: the buildpack keeps the URL it was given (its name is heroku/nodejs)
      expect(out).to.contain('Buildpack set. Next release on official-app will use https://github.com/heroku/heroku-buildpack-nodejs.')
    })

    // pending: the official CLI resolves registry names at buildpack-registry.heroku.com (not the
    // Platform API), which a machine of its own cannot reach; a URL (above) or a path works
    // eslint-disable-next-line mocha/no-pending-tests, mocha/no-skipped-tests -- cannot run here: needs buildpack-registry.heroku.com (see above)
    it.skip('buildpacks:set with a registry name (heroku/nodejs)')

    it('buildpacks lists it', async () => {
      expect(ok(await heroku('buildpacks', '-a', APP))).to.match(/^=== official-app Classic Buildpack.*\n\nhttps:\/\/github\.com\/heroku\/heroku-buildpack-nodejs$/m)
    })

    it('a git push to the app\'s git_url deploys it (the platform\'s git over HTTP, a test-local credential helper)', async function () {
      this.timeout(120_000)
      const gitUrl = (await api.get(`/apps/${APP}`)).body.git_url as string
      const helper = join(home.dir, 'git-credential-local-platform')
      writeFileSync(helper, '#!/bin/sh\n[ "$1" = get ] && printf \'username=heroku\\npassword=%s\\n\' "$HEROKU_API_KEY"\nexit 0\n')
      chmodSync(helper, 0o700)
      const push = await home.git(['-c', `credential.${new URL(gitUrl).origin}.helper=${helper}`, 'push', gitUrl, 'main'], {cwd: repo, timeoutMs: 110_000})
      expect(push.code, push.output).to.equal(0)
      expect(push.output).to.match(/Released v4/)
      expect(push.output).to.contain('* [new branch]      main -> main')
    })

    it('releases lists the deploy and the config changes', async () => {
      const out = ok(await heroku('releases', '-a', APP))
      expect(out).to.contain(`=== ${APP} Releases - Current: v4`)
      expect(out).to.match(/^\s*v4\s+Deploy [0-9a-f]{8}\s+official-cli@example\.com/m)
      expect(out).to.match(/^\s*v3\s+Remove BAZ config vars/m)
      expect(out).to.match(/^\s*v1\s+Initial release/m)
    })

    it('releases:info shows the current release', async () => {
      const out = ok(await heroku('releases:info', '-a', APP))
      expect(out).to.contain('=== Release v4')
      expect(out).to.match(/Change:\s+Deploy [0-9a-f]{8}/)
      expect(out).to.match(/^FOO: bar$/m)
    })

    it('ps:scale web=1 scales the web process', async () => {
      expect(ok(await heroku('ps:scale', 'web=1', '-a', APP))).to.contain('Scaling dynos... done, now running web at 1:')
      expect((await api.get(`/apps/${APP}/formation/web`)).body.quantity).to.equal(1)
    })

    it('ps shows the web dyno up', async () => {
      await waitFor('web.1 up', async () => ((await api.get(`/apps/${APP}/dynos`)).body as {name: string, state: string}[]).some(d => d.name === 'web.1' && d.state === 'up'), 20_000)
      const out = ok(await heroku('ps', '-a', APP))
      expect(out).to.contain('=== web (basic): npm start (1)')
      expect(out).to.match(/^web\.1: up /m)
    })

    it('apps:info after the deploy shows the dynos and the slug\'s size', async () => {
      const out = ok(await heroku('apps:info', '-a', APP))
      expect(out).to.match(/Dynos:\s+web: 1/)
      expect(out).to.match(/Slug Size:\s+[1-9][\d.]* (B|KB|MB)/)
    })

    it('ps:restart restarts the dynos', async () => {
      expect(ok(await heroku('ps:restart', '-a', APP))).to.contain(`Restarting all dynos on ${APP}... done`)
    })

    it('logs -n 10 prints the app\'s recent log lines', async () => {
      const out = ok(await heroku('logs', '-n', '10', '-a', APP))
      const lines = out.split('\n').filter(line => /^\d{4}-\d\d-\d\dT[\d:.]+\+00:00 (app|heroku)\[[\w.]+\]: /.test(line))
      expect(lines.length, out).to.be.within(1, 10)
      expect(out).to.match(/heroku\[web\.1\]: /)
    })

    it('releases:rollback v4 makes a release of it', async () => {
      const out = ok(await heroku('releases:rollback', 'v4', '-a', APP))
      expect(out).to.contain(`Rolling back ${APP} to v4... done, v5`)
      expect((await api.get(`/apps/${APP}/releases/5`)).body.description).to.equal('Rollback to v4')
    })

    it('run:detached runs a one-off dyno without attaching', async () => {
      const out = ok(await heroku('run:detached', 'echo hi', '-a', APP))
      expect(out).to.match(new RegExp(`Running echo hi on ${APP}\\.\\.\\. done, run\\.\\d+`))
    })

    it('maintenance:on turns maintenance mode on', async () => {
      expect(ok(await heroku('maintenance:on', '-a', APP))).to.contain(`Enabling maintenance mode for ${APP}... done`)
      expect((await api.get(`/apps/${APP}`)).body.maintenance).to.equal(true)
    })

    it('maintenance:off turns it off', async () => {
      expect(ok(await heroku('maintenance:off', '-a', APP))).to.contain(`Disabling maintenance mode for ${APP}... done`)
      expect((await api.get(`/apps/${APP}`)).body.maintenance).to.equal(false)
    })

    it('domains lists the app\'s default domain', async () => {
      const out = ok(await heroku('domains', '-a', APP))
      expect(out).to.contain(`=== ${APP} Heroku Domain`)
      expect(out).to.contain(`${APP}.localhost`)
    })

    // the official CLI first lists GET /apps/APP/sni-endpoints (to offer a certificate; with more
    // than one it asks which), then POSTs the domain
    it('domains:add adds a custom domain', async () => {
      const out = ok(await heroku('domains:add', 'www.example.com', '-a', APP))
      expect(out).to.contain(`Adding www.example.com to ${APP}... done`)
      expect(out).to.contain(`point to the DNS Target ${APP}.localhost`)
      expect(((await api.get(`/apps/${APP}/domains`)).body as {hostname: string}[]).map(d => d.hostname)).to.include('www.example.com')
    })

    it('domains:add --wait is done at once: the domain is routed when added (its status is not "pending")', async () => {
      const out = ok(await heroku('domains:add', 'api.example.com', '--wait', '-a', APP))
      expect(out).to.contain(`Adding api.example.com to ${APP}... done`)
      expect(out).to.not.contain('enqueued')
      expect((await api.get(`/apps/${APP}/domains/api.example.com`)).status).to.equal(200)
    })

    it('certs lists a certificate uploaded for the app; domains:add then uses it for a domain it covers', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'official-cli-cert-'))
      try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
          '-subj', '/CN=*.example.com', '-days', '30', '-addext', 'subjectAltName=DNS:*.example.com'], {stdio: 'ignore'})
        const uploaded = await api.post(`/apps/${APP}/sni-endpoints`, {certificate_chain: readFileSync(join(dir, 'cert.pem'), 'utf8'), private_key: readFileSync(join(dir, 'key.pem'), 'utf8')})
        expect(uploaded.status, JSON.stringify(uploaded.body)).to.equal(201)
        const name = uploaded.body.name as string
        expect(ok(await heroku('certs', '-a', APP))).to.match(new RegExp(`${name}\\s+\\*\\.example\\.com\\s+.+\\s+False\\s+SNI\\s+2`))
        ok(await heroku('domains:add', 'shop.example.com', '-a', APP))
        expect((await api.get(`/apps/${APP}/domains/shop.example.com`)).body.sni_endpoint).to.deep.equal({id: uploaded.body.id, name})
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    })
  })

  describe('add-ons (heroku-postgresql)', () => {
    before(function () {
      if (pgUnavailable) {
        process.stdout.write(`      skipped: ${pgUnavailable}\n`)
        this.skip()
      }
    })

    it('addons:create heroku-postgresql provisions a database as DATABASE_URL', async function () {
      this.timeout(90_000)
      const result = await home.heroku(['addons:create', 'heroku-postgresql', '-a', APP], {cwd: repo, timeoutMs: 85_000})
      const out = ok(result)
      const created = /Created (postgresql-[a-z]+-\d+) as DATABASE_URL/.exec(out)
      expect(created, out).to.not.equal(null)
      addonName = created![1]
      expect((await api.get(`/apps/${APP}/config-vars`)).body.DATABASE_URL).to.match(/^postgres:\/\//)
    })

    it('addons lists it with its attachment', async () => {
      const out = ok(await heroku('addons', '-a', APP))
      expect(out).to.match(new RegExp(`heroku-postgresql \\(${addonName}\\)\\s+essential-0\\s+free\\s+free\\s+created`))
      expect(out).to.match(/└─ as DATABASE/)
    })

    it('addons:info shows its plan, attachments and state', async () => {
      const out = ok(await heroku('addons:info', addonName!, '-a', APP))
      expect(out).to.contain(`=== ${addonName}`)
      expect(out).to.match(/Plan:\s+heroku-postgresql:essential-0/)
      expect(out).to.match(new RegExp(`Attachments:\\s+${APP}::DATABASE`))
      expect(out).to.match(new RegExp(`Owning app:\\s+${APP}`))
      expect(out).to.match(/State:\s+created/)
    })

    it('addons:open --show-url prints its dashboard\'s URL (web_url)', async () => {
      const result = await heroku('addons:open', addonName!, '--show-url', '-a', APP)
      ok(result)
      const webUrl = (await api.get(`/apps/${APP}/addons/${addonName}`)).body.web_url as string
      expect(webUrl).to.match(/^https?:\/\//)
      expect(result.stdout.trim()).to.equal(webUrl)
    })

    it('addons:attach attaches it to another app', async () => {
      expect((await api.post('/apps', {name: OTHER})).status).to.equal(201)
      const out = ok(await heroku('addons:attach', addonName!, '-a', OTHER))
      expect(out).to.contain(`Attaching ${addonName} to ${OTHER}... done`)
      expect(out).to.contain(`Setting DATABASE config vars and restarting ${OTHER}... done, v2`)
      expect((await api.get(`/apps/${OTHER}/config-vars`)).body.DATABASE_URL).to.equal((await api.get(`/apps/${APP}/config-vars`)).body.DATABASE_URL)
    })

    it('addons:detach detaches it again', async () => {
      const out = ok(await heroku('addons:detach', 'DATABASE', '-a', OTHER))
      expect(out).to.contain(`Detaching DATABASE to ${addonName} from ${OTHER}... done`)
      expect((await api.get(`/apps/${OTHER}/config-vars`)).body).to.deep.equal({})
    })

    it('addons:destroy destroys it', async () => {
      const out = ok(await heroku('addons:destroy', addonName!, '-a', APP, '--confirm', APP))
      expect(out).to.contain(`Destroying ${addonName} on ${APP}... done`)
      expect((await api.get(`/apps/${APP}/addons`)).body).to.deep.equal([])
      expect((await api.get(`/apps/${APP}/config-vars`)).body).to.not.have.property('DATABASE_URL')
    })
  })

  describe('one-off dynos, git remote, rename, destroy', () => {
  // pending for good: the official CLI attaches over TLS only — rendezvous:// is TLS by definition,
  // and an http(s) attach_url is Heroku's SSH-over-`Upgrade: tcp` for Private Spaces (it spawns
  // ssh). A plain-HTTP platform keeps its http://…/dyno-attach/… URL (heroku-run/1, our CLI's);
  // the official CLI's `heroku run` works against a --tls platform — see the HTTPS run below
    // eslint-disable-next-line mocha/no-pending-tests, mocha/no-skipped-tests -- cannot run over plain HTTP: the official CLI attaches over TLS only; the --tls suite runs it
    it.skip('run "echo hi" runs a one-off dyno attached to the terminal')

    it('git:remote adds the heroku remote with the URL the official CLI builds (https://API-HOST/APP.git)', async () => {
      ok(await heroku('git:remote', '-a', APP))
      const remote = await home.git(['remote', 'get-url', 'heroku'], {cwd: repo})
      expect(remote.stdout.trim()).to.equal(`https://${new URL(platform!.state.url).host}/${APP}.git`)
    })

    // pending: that remote is https://API-HOST/APP.git whatever git_url says, and this platform
    // speaks plain HTTP (issue #11, HTTPS) — see the TLS run below
    // eslint-disable-next-line mocha/no-pending-tests, mocha/no-skipped-tests -- cannot run over plain HTTP: git:remote's URL is always https://; the --tls suite pushes to it
    it.skip('git push heroku main, to the remote git:remote made')

    it('apps:rename renames the app', async () => {
      const out = ok(await heroku('apps:rename', RENAMED, '--app', APP))
      expect(out).to.contain(`Renaming ${APP} to ${RENAMED}... done`)
      expect((await api.get(`/apps/${RENAMED}`)).status).to.equal(200)
      expect((await api.get(`/apps/${APP}`)).status).to.equal(404)
    })

    it('apps:destroy --confirm destroys it', async () => {
      expect(ok(await heroku('apps:destroy', '--app', RENAMED, '--confirm', RENAMED))).to.contain(`Destroying ${RENAMED} (including all add-ons)... done`)
      expect((await api.get(`/apps/${RENAMED}`)).status).to.equal(404)
    })
  })
})

describe(`the official Heroku CLI (heroku@${OFFICIAL_CLI_VERSION}) against the local platform over HTTPS (--tls)`, function () {
  this.timeout(60_000)
  let platform: PlatformProcess | undefined
  let home: OfficialCliHome
  let api: PlatformApi
  let dataDir: string | undefined
  let repo: string
  let deployed = false
  const TLS_APP = 'official-tls'

  const heroku = (...args: string[]) => home.heroku(args, {cwd: repo})

  before(async function () {
    this.timeout(600_000)
    if (!platformHasTls()) {
      process.stdout.write('      skipped: src/platform/main.ts has no --tls flag yet (issue #11, HTTPS)\n')
      this.skip()
    }

    const installed = await officialCli(this)
    const set = await setUp(installed, ['--tls'], {});
    ({platform, home, api, dataDir} = set)
    if (!platform.state.caPath || !existsSync(platform.state.caPath)) throw new Error(`platform.json names no CA certificate (caPath): ${JSON.stringify(platform.state)}`)
    expect(platform.state.url).to.match(/^https:\/\//)
    repo = mkdtempSync(join(home.dir, 'app-'))
    writeRepoFiles(repo)
    ok(await home.git(['init', '--quiet', '--initial-branch=main'], {cwd: repo}))
    ok(await home.git(['add', '-A'], {cwd: repo}))
    ok(await home.git(['commit', '--quiet', '-m', 'initial commit'], {cwd: repo}))
  })

  after(async function () {
    this.timeout(30_000)
    await api?.close()
    await platform?.stop()
    home?.cleanup()
    if (dataDir) rmSync(dataDir, {recursive: true, force: true})
  })

  it('auth:whoami (NODE_EXTRA_CA_CERTS = the platform\'s CA)', async () => {
    expect(ok(await heroku('auth:whoami'))).to.contain(EMAIL)
  })

  it('apps:create in a git repo creates the app and adds the heroku remote', async () => {
    const out = ok(await heroku('apps:create', TLS_APP))
    expect(out).to.contain(`Creating ${TLS_APP}... done`)
    const remote = await home.git(['remote', 'get-url', 'heroku'], {cwd: repo})
    expect(remote.stdout.trim()).to.equal(`https://${new URL(platform!.state.url).host}/${TLS_APP}.git`)
  })

  it('git push heroku main deploys, authenticated by the official CLI\'s own credential helper', async function () {
    this.timeout(120_000)
    // the official CLI configured credential.https://API-HOST.helper = !heroku git:credentials in
    // this home's gitconfig; git trusts the platform's CA through GIT_SSL_CAINFO
    const push = await home.git(['push', 'heroku', 'main'], {cwd: repo, timeoutMs: 110_000})
    expect(push.code, push.output).to.equal(0)
    expect(push.output).to.match(/Released v\d+/)
    deployed = true
  })

  it('logs -n 5 reads the log session over HTTPS', async () => {
    expect(deployed, 'the git push above failed').to.equal(true)
    expect(ok(await heroku('logs', '-n', '5', '-a', TLS_APP))).to.match(/(app|heroku)\[[\w.]+\]: /)
  })

  it('git:clone clones the pushed code', async () => {
    expect(deployed, 'the git push above failed').to.equal(true)
    const target = mkdtempSync(join(home.dir, 'clone-'))
    ok(await home.heroku(['git:clone', '-a', TLS_APP], {cwd: target}))
    expect(existsSync(join(target, TLS_APP, 'server.js'))).to.equal(true)
  })

  it('ps shows the web dyno up', async () => {
    expect(deployed, 'the git push above failed').to.equal(true)
    await waitFor('web.1 up', async () => ((await api.get(`/apps/${TLS_APP}/dynos`)).body as {name: string, state: string}[]).some(d => d.name === 'web.1' && d.state === 'up'), 20_000)
    expect(ok(await heroku('ps', '-a', TLS_APP))).to.match(/^web\.1: up /m)
  })

  // heroku run speaks Heroku's rendezvous (TLS to the attach URL's host:port, the secret line);
  // no TTY here, so without --no-tty the command still runs on a pty, as on Heroku
  it('run "echo hi" runs a one-off dyno over rendezvous:// and prints its output', async () => {
    expect(deployed, 'the git push above failed').to.equal(true)
    const probe = await api.post(`/apps/${TLS_APP}/dynos`, {command: 'true', attach: true})
    expect(probe.status, JSON.stringify(probe.body)).to.equal(201)
    expect(String(probe.body.attach_url)).to.match(new RegExp(`^rendezvous://${new URL(platform!.state.url).host.replaceAll('.', String.raw`\.`)}/[\\w-]+$`))
    const out = ok(await heroku('run', 'echo hi', '-a', TLS_APP))
    expect(out).to.match(/^hi\r?$/m)
    expect(out).to.match(new RegExp(`Running echo hi on ${TLS_APP}\\.\\.\\. up, run\\.\\d+`))
  })

  it('run --exit-code passes the remote exit status through (the status line; exit N included)', async () => {
    expect(deployed, 'the git push above failed').to.equal(true)
    expect(ok(await heroku('run', '--exit-code', 'echo fine', '-a', TLS_APP))).to.match(/^fine\r?$/m)
    const failed = await heroku('run', '--exit-code', 'echo failing; false', '-a', TLS_APP)
    expect(failed.code, failed.output).to.equal(1)
    expect(failed.output).to.match(/^failing\r?$/m)
    expect(failed.output).to.contain('Process exited with code 1')
    // the shell ends before the status echo: the platform writes the status line itself
    const exited = await heroku('run', '-x', 'exit 3', '-a', TLS_APP)
    expect(exited.code, exited.output).to.equal(3)
    expect(exited.output).to.not.contain('heroku-command-exit-status')
  })

  it('run reads stdin (on the remote pty), and --no-tty runs without a terminal, stdin ending with ^D', async () => {
    expect(deployed, 'the git push above failed').to.equal(true)
    const run = (args: string[], input: string) => runProgram(home.cli.bin, args, {cwd: repo, env: home.env, timeoutMs: 30_000, input})
    const piped = ok(await run(['run', '-x', 'read -r line; echo "got $line"', '-a', TLS_APP], 'hello there\n'))
    expect(piped).to.match(/^got hello there\r?$/m)
    const noTty = ok(await run(['run', '--no-tty', '-x', 'cat; tty || echo "no terminal"', '-a', TLS_APP], 'line one\nline two\n'))
    expect(noTty).to.match(/^line one\nline two\n(not a tty\n)?no terminal$/m)
  })

  it('apps:destroy --confirm destroys it', async () => {
    expect(ok(await heroku('apps:destroy', '--app', TLS_APP, '--confirm', TLS_APP))).to.contain(`Destroying ${TLS_APP} (including all add-ons)... done`)
  })
})
