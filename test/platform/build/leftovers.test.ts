// A build's processes (bin/compile and what it forks, even with the platform's marker dropped)
// do not outlive a kill -9 of the platform and its restart.

import type {ChildProcess} from 'node:child_process'

import {expect} from 'chai'
import {chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {createUser} from '../../../src/platform/bootstrap.js'
import {openStore} from '../../../src/platform/store/database.js'
import {authedUrl, createAppRepo, runGit, tempHome} from '../fixtures/deploy/git.js'
import {waitFor} from '../fixtures/runtime/helpers.js'
import {startPlatformProcess, stopPlatformProcess} from '../fixtures/runtime/platform-process.js'
import {ApiClient} from '../helpers.js'

/** live `sleep 313` / `sleep 314` processes (this test's buildpack starts them) */
function sleepers(): number[] {
  return readdirSync('/proc').filter(p => /^\d+$/.test(p)).filter(p => {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'latin1')
      return /^(\/usr)?\/bin\/sleep\0(313|314)\0$/.test(cmd) && !readFileSync(`/proc/${p}/stat`, 'latin1').includes(') Z ')
    } catch {
      return false
    }
  }).map(Number)
}

describe('builds after a platform crash (kill -9)', function () {
  this.timeout(90_000)
  const dataDirs: string[] = []
  const buildpack = mkdtempSync(join(tmpdir(), 'build-crash-pack-'))
  const home = tempHome()
  let running: ChildProcess | undefined
  // each test's platform (the one it restarted) stops with the test: none outlives the suite
  afterEach(async () => {
    if (running) await stopPlatformProcess(running)
    running = undefined
  })

  after(async () => {
    for (const pid of sleepers()) process.kill(pid, 'SIGKILL')
    for (const dir of [...dataDirs, buildpack, home]) rmSync(dir, {recursive: true, force: true})
  })

  const start = async (dataDir: string, sandbox: string): Promise<string> => {
    const started = await startPlatformProcess(dataDir, {HEROKU_PLATFORM_SANDBOX: sandbox})
    running = started.child
    return started.url
  }

  before(() => {
    // a compile that never ends, one of its children without the platform's environment
    mkdirSync(join(buildpack, 'bin'))
    writeFileSync(join(buildpack, 'bin', 'detect'), '#!/bin/sh\necho Sleepy\n')
    writeFileSync(join(buildpack, 'bin', 'compile'), '#!/bin/sh\nenv -i /bin/sleep 313 &\nexec /bin/sleep 314\n')
    chmodSync(join(buildpack, 'bin', 'detect'), 0o755)
    chmodSync(join(buildpack, 'bin', 'compile'), 0o755)
    chmodSync(buildpack, 0o755)
  })

  // sandboxed, the build dies with the platform (bwrap --die-with-parent); unconfined, the
  // platform kills it at its next start (marker and recorded process group)
  for (const sandbox of ['auto', 'off']) it(`kills what a build left running when the platform comes back (sandbox ${sandbox})`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'build-crash-'))
    dataDirs.push(dataDir)
    const store = openStore(dataDir)
    const user = await createUser(store, {email: 'builds@example.com', password: 'correct horse battery'})
    store.close()
    const client = new ApiClient(await start(dataDir, sandbox), user.token)
    const app = (await client.post('/apps', {name: 'sleepy'})).body
    expect((await client.request('PUT', '/apps/sleepy/buildpack-installations', {body: {updates: [{buildpack}]}})).status).to.equal(200)
    const repo = await createAppRepo(home, {'README.md': 'zzz\n'})
    const push = runGit(['push', authedUrl(app.git_url, user.token), 'main'], {cwd: repo, home})
    await waitFor('the build\'s two sleeps', () => sleepers().length === 2, 20_000)
    await stopPlatformProcess(running!, 'SIGKILL')
    await push
    await start(dataDir, sandbox)
    await waitFor('no build process left', () => sleepers().length === 0, 10_000)
    // and the build is recorded as failed, not left pending
    const builds = (await new ApiClient(JSON.parse(readFileSync(join(dataDir, 'platform.json'), 'utf8')).url, user.token).get('/apps/sleepy/builds')).body
    expect(builds.map((b: {status: string}) => b.status)).to.deep.equal(['failed'])
  })
})
