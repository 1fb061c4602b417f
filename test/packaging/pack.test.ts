import {expect} from 'chai'
import {execFileSync, spawnSync, type SpawnSyncReturns} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import {type AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'

// What `npm run pack` builds, used the ways a user installs it: the standalone tarball on a
// machine without node, the Homebrew formula's steps, npm install -g, and install.sh from a
// loopback HTTP server. The pack is built once (about a minute) and shared by every test here.
const root = process.cwd()
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {version: string}
const standaloneName = `heroku-toolbelt-v${pkg.version}-linux-x64.tar.xz`
const npmName = `heroku-toolbelt-${pkg.version}.tgz`

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')

/** A PATH with what the launcher and install.sh use, and no node at all. */
function pathWithoutNode(dir: string): string {
  const bin = join(dir, 'tools')
  mkdirSync(bin, {recursive: true})
  for (const tool of ['sh', 'dirname', 'readlink', 'uname', 'mktemp', 'grep', 'head', 'cut', 'rm', 'rmdir', 'mv', 'ln', 'mkdir', 'tar', 'xz', 'curl', 'sha256sum', 'cat']) {
    const found = ['/usr/bin', '/bin'].map(d => join(d, tool)).find(f => existsSync(f))
    if (found) symlinkSync(found, join(bin, tool))
  }

  return bin
}

/** A PATH with node, npm and sh only: no C/C++ compiler, make or python3 for node-gyp. */
function pathWithoutToolchain(dir: string): string {
  const bin = join(dir, 'no-toolchain')
  mkdirSync(bin, {recursive: true})
  const npm = execFileSync('sh', ['-c', 'command -v npm'], {encoding: 'utf8'}).trim()
  for (const [name, target] of [['node', process.execPath], ['npm', npm], ['sh', '/bin/sh']]) symlinkSync(target, join(bin, name))
  return bin
}

/**
 * What Homebrew's std_npm_args (Library/Homebrew/formula.rb → Language::Node.std_npm_install_args
 * in language/node.rb) does and returns: package.json without its prepare/prepack/postpack scripts,
 * the buildpath repacked by `npm pack --ignore-scripts`, libexec/lib made, and the arguments in
 * Homebrew's order. The one difference: --cache is npm's own cache here, not HOMEBREW_CACHE/npm_cache,
 * so the test downloads nothing twice.
 */
function stdNpmArgs(buildpath: string, libexec: string, {ignoreScripts}: {ignoreScripts: boolean}): string[] {
  const manifest = join(buildpath, 'package.json')
  const json = JSON.parse(readFileSync(manifest, 'utf8')) as {scripts?: Record<string, string>}
  const removed = ['prepare', 'prepack', 'postpack'].filter(script => json.scripts && script in json.scripts)
  for (const script of removed) delete json.scripts![script]
  if (removed.length > 0) writeFileSync(manifest, JSON.stringify(json, null, 2))
  const packed = execFileSync('npm', ['pack', '--ignore-scripts'], {cwd: buildpath, encoding: 'utf8', env: {...process.env, NPM_CONFIG_UPDATE_NOTIFIER: 'false'}, stdio: ['ignore', 'pipe', 'pipe']})
  const pack = packed.trim().split('\n').at(-1)!
  mkdirSync(join(libexec, 'lib'), {recursive: true}) // npm 7 requires that these dirs exist before install
  const cache = execFileSync('npm', ['config', 'get', 'cache'], {encoding: 'utf8'}).trim()
  const args = ['--loglevel=silly', '--global', '--build-from-source', '--min-release-age=1', `--cache=${cache}`]
  if (ignoreScripts) args.push('--ignore-scripts')
  args.push(`--prefix=${libexec}`, join(buildpath, pack))
  if (process.getuid?.() === 0) args.push('--unsafe-perm')
  return args
}

/** Every file and link under dir with its content hash: "nothing changed" is this, equal. */
function snapshot(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, {recursive: true, withFileTypes: true}).map(e => {
    const p = join(e.parentPath, e.name)
    if (e.isSymbolicLink()) return `${p} -> ${execFileSync('readlink', [p], {encoding: 'utf8'}).trim()}`
    return e.isFile() ? `${p} ${sha256(readFileSync(p))}` : `${p}/`
  }).sort()
}

describe('packaging: npm run pack and the ways to install what it builds', function () {
  this.timeout(300_000)
  let work: string
  let out: string
  let formulaFile: string
  let noNode: string

  before(() => {
    if (!existsSync(join(root, 'dist', 'commands'))) throw new Error('dist/ is missing: npm run build first (npm test does)')
    work = mkdtempSync(join(tmpdir(), 'heroku-pack-test-'))
    out = join(work, 'dist-pack')
    formulaFile = join(work, 'heroku-toolbelt.rb')
    const r = spawnSync(process.execPath, ['scripts/pack.mjs', '--skip-build', '--fast', '--out', out, '--formula', formulaFile], {encoding: 'utf8'})
    if (r.status !== 0) throw new Error(`npm run pack failed:\n${r.stdout}\n${r.stderr}`)
    noNode = pathWithoutNode(work)
    chmodSync(work, 0o755) // the no-permission test runs install.sh as nobody
  })

  after(() => {
    if (work) rmSync(work, {force: true, recursive: true})
  })

  describe('the pack', () => {
    it('has the npm tarball, the standalone tarball, install.sh and SHA256SUMS that verify them', () => {
      expect(readdirSync(out).sort()).to.deep.equal([standaloneName, 'SHA256SUMS', npmName, 'install.sh'].sort())
      const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8').trim().split('\n')
      expect(sums.map(l => l.split('  ')[1]).sort()).to.deep.equal([npmName, standaloneName, 'install.sh'].sort())
      for (const line of sums) {
        const [hash, file] = line.split('  ')
        expect(sha256(readFileSync(join(out, file))), file).to.equal(hash)
      }

      expect(spawnSync('sha256sum', ['-c', 'SHA256SUMS'], {cwd: out}).status).to.equal(0)
    })

    it('standalone: the official layout, production dependencies only, nothing an install never runs', () => {
      const dir = join(work, 'standalone')
      mkdirSync(dir)
      execFileSync('tar', ['-xJf', join(out, standaloneName), '-C', dir])
      const app = join(dir, 'heroku-toolbelt')
      for (const f of ['bin/heroku', 'bin/node', 'bin/run.js', 'package.json', 'oclif.manifest.json', 'dist/commands/apps/create.js', 'buildpacks/nodejs/bin/compile', 'autocomplete/bash/heroku', 'autocomplete/zsh/_heroku']) {
        expect(existsSync(join(app, f)), f).to.equal(true)
      }

      for (const dev of ['mocha', 'typescript', 'nock', 'tsx', 'oclif', 'esbuild']) expect(existsSync(join(app, 'node_modules', dev)), dev).to.equal(false)
      // libsql's prebuilt SQLite for the bundled (glibc) Node.js only; nothing compiled at install
      expect(readdirSync(join(app, 'node_modules', '@libsql'))).to.deep.equal(['linux-x64-gnu'])
      expect(existsSync(join(app, 'node_modules', 'libsql', 'index.js'))).to.equal(true)
      expect(existsSync(join(app, 'node_modules', 'better-sqlite3'))).to.equal(false)
      const leftovers = readdirSync(join(app, 'node_modules'), {recursive: true}).map(String).filter(f => /\.d\.ts$|\.map$/.test(f))
      expect(leftovers).to.deep.equal([])
    })

    it('npm tarball: the bundled build, depending only on the native modules; the oclif packages inside it', () => {
      const dir = join(work, 'npm-tarball')
      mkdirSync(dir)
      execFileSync('tar', ['-xzf', join(out, npmName), '-C', dir])
      const published = JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8')) as {bundleDependencies: string[], dependencies: Record<string, string>, devDependencies?: unknown}
      const bundled = ['@oclif/core', '@oclif/plugin-autocomplete', '@oclif/plugin-help', '@oclif/plugin-plugins']
      expect(published.bundleDependencies.sort()).to.deep.equal(bundled)
      expect(Object.keys(published.dependencies).sort()).to.deep.equal(['@napi-rs/keyring', ...bundled, 'libsql'].sort())
      expect(published.devDependencies).to.equal(undefined)
      const shipped = readdirSync(join(dir, 'package', 'node_modules'), {recursive: true}).map(String)
      expect(shipped.filter(f => !f.startsWith('@oclif'))).to.deep.equal([]) // no npm, no yarn: the npm on PATH installs plugins
      for (const name of bundled) {
        const pkg = JSON.parse(readFileSync(join(dir, 'package', 'node_modules', name, 'package.json'), 'utf8')) as {dependencies?: unknown}
        expect(pkg.dependencies, name).to.equal(undefined)
      }

      for (const plugin of bundled.slice(1)) expect(existsSync(join(dir, 'package', 'node_modules', plugin, 'oclif.manifest.json')), plugin).to.equal(true)
    })

    it('standalone: the core plugins are still plugins (heroku plugins --core), help reads the manifests, npm ships for plugins:install', () => {
      const dir = join(work, 'plugins-standalone')
      mkdirSync(dir)
      execFileSync('tar', ['-xJf', join(out, standaloneName), '-C', dir])
      const app = join(dir, 'heroku-toolbelt')
      const env = {HOME: dir, PATH: noNode, XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data')}
      const core = execFileSync(join(app, 'bin', 'heroku'), ['plugins', '--core'], {encoding: 'utf8', env})
      for (const plugin of ['@oclif/plugin-autocomplete', '@oclif/plugin-help', '@oclif/plugin-plugins']) expect(core).to.match(new RegExp(`${plugin} \\d+\\.\\d+\\.\\d+ \\(core\\)`))
      const help = execFileSync(join(app, 'bin', 'heroku'), ['plugins:install', '--help'], {encoding: 'utf8', env})
      expect(help).to.include('Installs a plugin into heroku')
      expect(execFileSync(join(app, 'bin', 'heroku'), ['apps:create', '--help'], {encoding: 'utf8', env})).to.include('create a new app')
      expect(existsSync(join(app, 'node_modules', 'npm', 'bin', 'npm-cli.js'))).to.equal(true)
      expect(existsSync(join(app, 'node_modules', 'yarn'))).to.equal(false)
      // a user plugin (with its own @oclif/core, as installed plugins have) links and runs
      const plugin = join(dir, 'heroku-hello')
      mkdirSync(join(plugin, 'commands'), {recursive: true})
      mkdirSync(join(plugin, 'node_modules', '@oclif'), {recursive: true})
      symlinkSync(join(root, 'node_modules', '@oclif', 'core'), join(plugin, 'node_modules', '@oclif', 'core'))
      writeFileSync(join(plugin, 'package.json'), JSON.stringify({dependencies: {'@oclif/core': '^4'}, name: 'heroku-hello', oclif: {commands: './commands'}, type: 'module', version: '1.0.0'}))
      // eslint-disable-next-line no-template-curly-in-string -- the plugin's JavaScript source, whose template literal the plugin evaluates
      writeFileSync(join(plugin, 'commands', 'hello.js'), "import {Command} from '@oclif/core'\nexport default class Hello extends Command {\n  static description = 'say hello'\n  async run() { this.log(`hello from ${this.config.bin}`) }\n}\n")
      const link = spawnSync(join(app, 'bin', 'heroku'), ['plugins:link', plugin], {encoding: 'utf8', env})
      expect(link.status, link.stderr).to.equal(0)
      expect(execFileSync(join(app, 'bin', 'heroku'), ['hello'], {encoding: 'utf8', env})).to.equal('hello from heroku\n')
      expect(execFileSync(join(app, 'bin', 'heroku'), ['plugins'], {encoding: 'utf8', env})).to.include('heroku-hello 1.0.0 (link)')
    })

    it('standalone: heroku --version and a real command run with no node on PATH', async () => {
      const dir = join(work, 'run-standalone')
      mkdirSync(dir)
      execFileSync('tar', ['-xJf', join(out, standaloneName), '-C', dir])
      const heroku = join(dir, 'heroku-toolbelt', 'bin', 'heroku')
      const env = {HOME: dir, PATH: noNode, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data')}
      expect(spawnSync('sh', ['-c', 'command -v node'], {env}).status).not.to.equal(0)
      const version = execFileSync(heroku, ['--version'], {encoding: 'utf8', env})
      expect(version).to.match(new RegExp(`^heroku-toolbelt/${pkg.version.replaceAll('.', String.raw`\.`)} linux-x64 node-v20\\.\\d+\\.\\d+\\n$`))
      // a command that loads oclif, the manifest and the API client, through a link as an install leaves it
      const server = createServer((req, res) => {
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({email: 'jane@example.com', id: 'acct-1'}))
      })
      await new Promise<void>(resolve => {
        server.listen(0, '127.0.0.1', resolve)
      })
      try {
        mkdirSync(join(dir, 'bin'))
        symlinkSync(heroku, join(dir, 'bin', 'heroku'))
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
        // the first command writes @oclif/core's V8 code cache into the user's cache dir; the second
        // runs from it (its commands still load through import())
        for (const run of ['compiles', 'from the code cache']) {
          const who = await spawnAsync(join(dir, 'bin', 'heroku'), ['whoami'], {...env, HEROKU_API_KEY: 't', HEROKU_API_URL: url})
          expect(who.status, `${run}: ${who.stderr}`).to.equal(0)
          expect(who.stdout).to.equal('jane@example.com\n')
          expect(who.stderr).to.equal('')
          expect(readdirSync(join(dir, '.cache', 'heroku-toolbelt', 'v8'))).to.have.lengthOf(1)
        }
      } finally {
        server.close()
      }
    })
  })

  describe('the Homebrew formula', () => {
    it('is valid Ruby, names the npm tarball by url and its sha256, and installs the Homebrew way', function () {
      if (spawnSync('ruby', ['--version']).error) this.skip() // .ci/run installs ruby
      const formula = readFileSync(formulaFile, 'utf8')
      const check = spawnSync('ruby', ['-c', formulaFile], {encoding: 'utf8'})
      expect(check.status, check.stderr).to.equal(0)
      expect(formula).to.match(new RegExp(`url "https://[^"]+/${npmName.replaceAll('.', String.raw`\.`)}"`))
      expect(/sha256 "([0-9a-f]{64})"/.exec(formula)?.[1]).to.equal(sha256(readFileSync(join(out, npmName))))
      expect(formula).to.include('depends_on "node"').and.include('system "npm", "install", *std_npm_args\n').and.include('bin.install_symlink libexec.glob("bin/*")')
      expect(formula).to.match(/test do[\s\S]+--version[\s\S]+end/)
    })

    it('its install steps, carried out on the npm tarball into a temporary prefix with no C toolchain, then its test do commands', function () {
      this.timeout(600_000)
      const formula = readFileSync(formulaFile, 'utf8')
      const prefix = join(work, 'Cellar', 'heroku-toolbelt', pkg.version)
      const libexec = join(prefix, 'libexec')
      // Homebrew's stage: the url's tarball unpacked, and its single top directory (package/) the buildpath
      const buildpath = join(work, 'brew-buildpath')
      mkdirSync(buildpath)
      execFileSync('tar', ['-xzf', join(out, npmName), '-C', buildpath, '--strip-components=1'])
      const path = pathWithoutToolchain(work)
      const env = {...process.env, NPM_CONFIG_UPDATE_NOTIFIER: 'false', PATH: path}
      expect(spawnSync('sh', ['-c', 'command -v cc || command -v gcc || command -v g++ || command -v make || command -v python3'], {env}).status).to.not.equal(0)
      const install = spawnSync(
        'npm', ['install', ...stdNpmArgs(buildpath, libexec, {ignoreScripts: !formula.includes('ignore_scripts: false')})],
        {cwd: buildpath, encoding: 'utf8', env, maxBuffer: 512 * 1024 * 1024},
      )
      expect(install.status, install.stderr.split('\n').filter(l => !l.includes(' silly ')).slice(-40).join('\n')).to.equal(0)
      expect(install.stderr).to.not.match(/gyp info|prebuild-install/) // nothing compiled, nothing fetched from outside the registry
      // bin.install_symlink libexec.glob("bin/*")
      mkdirSync(join(prefix, 'bin'))
      for (const f of readdirSync(join(libexec, 'bin'))) symlinkSync(join(libexec, 'bin', f), join(prefix, 'bin', f))
      // rm_r libexec.glob("lib/node_modules/heroku-toolbelt/node_modules/@libsql/*-musl*") if OS.linux?
      const tree = join(libexec, 'lib', 'node_modules', 'heroku-toolbelt')
      expect(formula).to.include('rm_r libexec.glob("lib/node_modules/heroku-toolbelt/node_modules/@libsql/*-musl*") if OS.linux?')
      const libsql = join(tree, 'node_modules', '@libsql')
      for (const musl of readdirSync(libsql).filter(d => d.includes('-musl'))) rmSync(join(libsql, musl), {recursive: true})
      expect(readdirSync(libsql)).to.deep.equal(['linux-x64-gnu'])
      const bin = join(prefix, 'bin')
      const {version} = pkg
      const runEnv = {...env, HOME: work, XDG_CONFIG_HOME: join(work, 'brew-config'), XDG_DATA_HOME: join(work, 'brew-data')}
      const asserts = [...formula.matchAll(/assert_match "([^"]+)", shell_output\("([^"]+)"\)/g)]
      expect(asserts).to.have.length.greaterThan(1)
      for (const [, expected, command] of asserts) {
        const argv = command.replaceAll('#{bin}', bin).split(' ')
        const r = spawnSync(argv[0], argv.slice(1), {encoding: 'utf8', env: runEnv})
        expect(r.status, `${command}: ${r.stderr}`).to.equal(0)
        expect(r.stdout, command).to.include(expected.replaceAll('#{version}', version))
      }

      // the completion steps: autocomplete:create into the cache dir the formula sets
      const completion = join(work, 'brew-completion')
      const created = spawnSync(join(bin, 'heroku'), ['autocomplete:create'], {encoding: 'utf8', env: {...runEnv, HEROKU_CACHE_DIR: completion}})
      expect(created.status, created.stderr).to.equal(0)
      for (const f of [/completion\/(autocomplete\/functions\/bash\/heroku\.bash)"/, /completion\/(autocomplete\/functions\/zsh\/_heroku)"/]) {
        const path = f.exec(formula)?.[1]
        expect(path, String(f)).to.be.a('string')
        expect(existsSync(join(completion, path!)), path).to.equal(true)
      }

      // npm's global install: what `npm install -g heroku-toolbelt-VERSION.tgz` leaves
      for (const dev of ['mocha', 'typescript', 'nock']) expect(existsSync(join(tree, 'node_modules', dev)), dev).to.equal(false)
    })
  })

  describe('install.sh, from a loopback HTTP server', () => {
    let server: Server
    let files: Map<string, Buffer>
    let base: string
    let prefix: string
    const tarball = () => readFileSync(join(out, standaloneName))
    const sums = (hash: string) => Buffer.from(`${hash}  ${standaloneName}\n`)

    before(async () => {
      server = createServer((req, res) => {
        const body = files.get(basename(req.url ?? ''))
        res.statusCode = body ? 200 : 404
        res.end(body ?? 'not found')
      })
      await new Promise<void>(resolve => {
        server.listen(0, '127.0.0.1', resolve)
      })
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/releases/v${pkg.version}`
    })

    after(() => {
      server?.close()
    })

    beforeEach(() => {
      files = new Map([[standaloneName, tarball()], ['SHA256SUMS', readFileSync(join(out, 'SHA256SUMS'))]])
      prefix = mkdtempSync(join(work, 'prefix-'))
    })

    const install = (opts: {asUser?: boolean, env?: NodeJS.ProcessEnv} = {}): Promise<SpawnSyncReturns<string>> => {
      const env = {HEROKU_TOOLBELT_DOWNLOAD_URL: base, HEROKU_TOOLBELT_PREFIX: prefix, HOME: work, PATH: noNode, ...opts.env}
      // as root every directory is writable: a user without permission is nobody
      if (opts.asUser) return spawnAsync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', join(out, 'install.sh')], {...env, PATH: `${noNode}:/usr/bin:/bin`})
      return spawnAsync('sh', [join(out, 'install.sh')], env)
    }

    it('fresh install into a user prefix: lib/heroku-toolbelt, bin/heroku, runs with no node', async () => {
      const r = await install()
      expect(r.status, r.stderr).to.equal(0)
      expect(execFileSync('readlink', [join(prefix, 'bin', 'heroku')], {encoding: 'utf8'}).trim()).to.equal(join(prefix, 'lib', 'heroku-toolbelt', 'bin', 'heroku'))
      expect(execFileSync(join(prefix, 'bin', 'heroku'), ['--version'], {encoding: 'utf8', env: {PATH: noNode}})).to.match(/^heroku-toolbelt\//)
      expect(r.stderr).to.include(`Installed heroku-toolbelt/${pkg.version}`).and.include('is not on your PATH')
      expect(readdirSync(join(prefix, 'lib'))).to.deep.equal(['heroku-toolbelt']) // no staging left behind
      const bash = readFileSync(join(prefix, 'share', 'bash-completion', 'completions', 'heroku'), 'utf8')
      expect(bash).to.include('complete -o default -F _heroku_autocomplete heroku').and.include('apps:create')
      expect(readFileSync(join(prefix, 'share', 'zsh', 'site-functions', '_heroku'), 'utf8')).to.include('#compdef heroku')
    })

    it('upgrade: replaces the older install whole, keeping the bin/heroku link', async () => {
      expect((await install()).status).to.equal(0)
      const lib = join(prefix, 'lib', 'heroku-toolbelt')
      writeFileSync(join(lib, 'from-the-old-version'), '')
      const installedPkg = JSON.parse(readFileSync(join(lib, 'package.json'), 'utf8'))
      writeFileSync(join(lib, 'package.json'), JSON.stringify({...installedPkg, version: '0.0.9'}))
      expect(execFileSync(join(prefix, 'bin', 'heroku'), ['--version'], {encoding: 'utf8'})).to.match(/^heroku-toolbelt\/0\.0\.9 /)
      const r = await install()
      expect(r.status, r.stderr).to.equal(0)
      expect(existsSync(join(lib, 'from-the-old-version'))).to.equal(false)
      expect(execFileSync(join(prefix, 'bin', 'heroku'), ['--version'], {encoding: 'utf8'})).to.include(`heroku-toolbelt/${pkg.version} `)
      expect(readdirSync(join(prefix, 'lib'))).to.deep.equal(['heroku-toolbelt'])
    })

    it('a corrupted tarball: refused before unpacking, nothing changed', async () => {
      expect((await install()).status).to.equal(0)
      const before = snapshot(prefix)
      const damaged = tarball()
      damaged[damaged.length >> 1] ^= 0xFF
      files.set(standaloneName, damaged)
      const r = await install()
      expect(r.status).to.equal(1)
      expect(r.stderr).to.include(`checksum mismatch for ${standaloneName}`).and.include('Nothing was changed.')
      expect(snapshot(prefix)).to.deep.equal(before)
    })

    it('a truncated tarball whose checksum matches: unpacking fails, nothing changed', async () => {
      const truncated = tarball().subarray(0, 1_000_000)
      files.set(standaloneName, truncated)
      files.set('SHA256SUMS', sums(sha256(truncated)))
      const r = await install()
      expect(r.status).to.equal(1)
      expect(r.stderr).to.include('could not be unpacked').and.include('Nothing was changed.')
      expect(snapshot(prefix)).to.deep.equal([])
    })

    it('a wrong checksum in SHA256SUMS: refused, nothing installed', async () => {
      files.set('SHA256SUMS', sums('0'.repeat(64)))
      const r = await install()
      expect(r.status).to.equal(1)
      expect(r.stderr).to.include(`SHA256SUMS says ${'0'.repeat(64)}`)
      expect(snapshot(prefix)).to.deep.equal([])
    })

    it('a failed download or an unknown platform: refused, nothing installed', async () => {
      files.delete(standaloneName)
      const r = await install()
      expect(r.status).to.equal(1)
      expect(r.stderr).to.include(`could not download ${base}/${standaloneName}`)
      const fake = join(work, 'fake-uname')
      mkdirSync(fake, {recursive: true})
      writeFileSync(join(fake, 'uname'), '#!/bin/sh\necho Plan9\n', {mode: 0o755})
      const odd = await install({env: {PATH: `${fake}:${noNode}`}})
      expect(odd.status).to.equal(1)
      expect(odd.stderr).to.include('no standalone build for Plan9')
      expect(snapshot(prefix)).to.deep.equal([])
    })

    it('no write permission: says how (sudo, or a user prefix), nothing changed', async function () {
      const root = process.getuid?.() === 0
      if (root && spawnSync('setpriv', ['--version']).error) this.skip() // .ci/run installs util-linux
      chmodSync(prefix, 0o555)
      try {
        const r = await install({asUser: root})
        expect(r.status, r.stderr).to.equal(1)
        expect(r.stderr).to.include(`cannot write to ${prefix}/lib`).and.include('HEROKU_TOOLBELT_PREFIX=~/.local')
        expect(snapshot(prefix)).to.deep.equal([])
      } finally {
        chmodSync(prefix, 0o755)
      }
    })
  })
})

/** Like spawnSync, without blocking the loopback server this process runs. */
function spawnAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<SpawnSyncReturns<string>> {
  return new Promise((resolve, reject) => {
    import('node:child_process').then(({spawn}) => {
      const child = spawn(cmd, args, {env, stdio: ['ignore', 'pipe', 'pipe']})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', d => {
        stdout += d
      })
      child.stderr.on('data', d => {
        stderr += d
      })
      child.once('error', reject)
      child.once('close', status => resolve({output: [], pid: child.pid ?? 0, signal: null, status, stderr, stdout}))
    }, reject)
  })
}
