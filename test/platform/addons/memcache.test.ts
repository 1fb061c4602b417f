// memcachier on real memcached processes run by the platform's supervisor: the MEMCACHIER_* vars
// work with a real client (memjs, SASL PLAIN), wrong credentials are refused, the plan's memory
// is the server's limit, the server and credentials (not the contents: it is a cache) come back
// after a platform restart and a kill -9 with no orphaned server, and destroying the add-on ends
// its server and removes its files. Processes are counted by the OS (/proc).

import type {ChildProcess} from 'node:child_process'

import {expect} from 'chai'
import memjs from 'memjs'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {MemcacheProvider} from '../../../src/platform/addons/memcache.js'
import {createUser} from '../../../src/platform/bootstrap.js'
import {SERVICE_UIDS} from '../../../src/platform/dynos/service-processes.js'
import {openStore} from '../../../src/platform/store/database.js'
import {createProvisionedAddon, liveProcesses, uidOf} from '../fixtures/runtime/addon-servers.js'
import {randomPortRange, type RuntimePlatform, startRuntimePlatform, waitFor} from '../fixtures/runtime/helpers.js'
import {startPlatformProcess, stopPlatformProcess} from '../fixtures/runtime/platform-process.js'
import {ApiClient} from '../helpers.js'

interface Vars {
  MEMCACHIER_PASSWORD: string
  MEMCACHIER_SERVERS: string
  MEMCACHIER_USERNAME: string
}

/** Live memcached processes listening on the port of MEMCACHIER_SERVERS (its command line has -p PORT). */
function memcachedServers(servers: string): number[] {
  const port = servers.split(':')[1]
  return liveProcesses('memcached', args => args[args.indexOf('-p') + 1] === port)
}

async function withMemcache<T>(vars: Vars, work: (client: memjs.Client) => Promise<T>): Promise<T> {
  const client = memjs.Client.create(vars.MEMCACHIER_SERVERS, {
    username: vars.MEMCACHIER_USERNAME, password: vars.MEMCACHIER_PASSWORD, retries: 0, timeout: 2, logger: {log() {}},
  })
  try {
    return await work(client)
  } finally {
    client.close()
  }
}

async function createCache(client: ApiClient, app: string, plan = 'memcachier'): Promise<{id: string, name: string, vars: Vars}> {
  const {id, name, config} = await createProvisionedAddon(client, app, plan)
  return {id, name, vars: config as unknown as Vars}
}

describe('add-on provider: memcachier on real memcached processes', function () {
  this.timeout(60_000)
  const dataDir = mkdtempSync(join(tmpdir(), 'memcache-test-'))
  const ports = randomPortRange()
  let t: RuntimePlatform | undefined
  let token: string | undefined
  const start = async (): Promise<RuntimePlatform> => {
    t = await startRuntimePlatform({dataDir, addonProviders: [new MemcacheProvider({ports})]})
    token ??= t.token
    t.client = new ApiClient(t.platform.url, token)
    return t
  }

  after(async () => {
    await t?.close()
    rmSync(dataDir, {recursive: true, force: true})
  })

  let cache: {id: string, name: string, vars: Vars}

  it('provisions a memcached of its own: the MEMCACHIER_* vars work over SASL, wrong credentials are refused', async () => {
    const {client, platform} = await start()
    expect((await client.post('/apps', {name: 'mc-app'})).status).to.equal(201)
    cache = await createCache(client, 'mc-app')
    const {vars} = cache
    expect(vars.MEMCACHIER_SERVERS).to.match(/^127\.0\.0\.1:\d+$/)
    expect(Number(vars.MEMCACHIER_SERVERS.split(':')[1])).to.be.within(ports[0], ports[1])
    expect(vars.MEMCACHIER_USERNAME).to.match(/^[0-9A-F]{12}$/)
    expect(vars.MEMCACHIER_PASSWORD).to.match(/^[0-9A-F]{32}$/)

    expect(await withMemcache(vars, async mc => {
      await mc.set('greeting', 'hello')
      return (await mc.get('greeting')).value?.toString()
    })).to.equal('hello')

    // (memjs rejects with a message, not always an Error)
    const wrong = await withMemcache({...vars, MEMCACHIER_PASSWORD: 'wrong'}, async mc => (await mc.get('greeting')).value).catch((error: unknown) => `refused: ${error}`)
    expect(String(wrong)).to.match(/^refused: .*auth/i)
    const anonymous = await withMemcache({...vars, MEMCACHIER_USERNAME: '', MEMCACHIER_PASSWORD: ''}, async mc => (await mc.get('greeting')).value).catch((error: unknown) => `refused: ${error}`)
    expect(String(anonymous), 'no credentials, no answer').to.match(/^refused: .*auth/i)

    const pids = memcachedServers(vars.MEMCACHIER_SERVERS)
    expect(pids).to.have.length(1)
    if (platform.sandbox.enabled && platform.sandbox.separateUsers) expect(uidOf(pids[0])).to.equal(SERVICE_UIDS.memcached)
    // the platform's log never has the password
    expect(t!.serverLog.join('\n')).not.to.include(vars.MEMCACHIER_PASSWORD)
  })

  it("has the plan's memory as its limit (old items evicted), and a plan change restarts it with the new one", async () => {
    const {client} = t!
    const stats = (vars: Vars) => withMemcache(vars, mc => new Promise<Record<string, string>>((resolve, reject) => {
      mc.stats((error, _server, s) => (error || !s ? reject(error ?? new Error('no stats')) : resolve(s)))
    }))
    expect((await stats(cache.vars)).limit_maxbytes).to.equal(String(25 * 1024 * 1024))
    const chunk = 'x'.repeat(500 * 1024)
    const kept = await withMemcache(cache.vars, async mc => {
      for (let i = 0; i < 100; i++) await mc.set(`big:${i}`, chunk)
      let n = 0
      for (let i = 0; i < 100; i++) if ((await mc.get(`big:${i}`)).value !== null) n++
      return n
    })
    // 50 MB written into 25 MB: the oldest went
    expect(kept).to.be.greaterThan(0).and.lessThan(60)

    const changed = await client.patch(`/apps/mc-app/addons/${cache.name}`, {plan: 'memcachier:100'})
    expect(changed.status, changed.text).to.equal(200)
    expect((await stats(cache.vars)).limit_maxbytes).to.equal(String(100 * 1024 * 1024))
    expect((await client.get('/apps/mc-app/config-vars')).body).to.deep.include(cache.vars)
  })

  it('attaches to a second app with the same vars', async () => {
    const {client} = t!
    expect((await client.post('/apps', {name: 'mc-other'})).status).to.equal(201)
    const attached = await client.post('/addon-attachments', {addon: cache.id, app: 'mc-other'})
    expect(attached.status, attached.text).to.equal(201)
    expect((await client.get('/apps/mc-other/config-vars')).body).to.deep.include(cache.vars)
  })

  it('comes back after a platform restart: same server address and credentials, one server, an empty cache', async () => {
    await withMemcache(cache.vars, mc => mc.set('greeting', 'hello'))
    await t!.close({keepData: true})
    t = undefined
    await waitFor('the server stopped with the platform', () => memcachedServers(cache.vars.MEMCACHIER_SERVERS).length === 0, 10_000)
    const {client} = await start()
    expect((await client.get('/apps/mc-app/config-vars')).body).to.deep.include(cache.vars)
    // authenticated (the credentials are back), and a cache: what it held is gone
    expect(await withMemcache(cache.vars, async mc => {
      await mc.set('after', 'restart')
      return [(await mc.get('greeting')).value, (await mc.get('after')).value?.toString()]
    })).to.deep.equal([null, 'restart'])
    expect(memcachedServers(cache.vars.MEMCACHIER_SERVERS)).to.have.length(1)
  })

  it('destroying the add-on ends its server and removes its files', async () => {
    const {client} = t!
    expect((await client.delete(`/apps/mc-app/addons/${cache.name}`)).status).to.equal(200)
    expect(memcachedServers(cache.vars.MEMCACHIER_SERVERS)).to.deep.equal([])
    expect(existsSync(join(dataDir, 'addons', 'memcachier', cache.id))).to.equal(false)
    expect(existsSync(join(dataDir, 'addons', 'memcachier', `${cache.id}.json`))).to.equal(false)
    expect((await client.get('/apps/mc-other/config-vars')).body.MEMCACHIER_SERVERS).to.equal(undefined)
  })
})

describe('memcachier after a platform crash (kill -9)', function () {
  this.timeout(60_000)
  const dataDir = mkdtempSync(join(tmpdir(), 'memcache-crash-'))
  let running: ChildProcess | undefined

  after(async () => {
    if (running) await stopPlatformProcess(running)
    rmSync(dataDir, {recursive: true, force: true})
  })

  it('serves again with the same credentials and leaves no orphaned or duplicate memcached', async () => {
    const store = openStore(dataDir)
    const user = await createUser(store, {email: 'mc-crash@example.com', password: 'correct horse battery'})
    store.close()
    const first = await startPlatformProcess(dataDir)
    running = first.child
    const client = new ApiClient(first.url, user.token)
    expect((await client.post('/apps', {name: 'mc-crash'})).status).to.equal(201)
    const {vars} = await createCache(client, 'mc-crash')
    const before = memcachedServers(vars.MEMCACHIER_SERVERS)
    expect(before).to.have.length(1)

    await stopPlatformProcess(first.child, 'SIGKILL')
    running = undefined
    const second = await startPlatformProcess(dataDir)
    running = second.child
    expect((await new ApiClient(second.url, user.token).get('/apps/mc-crash/config-vars')).body).to.deep.include(vars)
    await waitFor('the server back', () => withMemcache(vars, mc => mc.set('k', 'v')), 20_000, 100)
    const after = memcachedServers(vars.MEMCACHIER_SERVERS)
    expect(after).to.have.length(1)
    expect(before).not.to.include(after[0])
    await stopPlatformProcess(second.child)
    running = undefined
    expect(memcachedServers(vars.MEMCACHIER_SERVERS)).to.deep.equal([])
  })
})
