import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

// packaging/runtime/code-cache.cjs, which loads the bundled @oclif/core of an install: each case
// is a fresh node process, as each command is.
const loader = join(process.cwd(), 'packaging', 'runtime', 'code-cache.cjs')

describe('packaging: the V8 code cache of the bundled @oclif/core', () => {
  let dir: string
  let cache: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'code-cache-'))
    cache = join(dir, 'cache')
    // a CommonJS bundle as scripts/bundle.mjs leaves it: its import() goes through __herokuImport
    writeFileSync(join(dir, 'bundle.cjs'), [
      "const {basename} = require('node:path')",
      'exports.file = basename(__filename)',
      'exports.same = () => require(__filename) === module.exports',
      'exports.load = url => __herokuImport(url)',
    ].join('\n'))
    writeFileSync(join(dir, 'command.mjs'), 'export const name = "whoami"\n')
    writeFileSync(join(dir, 'main.mjs'), [
      "import {createRequire} from 'node:module'",
      `const {loadWithCodeCache} = createRequire(import.meta.url)(${JSON.stringify(loader)})`,
      "const {exports: core, status} = loadWithCodeCache(new URL('bundle.cjs', import.meta.url).pathname, {importModule: s => import(s), name: 'heroku-toolbelt', sourceHash: 'abc123'})",
      "const {name} = await core.load(new URL('command.mjs', import.meta.url).href)",
      'console.log(JSON.stringify({file: core.file, name, same: core.same(), status}))',
    ].join('\n'))
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  function run(env: Record<string, string> = {}) {
    const r = spawnSync(process.execPath, [join(dir, 'main.mjs')], {encoding: 'utf8', env: {HEROKU_CACHE_DIR: cache, HOME: dir, PATH: process.env.PATH, ...env}})
    expect(r.stderr).to.equal('')
    expect(r.status).to.equal(0)
    const out = JSON.parse(r.stdout) as {file: string, name: string, same: boolean, status: string}
    expect(out).to.deep.include({file: 'bundle.cjs', name: 'whoami', same: true})
    return out.status
  }

  const cacheFiles = () => (existsSync(join(cache, 'v8')) ? readdirSync(join(cache, 'v8')) : [])

  it('is written by the first run, named by content and Node version, and used by the next', () => {
    expect(run()).to.equal('written')
    expect(cacheFiles()).to.deep.equal([`abc123-${process.version}-${process.arch}.bin`])
    expect(run()).to.equal('used')
    expect(run()).to.equal('used')
  })

  it('a damaged cache is rejected, the module still runs, and the cache is written again', () => {
    run()
    const file = join(cache, 'v8', cacheFiles()[0])
    const good = readFileSync(file)
    // the header V8 checks, its code of the same length (V8 would run it: a crash), and a short file
    const damages = [
      (d: Buffer) => d.fill(7, 16, 200),
      (d: Buffer) => d.fill(0x5A, d.length >> 1, (d.length >> 1) + 400),
      (d: Buffer) => d.subarray(0, 20),
    ]
    for (const damage of damages) {
      writeFileSync(file, damage(Buffer.from(good)))
      expect(run()).to.equal('rejected')
      expect(run()).to.equal('used')
    }
  })

  it('another version\'s data (V8 refuses it) is rejected and written again', () => {
    run()
    const file = join(cache, 'v8', cacheFiles()[0])
    // a valid digest over data V8 will not take: what an older node would have left under this name
    const data = Buffer.from('not V8 code cache data at all')
    writeFileSync(file, Buffer.concat([createHash('sha256').update(data).digest(), data]))
    expect(run()).to.equal('rejected')
    expect(run()).to.equal('used')
  })

  it('a cache dir it cannot write costs nothing but the cache', () => {
    if (process.getuid?.() === 0) {
      // root writes anywhere: a file where the directory should be stops it instead
      writeFileSync(cache, 'not a directory')
    } else {
      chmodSync(dir, 0o500)
    }

    expect(run()).to.equal('written')
    expect(run()).to.equal('written')
    chmodSync(dir, 0o700)
  })

  it('a user with no HOME and no passwd entry (os.homedir() throws) runs without a cache', function () {
    if (process.getuid?.() !== 0 || !existsSync('/usr/bin/setpriv')) this.skip()
    chmodSync(dir, 0o755)
    const r = spawnSync('/usr/bin/setpriv', ['--reuid', '54321', '--regid', '54321', '--clear-groups', process.execPath, join(dir, 'main.mjs')], {encoding: 'utf8', env: {PATH: process.env.PATH}})
    expect(r.stderr).to.equal('')
    expect(JSON.parse(r.stdout)).to.deep.include({name: 'whoami', status: 'off'})
  })

  it('HEROKU_CODE_CACHE=0 turns it off', () => {
    expect(run({HEROKU_CODE_CACHE: '0'})).to.equal('off')
    expect(cacheFiles()).to.deep.equal([])
  })

  it('without HEROKU_CACHE_DIR it lives in XDG_CACHE_HOME, else ~/.cache', () => {
    run({HEROKU_CACHE_DIR: '', XDG_CACHE_HOME: join(dir, 'xdg')})
    expect(readdirSync(join(dir, 'xdg', 'heroku-toolbelt', 'v8'))).to.have.lengthOf(1)
    run({HEROKU_CACHE_DIR: ''})
    expect(readdirSync(join(dir, '.cache', 'heroku-toolbelt', 'v8'))).to.have.lengthOf(1)
  })
})
