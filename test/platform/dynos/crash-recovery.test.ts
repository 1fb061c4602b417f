// The platform process killed with SIGKILL leaves its (detached) dynos running; started again on
// the same data dir it kills them and brings every app back to its formation: no orphans.

import type {ChildProcess} from 'node:child_process'

import {expect} from 'chai'
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {createUser} from '../../../src/platform/bootstrap.js'
import {markedProcesses, PLATFORM_MARKER_VAR, platformMarker} from '../../../src/platform/dynos/processes.js'
import {detectSandbox} from '../../../src/platform/sandbox/sandbox.js'
import {openStore} from '../../../src/platform/store/database.js'
import {deployFixture, viaRouter, waitFor} from '../fixtures/runtime/helpers.js'
import {startPlatformProcess, stopPlatformProcess} from '../fixtures/runtime/platform-process.js'
import {ApiClient} from '../helpers.js'

describe('dynos after a platform crash (kill -9)', function () {
  this.timeout(120_000)
  const dataDir = mkdtempSync(join(tmpdir(), 'runtime-crash-'))
  const marker = platformMarker(dataDir)
  const dynoPids = () => markedProcesses(PLATFORM_MARKER_VAR, marker)
  /** `sleep 301` processes: started by this test's worker only */
  const sleepers = () => readdirSync('/proc').filter(p => /^\d+$/.test(p)).filter(p => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'latin1') === '/bin/sleep\u0000301\u0000' && !readFileSync(`/proc/${p}/stat`, 'latin1').includes(') Z ')
    } catch {
      return false
    }
  }).map(Number)
  let running: ChildProcess | undefined

  after(async () => {
    if (running) await stopPlatformProcess(running)
    for (const pid of [...dynoPids(), ...sleepers()]) process.kill(pid, 'SIGKILL')
    rmSync(dataDir, {recursive: true, force: true})
  })

  it('comes back to its formation and leaves no orphans', async () => {
    const sandbox = await detectSandbox()
    const store = openStore(dataDir)
    const user = await createUser(store, {email: 'crash@example.com', password: 'correct horse battery'})
    store.close()

    const first = await startPlatformProcess(dataDir)
    running = first.child
    const client = new ApiClient(first.url, user.token)
    // the worker's processes drop the platform's environment marker (env -i): only the recorded
    // process group can find them
    await deployFixture(client, 'survivor', {web: 'node server.js', worker: 'env -i /bin/sleep 301 & exec env -i /bin/sleep 302'})
    await client.patch('/apps/survivor/formation', {updates: [{type: 'web', quantity: 2}, {type: 'worker', quantity: 1}]})
    await waitFor('3 dynos up', async () => (await client.get('/apps/survivor/dynos')).body.filter((d: {state: string}) => d.state === 'up').length === 3, 30_000)
    let routerUrl = `http://127.0.0.1:${new URL((await client.get('/apps/survivor')).body.web_url as string).port}`
    expect((await viaRouter(routerUrl, 'survivor', '/')).status).to.equal(200)
    // platform.json names the router's real port (it was started with --router-port 0)
    expect(JSON.parse(readFileSync(join(dataDir, 'platform.json'), 'utf8')).routerPort).to.equal(Number(new URL(routerUrl).port))
    const before = dynoPids()
    expect(before.length).to.be.at.least(2)
    const unmarked = await waitFor('the unmarked sleep', () => sleepers()[0])

    await stopPlatformProcess(first.child, 'SIGKILL')
    if (sandbox.enabled) {
      // sandboxed dynos die with the platform (bwrap --die-with-parent), the unmarked one too
      await waitFor('dynos gone with the platform', () => dynoPids().every(pid => !before.includes(pid)) && !sleepers().includes(unmarked), 5000)
    } else {
      // unconfined dynos outlive the platform (they are detached)...
      expect(dynoPids().filter(pid => before.includes(pid)).length).to.equal(before.length)
      expect(sleepers()).to.include(unmarked)
    }

    const second = await startPlatformProcess(dataDir)
    running = second.child
    const client2 = new ApiClient(second.url, user.token)
    // ...and the new platform killed whatever was left before starting the formation afresh, the unmarked
    // one too (it was in a recorded process group)
    await waitFor('old dynos gone', () => dynoPids().every(pid => !before.includes(pid)), 10_000)
    await waitFor('the unmarked sleep gone', () => !sleepers().includes(unmarked), 10_000)
    await waitFor('3 dynos up again', async () => (await client2.get('/apps/survivor/dynos')).body.filter((d: {state: string}) => d.state === 'up').length === 3, 30_000)
    routerUrl = `http://127.0.0.1:${new URL((await client2.get('/apps/survivor')).body.web_url as string).port}`
    expect((await viaRouter(routerUrl, 'survivor', '/')).status).to.equal(200)
    const nodes = dynoPids().filter(pid => readFileSync(`/proc/${pid}/comm`, 'latin1').trim() === 'node')
    expect(nodes).to.have.length(2)

    await stopPlatformProcess(second.child)
    expect(second.child.exitCode).to.equal(0)
    expect(dynoPids(), 'no dyno process after a clean stop').to.deep.equal([])
    expect(sleepers(), 'no unmarked process after a clean stop').to.deep.equal([])
  })
})
