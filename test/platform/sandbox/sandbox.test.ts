// The dyno and build sandbox, tested the way an attacker would (issue 8): from account B's
// `heroku run`, /proc/*/environ showed account A's config vars and the platform's PostgreSQL admin
// URL, the dyno read the platform's SQLite WAL (A's config), the CLI's credentials.json (A's
// token), and `id -u` printed 0. Here B runs shell commands in its own one-off dynos and in a
// buildpack of its own, and the test asserts what they can and cannot reach.

import type {AddressInfo} from 'node:net'

import {expect} from 'chai'
import {type ChildProcess, execFile, execFileSync, spawn} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {dataDir as cliDataDir, configDir} from '../../../src/lib/paths.js'
import {createUser} from '../../../src/platform/bootstrap.js'
import {confine, detectSandbox} from '../../../src/platform/sandbox/sandbox.js'
import {DATABASE_FILE} from '../../../src/platform/store/database.js'
import {deployFixture, dynoProcesses, FIXTURE_APP, type RuntimePlatform, startRuntimePlatform, viaRouter, waitFor} from '../fixtures/runtime/helpers.js'
import {ApiClient} from '../helpers.js'

const execFileAsync = promisify(execFile)
const unique = Math.random().toString(36).slice(2, 8)
/** A's secrets: a config var and an add-on's URL */
const SECRET_A = `a-secret-${unique}-${'x'.repeat(8)}`
const ADDON_URL_A = `postgres://addon_a:a-db-password-${unique}@127.0.0.1:5432/addon_a`
/** the platform's own environment (what HEROKU_PLATFORM_POSTGRES_URL held in the issue) */
const HOST_SECRET = `postgres://admin:host-admin-password-${unique}@127.0.0.1:5432/postgres`
const SECRET_B = `b-own-value-${unique}`
const isRoot = process.getuid?.() === 0

/** A worker that lists what earlier dynos left in $HOME (/app) and /tmp, then leaves marks of its own */
const WORKER = [
  // eslint-disable-next-line no-template-curly-in-string -- a shell parameter expansion, run by the dyno's sh
  'for f in "$HOME"/mark-* ${SANDBOXED:+/tmp/mark-*}; do [ -e "$f" ] && echo "found $f"; done',
  'stamp="$DYNO-$(date +%s%N)"',
  'touch "$HOME/mark-$stamp" && echo "wrote app mark $stamp"',
  '[ -n "$SANDBOXED" ] && touch "/tmp/mark-$stamp" && echo "wrote tmp mark $stamp"',
  'exec sleep 3600',
].join('; ')

interface Run {
  /** the lines the command printed (stdout and stderr), in order */
  lines: string[]
  name: string
  output: string
}

describe('sandbox: what another account\'s dyno or buildpack can reach', function () {
  this.timeout(120_000)
  let t: RuntimePlatform
  let clientB: ApiClient
  let victim: ChildProcess
  const appA = `alpha-${unique}`
  const appB = `bravo-${unique}`
  const ids: Record<string, string> = {}
  const cleanup: string[] = []

  const sandboxed = (ctx: Mocha.Context): void => {
    if (!t.platform.sandbox.enabled) ctx.skip()
  }

  before(async () => {
    // a process of the platform's user with a secret in its environment, as the platform had
    victim = spawn('sleep', ['300'], {env: {...process.env, HEROKU_PLATFORM_POSTGRES_URL: HOST_SECRET}, stdio: 'ignore'})
    t = await startRuntimePlatform()
    if (!t.platform.sandbox.enabled) {
      console.log(`      (sandbox not available here: ${t.platform.sandbox.reason}; the sandbox-specific tests are skipped)`)
    }

    const userB = await createUser(t.platform.store, {email: `b-${unique}@example.com`, password: 'correct horse battery'})
    clientB = new ApiClient(t.platform.url, userB.token)
    await deployFixture(t.client, appA, {web: 'node server.js'}, {SECRET_A, DATABASE_URL: ADDON_URL_A})
    await deployFixture(clientB, appB, {web: 'node server.js', worker: WORKER}, {SECRET_B, ...(t.platform.sandbox.enabled ? {SANDBOXED: '1'} : {})})
    ids.A = (await t.client.get(`/apps/${appA}`)).body.id
    ids.B = (await clientB.get(`/apps/${appB}`)).body.id
    expect((await clientB.get(`/apps/${appA}`)).status, 'B has no access to A\'s app through the API').to.be.oneOf([403, 404])
    await waitFor('A\'s web.1 up', async () => (await t.client.get(`/apps/${appA}/dynos`)).body[0]?.state === 'up', 15_000)
    expect((await viaRouter(t.routerUrl, appA, '/env?name=SECRET_A')).text).to.equal(SECRET_A)
  })

  after(async () => {
    victim?.kill('SIGKILL')
    if (t) {
      const {platform} = t
      await t.close()
      expect(dynoProcesses(platform), 'processes left after close()').to.deep.equal([])
    }

    for (const dir of cleanup) rmSync(dir, {recursive: true, force: true})
  })

  /** Runs `command` in a detached one-off dyno of `app` and returns what it printed (from the app's logs). */
  async function run(client: ApiClient, app: string, command: string, {wait = true} = {}): Promise<Run> {
    const created = await client.post(`/apps/${app}/dynos`, {command, attach: false})
    expect(created.status, created.text).to.equal(201)
    const {name} = created.body
    const appId = app === appA ? ids.A : ids.B
    const lines = () => t.platform.logs.recent(appId, 1500, {dyno: name}).map(l => l.text)
    if (wait) await waitFor(`${name} to finish`, () => lines().some(l => l.includes(`heroku[${name}]: Process exited with status`)), 20_000)
    const prefix = `app[${name}]: `
    const out = lines().filter(l => l.includes(prefix)).map(l => l.slice(l.indexOf(prefix) + prefix.length))
    return {name, lines: out, output: out.join('\n')}
  }

  const appLines = (appId: string, dyno: string): string[] => {
    const prefix = `app[${dyno}]: `
    return t.platform.logs.recent(appId, 1500, {dyno}).map(l => l.text).filter(l => l.includes(prefix)).map(l => l.slice(l.indexOf(prefix) + prefix.length))
  }

  it('the secrets are really there to steal: on the host, A\'s dyno and the platform\'s process carry them, the store holds A\'s config', () => {
    // without this, "B cannot see them" would prove nothing
    const a = dynoProcesses(t.platform, env => env.includes(`SECRET_A=${SECRET_A}`))
    expect(a.length, 'A\'s web dyno on the host, with its config in /proc/PID/environ').to.be.at.least(1)
    expect(readFileSync(`/proc/${victim.pid}/environ`, 'latin1')).to.contain(HOST_SECRET)
    const store = [DATABASE_FILE, `${DATABASE_FILE}-wal`].map(f => join(t.dataDir, f)).filter(f => existsSync(f)).map(f => readFileSync(f, 'latin1')).join('')
    expect(store, 'A\'s config in the platform\'s SQLite files').to.contain(SECRET_A)
    expect(readdirSync(join(t.dataDir, 'runtime', 'dynos')).length, 'A\'s dyno dir').to.be.at.least(1)
  })

  it('B\'s one-off sees only its own processes in /proc, and none of A\'s or the platform\'s environment', async function () {
    sandboxed(this)
    const listing = await run(clientB, appB, [
      // eslint-disable-next-line no-template-curly-in-string -- a shell parameter expansion, run by the dyno's sh
      'for p in /proc/[0-9]*; do echo "pid ${p#/proc/} uid $(stat -c %u $p) $(tr "\\0" " " < $p/cmdline 2>/dev/null | cut -c1-60)"; done',
      'echo "--- environ"',
      String.raw`cat /proc/*/environ 2>/dev/null | tr "\0" "\n"`,
      'echo "--- self"',
      String.raw`cat /proc/self/environ | tr "\0" "\n"`,
    ].join('; '))
    const pids = listing.lines.filter(l => l.startsWith('pid '))
    // bwrap's init, the dyno's shell and the loop's own children: a handful of small pids, none of the host's
    expect(pids.length, listing.output).to.be.within(1, 8)
    for (const line of pids) expect(Number(line.split(' ')[1]), line).to.be.below(50)
    expect(listing.output).to.not.contain('server.js')
    expect(listing.output).to.not.contain('sleep 300')
    expect(listing.output).to.not.contain(SECRET_A)
    expect(listing.output).to.not.contain(ADDON_URL_A)
    expect(listing.output).to.not.contain('a-db-password')
    expect(listing.output).to.not.contain(HOST_SECRET)
    expect(listing.output).to.not.contain('host-admin-password')
    expect(listing.output).to.not.contain('DYNO=web.1')
    // the command really read environments: its own shows B's config var
    const self = listing.lines.slice(listing.lines.indexOf('--- self'))
    expect(self).to.include(`SECRET_B=${SECRET_B}`)
    expect(self).to.include(`DYNO=${listing.name}`)
  })

  it('B\'s one-off finds neither the platform\'s data dir (SQLite, WAL, releases, other dynos\' dirs), nor the home, nor the CLI\'s credentials', async function () {
    sandboxed(this)
    const otherDynoDirs = readdirSync(join(t.dataDir, 'runtime', 'dynos')).map(d => join(t.dataDir, 'runtime', 'dynos', d))
    const paths = [
      t.dataDir, join(t.dataDir, DATABASE_FILE), join(t.dataDir, `${DATABASE_FILE}-wal`), join(t.dataDir, 'runtime', 'releases'),
      join(t.dataDir, 'runtime', 'dynos'), ...otherDynoDirs, join(t.dataDir, 'slugs'),
      homedir(), configDir(), join(configDir(), 'credentials.json'), cliDataDir(), '/root', join('/root', '.config', 'heroku-toolbelt'),
      process.cwd(), '/sys', '/var/run/postgresql', '/run',
    ]
    const probe = await run(clientB, appB, [
      ...paths.map(p => `if [ -e '${p}' ]; then echo 'VISIBLE ${p}'; ls -la '${p}' 2>&1 | head -5; else echo 'ABSENT ${p}'; fi`),
      `cat '${join(t.dataDir, DATABASE_FILE)}' '${join(t.dataDir, `${DATABASE_FILE}-wal`)}' 2>&1 | head -c 2000 | tr -cd "[:print:]\\n"`,
      `grep -rsl '${SECRET_A}' /app /tmp /dev/shm 2>/dev/null | sed 's/^/GREP /'`,
      'echo probe-done',
    ].join('\n'))
    expect(probe.lines).to.include('probe-done')
    for (const path of paths) expect(probe.lines, probe.output).to.include(`ABSENT ${path}`)
    expect(probe.output).to.not.match(/VISIBLE|GREP/)
    expect(probe.output).to.not.contain('SQLite format 3')
    expect(probe.output).to.not.contain(SECRET_A)
  })

  it('dynos run as an unprivileged user of their app\'s own: not root, and A\'s differs from B\'s', async function () {
    sandboxed(this)
    if (!isRoot) this.skip() // not root: every app runs as the platform's own user (no uid to switch to)
    const probe = 'id -u; id -g; grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status; echo "name=$(whoami)"'
    const [b, a] = await Promise.all([run(clientB, appB, probe), run(t.client, appA, probe)])
    const uidB = Number(b.lines[0])
    const uidA = Number(a.lines[0])
    expect(uidB, b.output).to.be.a('number').and.not.equal(0)
    expect(uidA, a.output).to.be.a('number').and.not.equal(0)
    expect(uidB).to.be.at.least(200_000)
    expect(uidA).to.not.equal(uidB)
    expect(Number(b.lines[1])).to.equal(uidB)
    // the user has a name (a shell prompt is not "I have no name!")
    expect(b.lines).to.include('name=dyno')
    for (const lines of [a.lines, b.lines]) {
      expect(lines).to.include('CapEff:\t0000000000000000')
      expect(lines).to.include('CapBnd:\t0000000000000000')
      expect(lines).to.include('NoNewPrivs:\t1')
    }

    // A's web dyno on the host: its uid, not root
    const pid = dynoProcesses(t.platform, env => env.includes(`SECRET_A=${SECRET_A}`)).find(p => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'node')
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1])
    expect(uid).to.equal(uidA)
  })

  it('the system is read-only, the dyno still runs normal commands (node, bash)', async function () {
    sandboxed(this)
    const probe = await run(clientB, appB, [
      `touch /usr/sandbox-test-${unique} 2>&1 || echo "usr refused"`,
      `touch /etc/sandbox-test-${unique} 2>&1 || echo "etc refused"`,
      `touch /bin/sandbox-test-${unique} 2>&1 || echo "bin refused"`,
      'node -e "console.log(\'node says\', 6 * 7)"',
      'bash -c \'echo "bash says $((6 * 7))"\'',
      'echo hi | sha256sum | cut -c1-8',
      'echo "hostname $(hostname)"',
      'echo "cwd $(pwd) home $HOME"',
    ].join('; '))
    expect(probe.lines, probe.output).to.include.members(['usr refused', 'etc refused', 'bin refused', 'node says 42', 'bash says 42', '98ea6e4f', `hostname ${probe.name}`, 'cwd /app home /app'])
    expect(probe.output).to.match(/Read-only file system|Permission denied/)
    expect(existsSync(`/usr/sandbox-test-${unique}`)).to.equal(false)
  })

  it('/app is writable, and what one dyno writes in /app or /tmp no other dyno sees: one-off next to one-off', async function () {
    sandboxed(this)
    const writer = await run(clientB, appB, 'echo secret-of-writer > /app/written && echo secret-of-writer > /tmp/written && cat /app/written /tmp/written && echo written; sleep 20', {wait: false})
    await waitFor('the writer wrote', () => appLines(ids.B, writer.name).includes('written'), 15_000)
    expect(appLines(ids.B, writer.name).filter(l => l === 'secret-of-writer')).to.have.length(2)
    // the writer still runs: a second one-off at the same time
    const reader = await run(clientB, appB, 'ls -a /app /tmp; cat /app/written /tmp/written 2>&1; echo read')
    expect(reader.lines).to.include('read')
    expect(reader.output).to.not.contain('secret-of-writer')
    expect(reader.output).to.match(/\/app\/written: No such file or directory/)
    expect(reader.output).to.match(/\/tmp\/written: No such file or directory/)
    // A's one-off neither
    const other = await run(t.client, appA, 'cat /app/written /tmp/written 2>&1; echo read')
    expect(other.output).to.not.contain('secret-of-writer')
  })

  it('what a dyno writes in $HOME (/app) and /tmp is its own (worker.1 vs worker.2) and gone after ps:restart', async () => {
    const scaled = await clientB.patch(`/apps/${appB}/formation`, {updates: [{type: 'worker', quantity: 2}]})
    expect(scaled.status, scaled.text).to.equal(200)
    const wrote = (dyno: string) => appLines(ids.B, dyno).filter(l => l.startsWith('wrote app mark'))
    await waitFor('both workers wrote', () => wrote('worker.1').length > 0 && wrote('worker.2').length > 0, 15_000)
    // give the second a moment: had they shared a directory, its listing would show the first's marks
    await new Promise(resolve => setTimeout(resolve, 300))
    const found = () => [...appLines(ids.B, 'worker.1'), ...appLines(ids.B, 'worker.2')].filter(l => l.startsWith('found'))
    expect(found()).to.deep.equal([])
    if (t.platform.sandbox.enabled) expect(appLines(ids.B, 'worker.1').some(l => l.startsWith('wrote tmp mark'))).to.equal(true)
    expect((await clientB.delete(`/apps/${appB}/dynos/worker.1`)).status).to.equal(202)
    await waitFor('worker.1 restarted and wrote again', () => wrote('worker.1').length >= 2, 15_000)
    expect(found(), 'a restarted dyno starts from the slug again: nothing of its earlier run').to.deep.equal([])
    await clientB.patch(`/apps/${appB}/formation`, {updates: [{type: 'worker', quantity: 0}]})
  })

  describe('a buildpack of B\'s', () => {
    let files: Server
    let base: string
    let pack: string
    let target: string

    before(async () => {
      const work = mkdtempSync(join(tmpdir(), 'sandbox-build-'))
      cleanup.push(work)
      // the buildpack is shown to the build read-only; the app's user must be able to read it
      chmodSync(work, 0o755)
      pack = join(work, 'pack')
      mkdirSync(join(pack, 'bin'), {recursive: true})
      const data = t.dataDir
      // A's build cache, next to B's in the data dir
      mkdirSync(join(data, 'cache', ids.A), {recursive: true})
      writeFileSync(join(data, 'cache', ids.A, 'cached'), SECRET_A)
      const scripts: Record<string, string> = {
        detect: '#!/bin/sh\necho "Attacker"\n',
        compile: `#!/bin/sh
echo "uid: $(id -u)"
echo "--- ls DATA"
ls -la '${data}' 2>&1
echo "--- ls DATA/builds DATA/cache"
ls '${data}/builds' '${data}/cache' 2>&1
echo "--- sqlite"
cat '${data}/${DATABASE_FILE}' 2>&1 | head -c 2000 | tr -cd "[:print:]\\n"
cat '${data}/${DATABASE_FILE}-wal' 2>&1 | head -c 2000 | tr -cd "[:print:]\\n"
echo "--- probes"
for f in '${data}/${DATABASE_FILE}' '${data}/${DATABASE_FILE}-wal' '${data}/runtime' '${data}/runtime/releases' '${data}/runtime/dynos' '${data}/slugs' '${data}/cache/${ids.A}' '${homedir()}' '${configDir()}' '${cliDataDir()}'; do
  if [ -e "$f" ]; then echo "VISIBLE $f"; else echo "ABSENT $f"; fi
done
echo "pids: $(ls -d /proc/[0-9]* | wc -l)"
cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c -e '${SECRET_A}' -e 'host-admin-password' | sed 's/^/secret lines: /'
touch /usr/sandbox-test-${unique} 2>/dev/null && echo "system writable" || echo "system read-only"
touch "$1/built-by-pack" && echo "build dir writable"
echo "compile done"
`,
        release: '#!/bin/sh\necho "---"\necho "default_process_types:"\necho "  web: node server.js"\n',
      }
      for (const [name, text] of Object.entries(scripts)) {
        writeFileSync(join(pack, 'bin', name), text)
        chmodSync(join(pack, 'bin', name), 0o755)
      }

      chmodSync(pack, 0o755)
      chmodSync(join(pack, 'bin'), 0o755)
      execFileSync('tar', ['-czf', join(work, 'source.tgz'), '-C', FIXTURE_APP, '.'])
      const tarball = readFileSync(join(work, 'source.tgz'))
      // a source archive whose only entry is a symbolic link to a directory of this machine (the
      // platform's own files: here a stand-in with a secret, readable by the platform's user only)
      target = join(work, 'host-dir')
      mkdirSync(join(target, 'sub'), {recursive: true})
      writeFileSync(join(target, 'Procfile'), 'web: node server.js\n')
      writeFileSync(join(target, 'sub', 'secret.txt'), SECRET_A)
      chmodSync(target, 0o700)
      mkdirSync(join(work, 'link-src'))
      execFileSync('ln', ['-s', target, join(work, 'link-src', 'app')])
      execFileSync('tar', ['-czf', join(work, 'link.tgz'), '-C', join(work, 'link-src'), 'app'])
      const linkTarball = readFileSync(join(work, 'link.tgz'))
      files = createServer((req, res) => {
        if (req.url === '/source.tgz') res.writeHead(200, {'Content-Type': 'application/gzip'}).end(tarball)
        else if (req.url === '/link.tgz') res.writeHead(200, {'Content-Type': 'application/gzip'}).end(linkTarball)
        else res.writeHead(404).end()
      })
      await new Promise<void>(resolve => files.listen(0, '127.0.0.1', resolve))
      base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`
    })

    after(async () => {
      await new Promise(resolve => files?.close(resolve))
    })

    it('cannot read the data dir, the home or other processes; runs as the app\'s user; writes only its build dir', async function () {
      const created = await clientB.post(`/apps/${appB}/builds`, {source_blob: {url: `${base}/source.tgz`, version: 'attack'}, buildpacks: [{url: pack}]})
      expect(created.status, created.text).to.equal(201)
      const output = await (await fetch(created.body.output_stream_url)).text()
      expect(output, output).to.contain('compile done')
      expect(output).to.contain('build dir writable')
      const build = await waitFor('the build to finish', async () => {
        const b = (await clientB.get(`/apps/${appB}/builds/${created.body.id}`)).body
        return b.status === 'pending' ? undefined : b
      }, 20_000)
      expect(build.status, output).to.equal('succeeded')
      if (!t.platform.sandbox.enabled) this.skip() // unconfined: the buildpack runs as the platform and can read everything
      const uid = Number(/uid: (\d+)/.exec(output)![1])
      if (isRoot) {
        expect(uid, 'the buildpack runs as the app\'s user').to.not.equal(0)
        const dyno = await run(clientB, appB, 'id -u')
        expect(dyno.lines[0], 'the same user as its dynos').to.equal(String(uid))
      }

      expect(output).to.contain('system read-only')
      expect(output).to.not.contain('VISIBLE')
      expect(output.match(/ABSENT /g)).to.have.length(10)
      expect(output).to.not.contain('SQLite format 3')
      expect(output).to.match(/platform\.sqlite3: No such file or directory/)
      expect(output).to.not.contain(SECRET_A)
      expect(output).to.contain(`ABSENT ${join(t.dataDir, 'cache', ids.A)}`)
      const caches = output.slice(output.indexOf('--- ls DATA/builds DATA/cache'), output.indexOf('--- sqlite'))
      expect(caches, 'only B\'s own cache').to.contain(ids.B).and.not.contain(ids.A)
      expect(output).to.contain('secret lines: 0')
      const pids = Number(/pids: (\d+)/.exec(output)![1])
      expect(pids).to.be.within(1, 8)
      // the data dir is only the scaffolding of B's own build dirs
      const listing = output.slice(output.indexOf('--- ls DATA'), output.indexOf('--- ls DATA/builds'))
      expect(listing).to.not.match(/platform\.sqlite3|runtime|slugs|repos/)
    })

    it('a source archive that is only a symbolic link to a directory of this machine builds nothing from it', async function () {
      sandboxed(this)
      const releases = (await clientB.get(`/apps/${appB}/releases`)).body.length
      const before = statSync(target)
      const created = await clientB.post(`/apps/${appB}/builds`, {source_blob: {url: `${base}/link.tgz`, version: 'link'}, buildpacks: [{url: pack}]})
      expect(created.status, created.text).to.equal(201)
      const output = await (await fetch(created.body.output_stream_url)).text()
      const build = await waitFor('the build to finish', async () => {
        const b = (await clientB.get(`/apps/${appB}/builds/${created.body.id}`)).body
        return b.status === 'pending' ? undefined : b
      }, 20_000)
      // the buildpack would get the host's directory as its (writable) build dir, and the slug,
      // packed by the platform, everything in it: the build stops before any buildpack runs
      expect(build.status, output).to.equal('failed')
      expect(build.slug).to.equal(null)
      expect(output).to.contain('symbolic link')
      expect(output).to.not.contain('compile done')
      expect(output).to.not.contain(SECRET_A)
      expect((await clientB.get(`/apps/${appB}/releases`)).body).to.have.length(releases)
      const after = statSync(target)
      expect({uid: after.uid, mode: after.mode}, 'the host directory is not handed to the app').to.deep.equal({uid: before.uid, mode: before.mode})
      expect(readFileSync(join(target, 'sub', 'secret.txt'), 'utf8')).to.equal(SECRET_A)
    })
  })

  it('a Node.js installed in the home does not show the home to dynos (node in ~/.local/bin, ~/bin or ~ itself)', async function () {
    const status = await detectSandbox()
    if (!status.enabled) this.skip()
    // outside /tmp (the sandbox's /tmp is its own): a home with the platform's data and the CLI's credentials in it
    const root = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'sandbox-home-'))
    cleanup.push(root)
    const home = join(root, 'home')
    const data = join(home, '.local', 'share', 'heroku-toolbelt')
    mkdirSync(data, {recursive: true})
    mkdirSync(join(home, '.config', 'heroku-toolbelt'), {recursive: true})
    mkdirSync(join(home, '.local', 'lib', 'node_modules', 'npm'), {recursive: true})
    writeFileSync(join(data, DATABASE_FILE), `SQLite format 3 ${SECRET_A}`)
    writeFileSync(join(home, '.config', 'heroku-toolbelt', 'credentials.json'), `{"token": "${SECRET_A}"}`)
    writeFileSync(join(home, '.local', 'lib', 'node_modules', 'npm', 'package.json'), '{"name": "npm"}')
    const credentials = join(home, '.config', 'heroku-toolbelt', 'credentials.json')
    // as the app's own user (a platform running as root) and as the platform's user (one that is not)
    const users = [{label: 'the app\'s user', status, uid: 200_000}, {label: 'the platform\'s user', status: {...status, separateUsers: false}, uid: undefined}]
    for (const node of [join(home, '.local', 'bin', 'node'), join(home, 'bin', 'node'), join(home, 'node')]) {
      mkdirSync(join(node, '..'), {recursive: true})
      writeFileSync(node, '#!/bin/sh\necho "node ran"\n')
      chmodSync(node, 0o755)
      for (const user of users) {
        const saved = {execPath: process.execPath, HOME: process.env.HOME}
        let command
        try {
          process.execPath = node
          process.env.HOME = home
          command = confine(user.status, {
            file: '/bin/sh', cwd: '/', uid: user.uid, hide: [data], binds: [],
            args: ['-c', `${node}; cat ${join(data, DATABASE_FILE)} ${credentials} 2>&1; echo "--- home"; ls -a ${home} 2>&1; echo sandboxed`],
          })
        } finally {
          process.execPath = saved.execPath
          process.env.HOME = saved.HOME
        }

        const what = `${node} as ${user.label}`

        const {stdout} = await execFileAsync(command.file, command.args, {encoding: 'utf8'}).catch(error => error as {stdout: string})
        expect(stdout, `${what}: ${stdout}`).to.contain('sandboxed')
        expect(stdout, `${what}: node still runs`).to.contain('node ran')
        expect(stdout, `${what}: the data dir or the credentials shown`).to.not.contain(SECRET_A)
        expect(stdout, `${what}: the data dir shown`).to.match(/platform\.sqlite3: No such file or directory/)
        expect(stdout, `${what}: the credentials shown`).to.match(/credentials\.json: No such file or directory/)
        const listed = stdout.slice(stdout.indexOf('--- home')).split('\n')
        expect(listed, `${what}: the home's config dir shown`).to.not.include('.config')
        if (node.includes('.local')) {
          // its installation is shown (npm next to node), without the data dir inside it

          const npm = await execFileAsync(command.file, [...command.args.slice(0, -1), `cat ${join(home, '.local', 'lib', 'node_modules', 'npm', 'package.json')}`])
          expect(npm.stdout).to.contain('"npm"')
        }
      }

      rmSync(node)
    }
  })
})

describe('sandbox: turned off', function () {
  this.timeout(60_000)
  let t: RuntimePlatform

  after(async () => {
    await t?.close()
  })

  it('the platform still runs dynos, and says why they are unconfined', async () => {
    t = await startRuntimePlatform({sandbox: 'off'})
    expect(t.platform.sandbox.enabled).to.equal(false)
    expect(t.platform.sandbox.separateUsers).to.equal(false)
    expect(t.platform.sandbox.reason).to.match(/turned off/).and.to.contain('HEROKU_PLATFORM_SANDBOX=off').and.to.match(/unconfined/)
    expect(t.serverLog.some(l => l.includes('no sandbox for dynos and builds') && l.includes('turned off'))).to.equal(true)
    await deployFixture(t.client, 'unconfined', {web: 'node server.js'}, {GREETING: 'hi'})
    await waitFor('web.1 up', async () => (await t.client.get('/apps/unconfined/dynos')).body[0]?.state === 'up', 15_000)
    expect((await viaRouter(t.routerUrl, 'unconfined', '/')).text).to.equal('hello from web.1\n')
    expect((await viaRouter(t.routerUrl, 'unconfined', '/env?name=HOME')).text).to.match(/runtime\/dynos\/[0-9a-f-]{36}$/)
    const appId: string = (await t.client.get('/apps/unconfined')).body.id
    const created = await t.client.post('/apps/unconfined/dynos', {command: 'echo "one-off uid $(id -u)"', attach: false})
    expect(created.status).to.equal(201)
    const line = await waitFor('one-off output', () => t.platform.logs.recent(appId, 100, {dyno: created.body.name}).find(l => l.text.includes(`app[${created.body.name}]: one-off uid`)))
    // unconfined: the platform's own user
    expect(line.text).to.match(new RegExp(`one-off uid ${process.getuid?.() ?? String.raw`\d+`}$`))
  })
})
