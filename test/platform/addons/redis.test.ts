// heroku-redis on real redis-server processes run by the platform's supervisor: REDIS_URL works
// with a real client (node-redis), the password is required, the plan's maxmemory is enforced,
// the data survives a platform restart and a kill -9 of the platform, and destroying the add-on
// ends its server and removes its files. Processes are counted by the OS (/proc).

import type {ChildProcess} from 'node:child_process'

import {expect} from 'chai'
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createClient} from 'redis'

import {RedisProvider} from '../../../src/platform/addons/redis.js'
import {createUser} from '../../../src/platform/bootstrap.js'
import {SERVICE_UIDS} from '../../../src/platform/dynos/service-processes.js'
import {openStore} from '../../../src/platform/store/database.js'
import {createProvisionedAddon, liveProcesses, uidOf} from '../fixtures/runtime/addon-servers.js'
import {randomPortRange, type RuntimePlatform, startRuntimePlatform, waitFor} from '../fixtures/runtime/helpers.js'
import {startPlatformProcess, stopPlatformProcess} from '../fixtures/runtime/platform-process.js'
import {ApiClient} from '../helpers.js'

/**
 * Live redis-server processes listening on this port (redis rewrites its process title — and with
 * it its environment — to "redis-server 127.0.0.1:PORT", so the port is what names the add-on's).
 */
function redisServers(url: string): number[] {
  const title = `127.0.0.1:${new URL(url).port}`
  return liveProcesses('redis-server', args => args.flatMap(arg => arg.split(' ')).includes(title))
}

type RedisClient = ReturnType<typeof createClient>

async function withRedis<T>(url: string, work: (client: RedisClient) => Promise<T>): Promise<T> {
  const client: RedisClient = createClient({url, socket: {reconnectStrategy: false, connectTimeout: 3000}})
  client.on('error', () => {})
  await client.connect()
  try {
    return await work(client)
  } finally {
    client.destroy()
  }
}

async function provisioned(client: ApiClient, app: string, addon: string): Promise<void> {
  await waitFor(`${addon} provisioned`, async () => (await client.get(`/apps/${app}/addons/${addon}`)).body.state === 'provisioned', 30_000)
}

async function createRedis(client: ApiClient, app: string, plan = 'heroku-redis'): Promise<{id: string, name: string, url: string}> {
  const {id, name, config} = await createProvisionedAddon(client, app, plan)
  return {id, name, url: config.REDIS_URL}
}

describe('add-on provider: heroku-redis on real redis-server processes', function () {
  this.timeout(60_000)
  const dataDir = mkdtempSync(join(tmpdir(), 'redis-test-'))
  const ports = randomPortRange()
  let t: RuntimePlatform | undefined
  let token: string | undefined
  /** the platform on this data dir; after a restart, the first one's user (and token) */
  const start = async (): Promise<RuntimePlatform & {client: ApiClient}> => {
    t = await startRuntimePlatform({dataDir, addonProviders: [new RedisProvider({ports})]})
    token ??= t.token
    t.client = new ApiClient(t.platform.url, token)
    return t
  }

  after(async () => {
    await t?.close()
    rmSync(dataDir, {recursive: true, force: true})
  })

  let addon: {id: string, name: string, url: string}

  it('provisions a redis-server of its own: REDIS_URL works, the password is required', async () => {
    const {client, platform} = await start()
    expect((await client.post('/apps', {name: 'redis-app'})).status).to.equal(201)
    addon = await createRedis(client, 'redis-app')
    expect(addon.url).to.match(/^redis:\/\/:[0-9a-f]{48}@127\.0\.0\.1:\d+$/)
    const port = Number(new URL(addon.url).port)
    expect(port).to.be.within(ports[0], ports[1])

    expect(await withRedis(addon.url, async r => {
      await r.set('greeting', 'hello')
      return r.get('greeting')
    })).to.equal('hello')

    const wrong = new URL(addon.url)
    wrong.password = 'wrong'
    let error: unknown = await withRedis(wrong.toString(), r => r.ping()).catch((error_: Error) => error_)
    expect(String(error)).to.match(/WRONGPASS|invalid username-password/)
    error = await withRedis(`redis://127.0.0.1:${port}`, r => r.get('greeting')).catch((error_: Error) => error_)
    expect(String(error)).to.match(/NOAUTH/)
    // the plan's limits are the platform's: the app's user cannot lift them
    error = await withRedis(addon.url, r => r.configSet('maxmemory', '0')).catch((error_: Error) => error_)
    expect(String(error)).to.match(/NOPERM/)

    // one server, its own uid when the platform switches users; its config its alone (0600), without the password
    const pids = redisServers(addon.url)
    expect(pids).to.have.length(1)
    if (platform.sandbox.enabled && platform.sandbox.separateUsers) expect(uidOf(pids[0])).to.equal(SERVICE_UIDS.redis)
    const config = join(dataDir, 'addons', 'heroku-redis', addon.id, 'redis.conf')
    expect(statSync(config).mode & 0o777).to.equal(0o600)
    const text = readFileSync(config, 'utf8')
    expect(text).to.include('appendonly yes').and.include('maxmemory 25mb').and.include('maxmemory-policy noeviction')
    expect(text).not.to.include(new URL(addon.url).password)
    // the platform's log never has the password
    expect(t!.serverLog.join('\n')).not.to.include(new URL(addon.url).password)
    // the server's own output is in the app's log stream, as heroku[redis]
    const session = await client.post('/apps/redis-app/log-sessions', {tail: false, lines: 1500})
    const log = await (await fetch(session.body.logplex_url)).text()
    expect(log).to.match(/heroku\[redis\]: .*Ready to accept connections/)
  })

  it("enforces the plan's maxmemory (noeviction: writes refused with OOM), and a plan change moves it live", async () => {
    const {client} = t!
    const chunk = 'x'.repeat(1024 * 1024)
    const oom = await withRedis(addon.url, async r => {
      for (let i = 0; i < 40; i++) await r.set(`big:${i}`, chunk)
    }).catch((error: Error) => error)
    expect(String(oom)).to.match(/OOM command not allowed/)
    const info = await withRedis(addon.url, r => r.info('memory'))
    expect(info).to.match(/maxmemory:26214400\r?\n/)

    const changed = await client.patch(`/apps/redis-app/addons/${addon.name}`, {plan: 'heroku-redis:premium-0'})
    expect(changed.status, changed.text).to.equal(200)
    expect(await withRedis(addon.url, r => r.info('memory'))).to.match(/maxmemory:52428800\r?\n/)
    // more room now: the writes that were refused go through
    await withRedis(addon.url, async r => {
      for (let i = 20; i < 30; i++) await r.set(`big:${i}`, chunk)
    })
    expect(readFileSync(join(dataDir, 'addons', 'heroku-redis', addon.id, 'redis.conf'), 'utf8')).to.include('maxmemory 50mb')
    await withRedis(addon.url, r => r.del(Array.from({length: 40}, (_, i) => `big:${i}`)))
  })

  it('attaches to a second app with the same URL', async () => {
    const {client} = t!
    expect((await client.post('/apps', {name: 'redis-other'})).status).to.equal(201)
    const attached = await client.post('/addon-attachments', {addon: addon.id, app: 'redis-other'})
    expect(attached.status, attached.text).to.equal(201)
    expect((await client.get('/apps/redis-other/config-vars')).body.REDIS_URL).to.equal(addon.url)
    // a second add-on on the first app, another policy (heroku addons:create … -- --maxmemory_policy): HEROKU_REDIS_<COLOR>_URL, another server
    const refused = await client.post('/apps/redis-app/addons', {plan: 'heroku-redis:mini', config: {maxmemory_policy: 'sometimes'}})
    expect(refused.status, refused.text).to.equal(422)
    expect(refused.body.message).to.match(/maxmemory policy sometimes/)
    const second = await client.post('/apps/redis-app/addons', {plan: 'heroku-redis:mini', config: {maxmemory_policy: 'allkeys-lru'}})
    expect(second.status, second.text).to.be.oneOf([201, 202])
    await provisioned(client, 'redis-app', second.body.name)
    const vars = (await client.get('/apps/redis-app/config-vars')).body as Record<string, string>
    const colour = Object.keys(vars).find(name => /^HEROKU_REDIS_[A-Z]+_URL$/.test(name))
    expect(colour, JSON.stringify(Object.keys(vars))).not.to.equal(undefined)
    expect(vars[colour!]).not.to.equal(addon.url)
    expect(await withRedis(vars[colour!], r => r.get('greeting'))).to.equal(null)
    expect(await withRedis(vars[colour!], r => r.info('memory'))).to.match(/maxmemory_policy:allkeys-lru\r?\n/)
    expect((await client.delete(`/apps/redis-app/addons/${second.body.name}`)).status).to.equal(200)
  })

  it('keeps the data, the URL and one server across a platform restart on the same data dir', async () => {
    await t!.close({keepData: true})
    t = undefined
    await waitFor('the server stopped with the platform', () => redisServers(addon.url).length === 0, 10_000)
    const {client} = await start()
    expect((await client.get('/apps/redis-app/config-vars')).body.REDIS_URL).to.equal(addon.url)
    // the provider's start() brings the server back before the platform serves
    expect(await withRedis(addon.url, r => r.get('greeting'))).to.equal('hello')
    expect(await withRedis(addon.url, r => r.info('memory'))).to.match(/maxmemory:52428800\r?\n/)
    expect(redisServers(addon.url)).to.have.length(1)
  })

  it('destroying the add-on ends its server and removes its files', async () => {
    const {client} = t!
    expect((await client.delete(`/apps/redis-app/addons/${addon.name}`)).status).to.equal(200)
    expect(redisServers(addon.url)).to.deep.equal([])
    expect(existsSync(join(dataDir, 'addons', 'heroku-redis', addon.id))).to.equal(false)
    expect(existsSync(join(dataDir, 'addons', 'heroku-redis', `${addon.id}.json`))).to.equal(false)
    expect((await client.get('/apps/redis-other/config-vars')).body.REDIS_URL).to.equal(undefined)
    const error = await withRedis(addon.url, r => r.ping()).catch((error_: Error) => error_)
    expect(error).to.be.instanceOf(Error)
  })
})

describe('heroku-redis after a platform crash (kill -9)', function () {
  this.timeout(60_000)
  const dataDir = mkdtempSync(join(tmpdir(), 'redis-crash-'))
  let running: ChildProcess | undefined

  after(async () => {
    if (running) await stopPlatformProcess(running)
    rmSync(dataDir, {recursive: true, force: true})
  })

  it('keeps every acknowledged write and leaves no orphaned or duplicate redis-server', async () => {
    const store = openStore(dataDir)
    const user = await createUser(store, {email: 'redis-crash@example.com', password: 'correct horse battery'})
    store.close()
    const first = await startPlatformProcess(dataDir)
    running = first.child
    const client = new ApiClient(first.url, user.token)
    expect((await client.post('/apps', {name: 'redis-crash'})).status).to.equal(201)
    const addon = await createRedis(client, 'redis-crash')
    await withRedis(addon.url, async r => {
      for (let i = 0; i < 100; i++) await r.set(`key:${i}`, String(i))
    })
    const before = redisServers(addon.url)
    expect(before).to.have.length(1)

    // the last write acknowledged, then the platform killed without a chance to stop anything
    await stopPlatformProcess(first.child, 'SIGKILL')
    running = undefined
    const second = await startPlatformProcess(dataDir)
    running = second.child
    const client2 = new ApiClient(second.url, user.token)
    expect((await client2.get('/apps/redis-crash/config-vars')).body.REDIS_URL).to.equal(addon.url)
    const keys = Array.from({length: 100}, (_, i) => `key:${i}`)
    const values = await waitFor('the server back', () => withRedis(addon.url, r => r.mGet(keys)), 20_000, 100)
    expect(values).to.deep.equal(Array.from({length: 100}, (_, i) => String(i)))
    const after = redisServers(addon.url)
    expect(after).to.have.length(1)
    expect(before).not.to.include(after[0])
    await stopPlatformProcess(second.child)
    running = undefined
    expect(redisServers(addon.url)).to.deep.equal([])
  })
})
