// Release directories in use are never pruned (the race forced, not hoped for), and changes
// under load drop no request: preboot (new web dynos up before the old ones go), draining (a
// stopping dyno leaves the pool first), and a release whose dynos crash leaves the old serving.
import {expect} from 'chai'
import {existsSync} from 'node:fs'
import {Pool} from 'undici'

import {releaseDir} from '../../../src/platform/dynos/release-dir.js'
import {currentRelease} from '../../../src/platform/store/releases.js'
import {deployFixture, type RuntimePlatform, startRuntimePlatform, viaRouter, waitFor} from '../fixtures/runtime/helpers.js'

type Dyno = {name: string, release: {version: number}, state: string}

describe('dynos: release directories and zero-downtime changes', function () {
  this.timeout(90_000)
  let t: RuntimePlatform
  /** app id → a promise the next deploy of that app waits for after unpacking */
  const holds = new Map<string, {gate: Promise<void>, reached: () => void}>()

  before(async () => {
    t = await startRuntimePlatform({
      dynos: {
        async afterPrepare(appId) {
          const hold = holds.get(appId)
          if (!hold) return
          holds.delete(appId)
          hold.reached()
          await hold.gate
        },
      },
      router: {requestTimeoutMs: 10_000, bootWaitMs: 5000},
    })
  })

  after(async () => {
    await t.close()
  })

  const dynos = async (app: string): Promise<Dyno[]> => (await t.client.get(`/apps/${app}/dynos`)).body as Dyno[]
  const appId = async (app: string): Promise<string> => (await t.client.get(`/apps/${app}`)).body.id
  const allUp = async (app: string, version: number, count: number) => {
    const list = await dynos(app)
    return list.length === count && list.every(d => d.state === 'up' && d.release.version === version)
  }

  const version = async (app: string) => currentRelease(t.platform.store, await appId(app))!.version

  it('keeps a release directory that a held deploy prepared while another app deploys and prunes', async () => {
    await deployFixture(t.client, 'held', {web: 'node server.js'})
    await deployFixture(t.client, 'pruner', {web: 'node server.js'})
    await waitFor('both up', async () => (await allUp('held', await version('held'), 1)) && allUp('pruner', await version('pruner'), 1))
    const heldId = await appId('held')
    let reached!: () => void
    const atHold = new Promise<void>(resolve => {
      reached = resolve
    })
    let open!: () => void
    holds.set(heldId, {
      reached, gate: new Promise<void>(resolve => {
        open = resolve
      }),
    })
    // held's deploy unpacks its new release, then waits before touching a dyno
    await t.client.patch('/apps/held/config-vars', {WHICH: 'new'})
    await Promise.race([atHold, new Promise((_, reject) => setTimeout(() => reject(new Error('the deploy never reached its hold')), 15_000))])
    const prepared = currentRelease(t.platform.store, heldId)!
    expect(existsSync(releaseDir(t.dataDir, prepared.id)), 'prepared release dir').to.equal(true)
    // meanwhile the other app deploys, and prunes what it thinks nobody uses
    await t.client.patch('/apps/pruner/config-vars', {WHICH: 'other'})
    const prunerVersion = await version('pruner')
    await waitFor('pruner on its new release', () => allUp('pruner', prunerVersion, 1))
    await waitFor('pruner serves it', async () => (await viaRouter(t.routerUrl, 'pruner', '/env?name=WHICH')).text === 'other')
    expect(existsSync(releaseDir(t.dataDir, prepared.id)), 'the held deploy\'s release dir after another app pruned').to.equal(true)
    open()
    await waitFor('held serves its new release', async () => (await viaRouter(t.routerUrl, 'held', '/env?name=WHICH')).text === 'new')
    expect((await dynos('held'))[0].state).to.equal('up')
  })

  it('keeps the release directory of a running one-off dyno across a new release', async () => {
    const id = await appId('held')
    const run = await t.client.post('/apps/held/dynos', {command: 'sleep 30', attach: false})
    expect(run.status).to.equal(201)
    const oneOffRelease = currentRelease(t.platform.store, id)!
    await waitFor('one-off up', async () => (await dynos('held')).some(d => d.name === run.body.name && d.state === 'up'))
    await t.client.patch('/apps/held/config-vars', {WHICH: 'newer'})
    await waitFor('new release served', async () => (await viaRouter(t.routerUrl, 'held', '/env?name=WHICH')).text === 'newer')
    // a deploy of another app prunes too
    await t.client.patch('/apps/pruner/config-vars', {WHICH: 'again'})
    await waitFor('pruner redeployed', async () => (await viaRouter(t.routerUrl, 'pruner', '/env?name=WHICH')).text === 'again')
    expect(existsSync(releaseDir(t.dataDir, oneOffRelease.id)), 'the one-off\'s release dir').to.equal(true)
    await t.client.delete(`/apps/held/dynos/${run.body.name}`)
  })

  it('drops no request under load through config:set, ps:restart and scale 2→1 of an app that exits at once on SIGTERM', async () => {
    await deployFixture(t.client, 'busy', {web: 'node server.js'}, {EXIT_ON_SIGTERM: '1'})
    await t.client.patch('/apps/busy/formation', {updates: [{type: 'web', quantity: 2}]})
    await waitFor('2 web up', async () => allUp('busy', await version('busy'), 2))
    const url = new URL(t.routerUrl)
    const pool = new Pool(t.routerUrl, {connections: 16})
    const statuses = new Map<number, number>()
    let stop = false
    const worker = async () => {
      // eslint-disable-next-line no-unmodified-loop-condition -- the test sets stop once the restarts and the scale-down are done; the loop awaits between checks
      while (!stop) {
        const res = await pool.request({path: '/slow?ms=20', method: 'GET', headers: {host: `busy.localhost:${url.port}`}})

        await res.body.text()
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
      }
    }

    const workers = Array.from({length: 16}, () => worker())
    try {
      await t.client.patch('/apps/busy/config-vars', {ROUND: '1'})
      const v = await version('busy')
      await waitFor('config change done', () => allUp('busy', v, 2), 20_000)
      await waitFor('serving the change', async () => (await viaRouter(t.routerUrl, 'busy', '/env?name=ROUND')).text === '1')
      await t.client.delete('/apps/busy/dynos')
      await new Promise(resolve => setTimeout(resolve, 1500))
      await waitFor('restarted', () => allUp('busy', v, 2), 20_000)
      await t.client.patch('/apps/busy/formation', {updates: [{type: 'web', quantity: 1}]})
      await waitFor('scaled down', () => allUp('busy', v, 1), 20_000)
      await new Promise(resolve => setTimeout(resolve, 500))
    } finally {
      stop = true
      await Promise.all(workers)
      await pool.close()
    }

    const total = [...statuses.values()].reduce((a, b) => a + b, 0)
    expect(total).to.be.greaterThan(100)
    expect(Object.fromEntries(statuses)).to.deep.equal({200: total})
  })

  it('leaves the old dynos serving when the new release\'s web dynos crash, and says so', async () => {
    const before = await version('busy')
    await t.client.patch('/apps/busy/config-vars', {CRASH_ON_BOOT: '1'})
    const id = await appId('busy')
    await waitFor('the preboot failure logged', () => t.platform.logs.recent(id, 1500, {}).some(l => l.text.includes('did not come up')), 20_000)
    const list = await dynos('busy')
    expect(list.map(d => `${d.name}:${d.state}:v${d.release.version}`)).to.deep.equal([`web.1:up:v${before}`])
    const res = await viaRouter(t.routerUrl, 'busy', '/env?name=CRASH_ON_BOOT')
    expect(res.status).to.equal(200)
    expect(res.text).to.equal('')
    // the next good release replaces them
    await t.client.patch('/apps/busy/config-vars', {CRASH_ON_BOOT: null})
    const fixed = await version('busy')
    await waitFor('fixed release up', () => allUp('busy', fixed, 1), 20_000)
  })

  it('gives a one-off dyno a PORT of its own, never the router\'s', async () => {
    const run = await t.client.post('/apps/busy/dynos', {command: 'echo "port=$PORT"', attach: false})
    expect(run.status).to.equal(201)
    const id = await appId('busy')
    const line = await waitFor('the one-off\'s output', () => t.platform.logs.recent(id, 1500, {dyno: run.body.name, source: 'app'}).map(l => l.text).find(l => /port=\d/.test(l)))
    const port = Number(/port=(\d+)/.exec(line)![1])
    expect(port).to.be.greaterThan(0)
    expect(port).to.not.equal(Number(new URL(t.routerUrl).port))
    expect(port).to.not.equal(5000)
  })
})
