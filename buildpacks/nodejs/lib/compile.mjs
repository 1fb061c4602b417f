// Installs a Node.js app's dependencies with this machine's npm:
//   - no dependencies at all: nothing to install (and npm is not even started);
//   - a lockfile: `npm ci --omit=dev`, else `npm install --omit=dev`;
//   - npm's cache lives in CACHE_DIR/npm, and node_modules is kept in CACHE_DIR/node_modules
//     with a key of (node version, dependencies, lockfile): when the key matches, the cached
//     node_modules is copied in and npm does not run at all, so a code-only change rebuilds fast;
//   - runs the heroku-postbuild (or build) script when package.json has one;
//   - writes .profile.d/nodejs.sh so dynos find this node and node_modules/.bin.
// Config vars from ENV_DIR are exported to npm and the scripts (as the Heroku buildpack does).
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

const [buildDir, cacheDir, envDir] = process.argv.slice(2)
const step = text => console.log(`-----> ${text}`)
const detail = text => console.log(`       ${text}`)
const fail = text => {
  console.log(` !     ${text}`)
  process.exit(1)
}

let pkg
try {
  pkg = JSON.parse(readFileSync(join(buildDir, 'package.json'), 'utf8'))
} catch (error) {
  fail(`package.json is not valid JSON: ${error.message}`)
}

const IGNORED_ENV = new Set(['PATH', 'GIT_DIR', 'CPATH', 'CPPATH', 'LD_PRELOAD', 'LIBRARY_PATH', 'LD_LIBRARY_PATH', 'HOME', 'PWD'])
// npm's "new version available" notice is about this machine's npm, not the app: not build output
const env = {...process.env, NODE_ENV: 'production', NPM_CONFIG_UPDATE_NOTIFIER: 'false'}
if (envDir && existsSync(envDir)) {
  for (const name of readdirSync(envDir)) {
    if (!IGNORED_ENV.has(name)) env[name] = readFileSync(join(envDir, name), 'utf8')
  }
}

const nodeVersion = process.version
step('Using this machine\'s Node.js')
detail(`node ${nodeVersion}, npm ${npmVersion()}`)
if (pkg.engines?.node) detail(`package.json asks for node ${pkg.engines.node}; this platform runs every app on node ${nodeVersion}`)

const lockfile = ['npm-shrinkwrap.json', 'package-lock.json'].find(f => existsSync(join(buildDir, f)))
const dependencies = {...pkg.dependencies, ...pkg.optionalDependencies}
const nodeModules = join(buildDir, 'node_modules')
const cachedModules = join(cacheDir, 'node_modules')
const cacheKeyFile = join(cacheDir, 'node_modules.key')

step('Installing dependencies')
if (Object.keys(dependencies).length === 0) {
  detail('No dependencies in package.json: nothing to install')
} else {
  const key = createHash('sha256')
    .update(JSON.stringify([nodeVersion, dependencies, pkg.overrides ?? null, lockfile ? readFileSync(join(buildDir, lockfile), 'utf8') : null]))
    .digest('hex')
  const cachedKey = existsSync(cacheKeyFile) ? readFileSync(cacheKeyFile, 'utf8').trim() : undefined
  if (cachedKey === key && existsSync(cachedModules)) {
    detail('package.json and lockfile unchanged: reusing the cached node_modules')
    rmSync(nodeModules, {recursive: true, force: true})
    run('cp', ['-a', '--reflink=auto', cachedModules, nodeModules], 'restoring node_modules from the cache')
  } else {
    const npmCache = join(cacheDir, 'npm')
    const common = ['--omit=dev', '--cache', npmCache, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']
    if (lockfile) {
      detail(`Installing with npm ci (${lockfile})`)
      run('npm', ['ci', ...common], 'npm ci')
    } else {
      if (existsSync(cachedModules) && !existsSync(nodeModules)) {
        detail('Restoring node_modules from the previous build')
        run('cp', ['-a', '--reflink=auto', cachedModules, nodeModules], 'restoring node_modules from the cache')
      }
      detail('Installing with npm install (no lockfile)')
      run('npm', ['install', ...common], 'npm install')
    }
    rmSync(cachedModules, {recursive: true, force: true})
    rmSync(cacheKeyFile, {force: true})
    if (existsSync(nodeModules)) {
      run('cp', ['-a', '--reflink=auto', nodeModules, cachedModules], 'caching node_modules')
      writeFileSync(cacheKeyFile, `${key}\n`)
    }
  }
}

const buildScript = pkg.scripts?.['heroku-postbuild'] ? 'heroku-postbuild' : pkg.scripts?.build ? 'build' : undefined
if (buildScript) {
  step(`Running npm run ${buildScript}`)
  run('npm', ['run', buildScript], `npm run ${buildScript}`)
}

mkdirSync(join(buildDir, '.profile.d'), {recursive: true})
writeFileSync(join(buildDir, '.profile.d', 'nodejs.sh'), [
  '# written by the heroku/nodejs buildpack; sourced with the app dir as the current directory',
  `export PATH="$PWD/node_modules/.bin:${dirname(process.execPath)}:$PATH"`,
  'export NODE_ENV="${NODE_ENV:-production}"',
  '',
].join('\n'))

function run(command, args, what) {
  const result = spawnSync(command, args, {cwd: buildDir, env, stdio: ['ignore', 'inherit', 'inherit']})
  if (result.error) fail(`${what} could not start: ${result.error.message}`)
  if (result.status !== 0) fail(`${what} failed (exit ${result.status ?? result.signal})`)
}

/** read from npm's package.json next to node: running `npm --version` costs a few hundred ms */
function npmVersion() {
  try {
    return JSON.parse(readFileSync(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'package.json'), 'utf8')).version
  } catch {
    return 'unknown'
  }
}
