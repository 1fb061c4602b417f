#!/usr/bin/env node
// Install cost, for the release note (prints figures, asserts nothing): the size and file count
// of an npm global install, of the unpacked standalone tarball and of the tarballs themselves;
// install times (npm install -g; install.sh from a loopback server); and the standalone
// install's `heroku --version` and `heroku whoami` wall time beside `node -e 0`, in one run.
// Uses dist-pack/ as `npm run pack` left it.
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {basename, dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist-pack')
const {version} = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const npmTarball = join(out, `heroku-toolbelt-${version}.tgz`)
const standalone = join(out, `heroku-toolbelt-v${version}-linux-x64.tar.xz`)
if (!existsSync(npmTarball) || !existsSync(standalone)) {
  console.error('dist-pack/ has no tarballs: run npm run pack first.')
  process.exit(1)
}

const work = mkdtempSync(join(tmpdir(), 'heroku-bench-install-'))
const mb = bytes => `${(bytes / 1e6).toFixed(1)} MB`

function tree(dir) {
  let bytes = 0
  let files = 0
  for (const e of readdirSync(dir, {recursive: true, withFileTypes: true})) {
    if (!e.isFile()) continue
    bytes += statSync(join(e.parentPath, e.name)).size
    files++
  }

  return `${mb(bytes)} in ${files} files`
}

function timed(fn) {
  const t = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - t) / 1e9
}

try {
  console.log(`npm tarball         ${mb(statSync(npmTarball).size)}`)
  console.log(`standalone tarball  ${mb(statSync(standalone).size)}`)

  const npmPrefix = join(work, 'npm')
  const npmSeconds = timed(() => execFileSync(
    'npm', ['install', '-g', `--prefix=${npmPrefix}`, '--no-audit', '--no-fund', '--loglevel=error', npmTarball],
    {env: {...process.env, NPM_CONFIG_UPDATE_NOTIFIER: 'false'}, stdio: 'ignore'},
  ))
  console.log(`npm install -g      ${tree(npmPrefix)}; ${npmSeconds.toFixed(1)} s (npm's cache warm; nothing compiled: libsql's SQLite comes prebuilt)`)

  const files = new Map([basename(standalone), 'SHA256SUMS', 'install.sh'].map(f => [f, readFileSync(join(out, f))]))
  const server = createServer((req, res) => {
    const body = files.get(basename(req.url))
    res.statusCode = body ? 200 : 404
    res.end(body ?? '')
  })
  await new Promise(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const base = `http://127.0.0.1:${server.address().port}`
  const prefix = join(work, 'standalone')
  const shSeconds = await new Promise((resolve, reject) => {
    const t = process.hrtime.bigint()
    import('node:child_process').then(({spawn}) => {
      const child = spawn('sh', [join(out, 'install.sh')], {env: {...process.env, HEROKU_TOOLBELT_DOWNLOAD_URL: base, HEROKU_TOOLBELT_PREFIX: prefix}, stdio: 'ignore'})
      child.once('close', code => (code === 0 ? resolve(Number(process.hrtime.bigint() - t) / 1e9) : reject(new Error(`install.sh exited ${code}`))))
    })
  })
  console.log(`install.sh          ${tree(join(prefix, 'lib', 'heroku-toolbelt'))} unpacked; ${shSeconds.toFixed(1)} s (loopback download, checksum, unpack)`)

  // whoami against a loopback API (a child process: spawnSync below blocks this one)
  const apiChild = (await import('node:child_process')).spawn(process.execPath, ['-e', 'require(\'http\').createServer((q, s) => { s.setHeader(\'content-type\', \'application/json\'); s.end(\'{"email":"jane@example.com","id":"acct-1"}\') }).listen(0, \'127.0.0.1\', function () { console.log(this.address().port) })'], {stdio: ['ignore', 'pipe', 'inherit']})
  const port = await new Promise(resolve => {
    apiChild.stdout.once('data', d => resolve(String(d).trim()))
  })
  const heroku = join(prefix, 'bin', 'heroku')
  const env = {...process.env, HEROKU_API_KEY: 't', HEROKU_API_URL: `http://127.0.0.1:${port}`, HOME: work, XDG_CONFIG_HOME: join(work, 'config')}
  const runs = 15
  const median = (cmd, args, extraEnv = {}) => {
    const times = []
    for (let i = 0; i < runs; i++) {
      const t = process.hrtime.bigint()
      const r = spawnSync(cmd, args, {env: {...env, ...extraEnv}, stdio: 'ignore'})
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`)
      times.push(Number(process.hrtime.bigint() - t) / 1e6)
    }

    return times.sort((a, b) => a - b)[runs >> 1]
  }

  const bundledNode = join(prefix, 'lib', 'heroku-toolbelt', 'bin', 'node')
  const base0 = median(bundledNode, ['-e', '0'])
  const versionMs = median(heroku, ['--version'])
  // the first command of an install compiles @oclif/core and writes its V8 code cache; the rest read it
  const first = process.hrtime.bigint()
  spawnSync(heroku, ['whoami'], {env, stdio: 'ignore'})
  const firstMs = Number(process.hrtime.bigint() - first) / 1e6
  const whoamiMs = median(heroku, ['whoami'])
  const uncachedMs = median(heroku, ['whoami'], {HEROKU_CODE_CACHE: '0'})
  apiChild.kill()
  server.close()
  console.log(`startup (median of ${runs}, the standalone install, its bundled node):`)
  console.log(`  node -e 0          ${base0.toFixed(0)} ms`)
  console.log(`  heroku --version   ${versionMs.toFixed(0)} ms  (${(versionMs / base0).toFixed(2)}×)`)
  console.log(`  heroku whoami      ${whoamiMs.toFixed(0)} ms  (${(whoamiMs / base0).toFixed(2)}×)`)
  console.log(`    without the code cache (HEROKU_CODE_CACHE=0) ${uncachedMs.toFixed(0)} ms (${(uncachedMs / base0).toFixed(2)}×); the install's first command, writing it, ${firstMs.toFixed(0)} ms`)
} finally {
  rmSync(work, {force: true, recursive: true})
}
