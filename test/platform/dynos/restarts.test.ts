// Six apps, two of them crash-looping, through five platform restarts (graceful and kill -9):
// every healthy app serves after every restart, and its release directory is still there.

import type {ChildProcess} from 'node:child_process'

import {expect} from 'chai'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {createUser} from '../../../src/platform/bootstrap.js'
import {markedProcesses, PLATFORM_MARKER_VAR, platformMarker} from '../../../src/platform/dynos/processes.js'
import {releaseDir} from '../../../src/platform/dynos/release-dir.js'
import {openStore} from '../../../src/platform/store/database.js'
import {currentRelease} from '../../../src/platform/store/releases.js'
import {deployFixture, viaRouter, waitFor} from '../fixtures/runtime/helpers.js'
import {startPlatformProcess, stopPlatformProcess} from '../fixtures/runtime/platform-process.js'
import {ApiClient} from '../helpers.js'

const HEALTHY = ['alpha', 'bravo', 'charlie', 'delta']
const CRASHING = ['echo', 'foxtrot']

describe('dynos through platform restarts', function () {
  this.timeout(240_000)
  const dataDir = mkdtempSync(join(tmpdir(), 'runtime-restarts-'))
  let running: ChildProcess | undefined

  const start = async (): Promise<{child: ChildProcess, url: string}> => {
    const started = await startPlatformProcess(dataDir)
    running = started.child
    return started
  }

  const stop = stopPlatformProcess

  after(async () => {
    if (running) await stopPlatformProcess(running)
    for (const pid of markedProcesses(PLATFORM_MARKER_VAR, platformMarker(dataDir))) process.kill(pid, 'SIGKILL')
    rmSync(dataDir, {recursive: true, force: true})
  })

  it('serves every healthy app after each of five restarts, graceful and kill -9', async () => {
    const store = openStore(dataDir)
    const user = await createUser(store, {email: 'restarts@example.com', password: 'correct horse battery'})
    store.close()
    let {child, url} = await start()
    let client = new ApiClient(url, user.token)
    for (const app of HEALTHY) await deployFixture(client, app, {web: 'node server.js', worker: 'node worker.js'})
    // crash-looping apps: a web dyno that exits at boot, a worker that exits at once
    for (const app of CRASHING) await deployFixture(client, app, {web: 'node server.js', worker: 'exit 1'}, {CRASH_ON_BOOT: '1'})
    for (const app of [...HEALTHY, ...CRASHING]) await client.patch(`/apps/${app}/formation`, {updates: [{type: 'worker', quantity: 1}]})

    const routerOf = async () => `http://127.0.0.1:${new URL((await client.get(`/apps/${HEALTHY[0]}`)).body.web_url as string).port}`
    const allServe = async () => {
      const router = await routerOf()
      await Promise.all(HEALTHY.map(app => waitFor(`${app} serves`, async () => (await viaRouter(router, app, '/')).status === 200, 30_000, 50)))
    }

    await allServe()
    const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGKILL', 'SIGTERM', 'SIGKILL', 'SIGKILL']
    for (const [round, signal] of signals.entries()) {
      await stop(child, signal);
      ({child, url} = await start())
      client = new ApiClient(url, user.token)

      await allServe().catch(error => {
        throw new Error(`after restart ${round + 1} (${signal}): ${(error as Error).message}`)
      })
      // the healthy apps' release directories survived the restart and the prunes
      const check = openStore(dataDir)
      try {
        for (const app of HEALTHY) {
          const {id} = check.get<{id: string}>('SELECT id FROM apps WHERE name = ?', app)!
          expect(existsSync(releaseDir(dataDir, currentRelease(check, id)!.id)), `${app}'s release dir after restart ${round + 1}`).to.equal(true)
        }
      } finally {
        check.close()
      }

      // two apps' config changes 20 ms apart: each deploy prunes while the other is under way
      const value = `round-${round}`
      const first = client.patch(`/apps/${HEALTHY[0]}/config-vars`, {ROUND: value})

      await new Promise(resolve => setTimeout(resolve, 20))

      await Promise.all([first, client.patch(`/apps/${HEALTHY[1]}/config-vars`, {ROUND: value})])
      const router = await routerOf()

      await Promise.all(HEALTHY.slice(0, 2).map(app => waitFor(`${app} serves ${value}`, async () => (await viaRouter(router, app, '/env?name=ROUND')).text === value, 30_000, 50)))
      const notUp = async () => (await Promise.all(HEALTHY.map(async app => (await client.get(`/apps/${app}/dynos`)).body
        .map((d: {name: string, state: string}) => `${app}/${d.name}:${d.state}`)))).flat().filter(s => !s.endsWith(':up'))

      await waitFor(`every healthy dyno up after restart ${round + 1}`, async () => (await notUp()).length === 0, 20_000).catch(async error => {
        expect(await notUp(), (error as Error).message).to.deep.equal([])
      })
    }

    await stop(child, 'SIGTERM')
    expect(child.exitCode).to.equal(0)
  })
})
