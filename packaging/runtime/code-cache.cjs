// Shipped beside the bundled @oclif/core (scripts/bundle.mjs): loads that one large CommonJS
// file with a V8 code cache, so that every command after the first skips parsing and compiling
// it (~25 ms of each command's start-up). Node 20 has no compile cache of its own
// (module.enableCompileCache is Node 22). The cache is one file in the user's cache directory per
// bundle content and Node version, written once, at the exit of a run that had none, so that it
// also holds the functions that run compiled. Whatever is wrong with it (unreadable, corrupt,
// from another V8) costs only the compile it would have saved: the file carries the SHA-256 of
// its data, checked before V8 sees it (V8 checks only a header, and runs damaged code of the right
// length), V8 rejects data from another version, and a cache that cannot be written is not.
'use strict'
const {createHash, randomUUID} = require('node:crypto')
const {mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} = require('node:fs')
const Module = require('node:module')
const {homedir} = require('node:os')
const {dirname, join} = require('node:path')
const vm = require('node:vm')

/** The CLI's cache directory, as oclif names it: HEROKU_CACHE_DIR, else the user's cache dir. */
function cacheDir(name, env = process.env) {
  if (env.HEROKU_CACHE_DIR) return env.HEROKU_CACHE_DIR
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', name)
  if (process.platform === 'win32') return join(env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local'), name)
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), name)
}

/**
 * Runs `file` as a CommonJS module (registered in require.cache like any other) and returns
 * {exports, status}. `sourceHash` names the file's content; `importModule` is what the file's
 * dynamic imports call (the bundle names it `__herokuImport`): code compiled by node:vm has no
 * import() of its own without --experimental-vm-modules. `status` says what the cache did:
 * 'used', 'written' (at exit: there was none), 'rejected' (rewritten at exit) or 'off'
 * (HEROKU_CODE_CACHE=0).
 */
function loadWithCodeCache(file, {env = process.env, importModule, name, sourceHash}) {
  const source = readFileSync(file, 'utf8')
  const cacheFile = env.HEROKU_CODE_CACHE === '0' ? undefined : cacheFileFor(name, sourceHash, env)
  let cachedData
  let damaged = false
  if (cacheFile) {
    try {
      cachedData = verified(readFileSync(cacheFile))
      damaged = cachedData === undefined
    } catch {
      // none yet (or unreadable): compiled from source, and written at exit
    }
  }

  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __herokuImport) {${source}\n})`, {cachedData, filename: file})
  let status = 'off'
  if (cacheFile) status = damaged || script.cachedDataRejected ? 'rejected' : (cachedData === undefined ? 'written' : 'used')
  if (status === 'written' || status === 'rejected') process.once('exit', () => writeCache(cacheFile, script))

  const mod = new Module(file, module)
  mod.filename = file
  mod.paths = Module._nodeModulePaths(dirname(file))
  require.cache[file] = mod
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file), importModule)
  mod.loaded = true
  return {exports: mod.exports, status}
}

/** Where this bundle's cache lives, or undefined where there is no home to keep it in. */
function cacheFileFor(name, sourceHash, env) {
  let dir
  try {
    dir = cacheDir(name, env)
  } catch {
    // os.homedir() throws for a user with no HOME and no passwd entry: no cache, no failure
  }

  return dir && join(dir, 'v8', `${sourceHash}-${process.version}-${process.arch}.bin`)
}

const DIGEST_BYTES = 32

/** The data of a cache file whose SHA-256 (its first 32 bytes) matches, else undefined. */
function verified(file) {
  const data = file.subarray(DIGEST_BYTES)
  return file.length > DIGEST_BYTES && createHash('sha256').update(data).digest().equals(file.subarray(0, DIGEST_BYTES)) ? data : undefined
}

/**
 * Written whole or not at all: a file of its own (pid and a random name: two containers sharing a
 * home may share a pid), then a rename, so a parallel command never reads half a cache.
 */
function writeCache(cacheFile, script) {
  const partial = `${cacheFile}.${process.pid}.${randomUUID()}`
  try {
    mkdirSync(dirname(cacheFile), {recursive: true})
    const data = script.createCachedData()
    writeFileSync(partial, Buffer.concat([createHash('sha256').update(data).digest(), data]), {flag: 'wx'})
    renameSync(partial, cacheFile)
  } catch {
    // a read-only or full cache dir: the next run compiles again, nothing else changes
    try {
      rmSync(partial, {force: true})
    } catch {
      // nothing was written
    }
  }
}

module.exports = {cacheDir, loadWithCodeCache}
