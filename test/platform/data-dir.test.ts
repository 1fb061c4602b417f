// The data dir is the platform user's alone: after a start and a deploy, every directory under
// it is 0700 and no file has group or other bits (0600, 0700 if executable, 0400 if read-only),
// SQLite's -wal/-shm and slugs included;
// a data dir made with looser modes is tightened at start.
import {expect} from 'chai'
import {chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'

import {ensurePlatformOwner} from '../../src/lib/platform/accounts.js'
import {tightenDataDir} from '../../src/platform/data-dir.js'
import {type PlatformProcess, startPlatformProcess} from '../helpers/platform-process.js'
import {authedUrl, createAppRepo, runGit, tempHome} from './fixtures/deploy/git.js'
import {waitFor} from './fixtures/runtime/helpers.js'
import {ApiClient} from './helpers.js'

const NODE_APP = {
  'package.json': JSON.stringify({name: 'modes', version: '1.0.0', scripts: {start: 'node server.js'}}),
  'server.js': "require('node:http').createServer((req, res) => res.end('hi\\n')).listen(process.env.PORT)\n",
}

/** Every entry under `root` (root included) that is not a symlink, with its permission bits. */
function modes(root: string): Map<string, {dir: boolean, mode: number}> {
  const out = new Map<string, {dir: boolean, mode: number}>()
  const walk = (path: string): void => {
    const stats = lstatSync(path, {throwIfNoEntry: false})
    if (stats === undefined || stats.isSymbolicLink()) return
    out.set(relative(root, path) || '.', {mode: stats.mode & 0o777, dir: stats.isDirectory()})
    if (stats.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name))
  }

  walk(root)
  return out
}

function loose(root: string): string[] {
  const bad: string[] = []
  for (const [path, {mode, dir}] of modes(root)) {
    // files: nothing for group or other (git's objects are 0444 → 0400, executables 0700)
    const ok = dir ? mode === 0o700 : (mode & 0o077) === 0
    if (!ok) bad.push(`${path} ${mode.toString(8)}`)
  }

  return bad
}

const octal = (path: string): string => (statSync(path).mode & 0o777).toString(8)

describe('platform: data dir modes', function () {
  this.timeout(90_000)
  const cleanup: string[] = []
  let running: PlatformProcess | undefined
  // the CLI's own umask is the user's: what it creates (the store, on first start) is 0644
  let umask: number

  before(() => {
    umask = process.umask(0o022)
  })

  afterEach(async () => {
    await running?.stop()
    running = undefined
  })

  after(() => {
    process.umask(umask)
    for (const dir of cleanup) rmSync(dir, {recursive: true, force: true})
  })

  it('a fresh data dir: after a git push deploy, 0700 directories and 0600 files throughout', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'modes-test-'))
    cleanup.push(parent)
    const dataDir = join(parent, 'data')
    const owner = await ensurePlatformOwner(dataDir, 'modes@example.com', 'correct horse battery')
    running = await startPlatformProcess(dataDir)
    const client = new ApiClient(running.state.url, owner.token!)
    const app = await client.post('/apps', {name: 'modes-app'})
    expect(app.status, app.text).to.equal(201)
    const home = tempHome()
    cleanup.push(home)
    const repo = await createAppRepo(home, NODE_APP, parent)
    const push = await runGit(['push', authedUrl(app.body.git_url, owner.token!), 'main'], {cwd: repo, home})
    expect(push.code, push.output).to.equal(0)
    await waitFor('web.1 up', async () => (await client.get('/apps/modes-app/dynos')).body[0]?.state === 'up', 30_000, 100)
    rmSync(repo, {recursive: true, force: true})

    const entries = modes(dataDir)
    for (const name of ['platform.sqlite3', 'platform.sqlite3-wal', 'platform.sqlite3-shm', 'platform.pid', 'platform.json']) {
      expect(entries.get(name)?.mode.toString(8), name).to.equal('600')
    }

    const slugs = [...entries.keys()].filter(p => p.startsWith('slugs/') && p.endsWith('.tgz'))
    expect(slugs).to.have.length(1)
    for (const dir of ['.', 'slugs', 'cache', 'runtime']) expect(entries.get(dir)?.mode.toString(8), dir).to.equal('700')
    expect(loose(dataDir)).to.deep.equal([])
  })

  it('an existing data dir with 0755 and 0644 entries is tightened at start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'modes-test-'))
    cleanup.push(dataDir)
    await ensurePlatformOwner(dataDir, 'modes@example.com', 'correct horse battery')
    chmodSync(dataDir, 0o755)
    chmodSync(join(dataDir, 'platform.sqlite3'), 0o644)
    writeFileSync(join(dataDir, 'notes.txt'), 'left by hand\n', {mode: 0o644})
    mkdirSync(join(dataDir, 'cache', 'app', 'bin'), {recursive: true, mode: 0o755})
    writeFileSync(join(dataDir, 'cache', 'app', 'bin', 'tool'), '#!/bin/sh\n', {mode: 0o755})
    running = await startPlatformProcess(dataDir)
    expect(octal(dataDir)).to.equal('700')
    expect(octal(join(dataDir, 'platform.sqlite3'))).to.equal('600')
    expect(octal(join(dataDir, 'notes.txt'))).to.equal('600')
    expect(octal(join(dataDir, 'cache', 'app'))).to.equal('700')
    // executables stay executable, for their owner only
    expect(octal(join(dataDir, 'cache', 'app', 'bin', 'tool'))).to.equal('700')
    expect(loose(dataDir)).to.deep.equal([])
  })

  it('tightenDataDir leaves symlinks\' targets alone', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'modes-test-'))
    const outside = mkdtempSync(join(tmpdir(), 'modes-outside-'))
    cleanup.push(dataDir, outside)
    writeFileSync(join(outside, 'shared.txt'), 'x', {mode: 0o644})
    symlinkSync(join(outside, 'shared.txt'), join(dataDir, 'link'))
    symlinkSync(outside, join(dataDir, 'dirlink'))
    chmodSync(dataDir, 0o755)
    tightenDataDir(dataDir)
    expect(octal(dataDir)).to.equal('700')
    expect(octal(join(outside, 'shared.txt'))).to.equal('644')
  })
})
