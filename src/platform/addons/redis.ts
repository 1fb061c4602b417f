// heroku-redis backed by real redis-server processes: one server per add-on, run by the
// platform's supervisor (runtime.services: sandboxed, its own uid, restarted with backoff,
// ended after a platform crash), so that each add-on's plan — its maxmemory — is the server's
// own limit and no add-on sees another's keys. An add-on's port and passwords are chosen once and
// kept in its state file (instances.ts): its REDIS_URL stays valid across platform restarts.
//
// Persistence: append-only file with `appendfsync always`: redis writes and fsyncs a command's
// effect before it answers it, so a write that was acknowledged survives the server being killed
// (the platform killed with -9 takes its sandboxed servers with it) and even the machine losing
// power. (`everysec` would lose up to a second of acknowledged writes on a power loss, and can
// delay the write itself — not only the fsync — while an fsync is slow, so that a SIGKILL at that
// moment loses them too.)
import {createHash, randomBytes} from 'node:crypto'
import {connect} from 'node:net'
import {join} from 'node:path'

import {SERVICE_UIDS, type ServiceProcesses, type ServiceSpec} from '../dynos/service-processes.js'
import {InstanceFiles, isAddonId, makeServerDir, onPath, provisionInstance, removeInstance, resumeInstances, writePrivateFile} from './instances.js'
import {type AddonProvider, type Availability, ProviderError, type ProviderRuntime, type ProvisionContext, type ProvisionedAddon, type ProvisionResult} from './provider.js'

const MB = 1024 * 1024

/** Heroku Redis's plans and their memory limits */
export const REDIS_PLANS = [
  {name: 'mini', humanName: 'Mini', maxmemoryMb: 25, default: true},
  {name: 'premium-0', humanName: 'Premium 0', maxmemoryMb: 50},
  {name: 'premium-1', humanName: 'Premium 1', maxmemoryMb: 100},
  {name: 'premium-2', humanName: 'Premium 2', maxmemoryMb: 250},
  {name: 'premium-3', humanName: 'Premium 3', maxmemoryMb: 500},
  {name: 'premium-5', humanName: 'Premium 5', maxmemoryMb: 1024},
] as const

/** the eviction policies `--maxmemory_policy` accepts (Heroku's default: noeviction) */
export const MAXMEMORY_POLICIES = ['noeviction', 'allkeys-lru', 'volatile-lru', 'allkeys-lfu', 'volatile-lfu', 'allkeys-random', 'volatile-random', 'volatile-ttl'] as const

/** where add-on ports are chosen (redis' own 6379 is left to a redis the machine may run) */
export const DEFAULT_REDIS_PORTS: readonly [number, number] = [16_380, 16_779]

/** commands the app's user may not run: they would change the plan's limits or the server */
const DENIED_COMMANDS = ['config', 'debug', 'module', 'shutdown', 'acl', 'replicaof', 'slaveof', 'sync', 'psync', 'failover']

interface RedisState {
  /** the platform's own user ("platform"), for CONFIG SET on a plan change */
  adminPassword: string
  maxmemoryMb: number
  /** the app's password (REDIS_URL) */
  password: string
  policy: string
  port: number
}

/** An add-on's server as its dashboard shows it (RedisProvider.stats). */
export interface RedisStats {
  /** INFO's fields (used_memory, maxmemory, connected_clients, instantaneous_ops_per_sec, keyspace_hits …) */
  info: Record<string, string>
  keys: number
  maxmemoryMb: number
  policy: string
  port: number
  slowlog: {args: string[], at: string, client: null | string, id: number, micros: number}[]
}

export interface RedisProviderOptions {
  /** the range add-on ports are chosen from */
  ports?: readonly [number, number]
  /** the redis-server binary; found on PATH by default */
  redisServer?: string
}

export class RedisProvider implements AddonProvider {
  readonly service = {
    name: 'heroku-redis',
    humanName: 'Heroku Redis',
    primaryAttachmentName: 'REDIS',
    attachmentNamePrefix: 'HEROKU_REDIS',
    plans: REDIS_PLANS.map(plan => ({
      name: plan.name, humanName: plan.humanName, default: 'default' in plan ? plan.default : undefined, priceCents: 0,
      description: `A redis-server of its own on this machine, ${plan.maxmemoryMb} MB of memory (maxmemory), persisted (append-only file)`,
    })),
  }

  private runtime?: ProviderRuntime
  private files?: InstanceFiles<RedisState>
  private binary?: string

  constructor(private readonly options: RedisProviderOptions = {}) {}

  async start(runtime: ProviderRuntime): Promise<void> {
    this.runtime = runtime
    this.files = new InstanceFiles(runtime.dir)
    this.binary = this.options.redisServer ?? await onPath('redis-server')
    const {services} = runtime
    if (services === undefined || this.binary === undefined) return
    await resumeInstances({service: 'heroku-redis', files: this.files, runtime, services, key: serviceKey, run: (id, state) => this.run(services, id, state)})
  }

  availability(): Availability {
    if (this.runtime === undefined) return {available: false, reason: 'heroku-redis is not started yet.'}
    if (this.runtime.services === undefined) return {available: false, reason: 'heroku-redis runs a redis-server per add-on, and this platform runs no processes (it was started without dynos).'}
    if (this.binary === undefined) return {available: false, reason: 'heroku-redis needs redis-server, which is not installed on this machine (Debian/Ubuntu: apt-get install redis-server).'}
    return {available: true}
  }

  async provision(ctx: ProvisionContext): Promise<ProvisionResult> {
    const {services, files} = this.require()
    const plan = planOf(ctx.plan)
    const policy = ctx.options.maxmemory_policy ?? ctx.options['maxmemory-policy'] ?? 'noeviction'
    if (!(MAXMEMORY_POLICIES as readonly string[]).includes(policy)) throw new ProviderError(`Unknown maxmemory policy ${policy}; one of: ${MAXMEMORY_POLICIES.join(', ')}.`)
    // idempotent: a provision repeated after a platform restart finds the state it wrote
    const state = await provisionInstance({
      service: 'heroku-redis', server: 'redis-server', addonId: ctx.addonId, addonName: ctx.addonName, files, services,
      ports: this.options.ports ?? DEFAULT_REDIS_PORTS, key: serviceKey,
      create: port => ({port, password: secret(), adminPassword: secret(), maxmemoryMb: plan.maxmemoryMb, policy}),
      run: s => this.run(services, ctx.addonId, s),
    })
    return {
      providerId: ctx.addonId,
      configVars: {URL: redisUrl(state)},
      message: `A redis-server of its own (${state.maxmemoryMb} MB, ${state.policy}) on 127.0.0.1:${state.port}.`,
      webUrl: null,
    }
  }

  async deprovision(addon: ProvisionedAddon): Promise<void> {
    const id = addonIdOf(addon)
    if (this.files === undefined) throw new ProviderError('heroku-redis is not started yet.')
    await removeInstance(this.files, this.runtime?.services, serviceKey, id)
  }

  async changePlan(addon: ProvisionedAddon, toPlan: string): Promise<{configVars?: Record<string, string>, message?: null | string}> {
    const {services, files} = this.require()
    const id = addonIdOf(addon)
    const plan = planOf(toPlan)
    const state = await files.read(id)
    if (state === undefined) throw new ProviderError(`${addon.addonName} has no redis-server on this platform.`)
    const next = {...state, maxmemoryMb: plan.maxmemoryMb}
    // the config first (a restart from now on has the new limit), then the running server
    await this.writeConfig(services, id, next)
    await files.write(id, next)
    if (services.isUp(serviceKey(id))) {
      const replies = await redisCommands(state.port, [['AUTH', 'platform', state.adminPassword], ['CONFIG', 'SET', 'maxmemory', String(plan.maxmemoryMb * MB)], ['INFO', 'memory']])
      const failed = replies.find(reply => reply instanceof RedisError)
      if (failed) throw new ProviderError(`The redis-server of ${addon.addonName} refused the new limit: ${(failed as RedisError).message}`)
      const used = /used_memory:(\d+)/.exec(String(replies[2]))?.[1]
      if (used !== undefined && Number(used) > plan.maxmemoryMb * MB && state.policy === 'noeviction') {
        return {message: `maxmemory is now ${plan.maxmemoryMb} MB; the data takes ${Math.ceil(Number(used) / MB)} MB, so writes are refused (OOM) until keys are deleted.`}
      }
    } else {
      await this.run(services, id, next)
    }

    return {message: `maxmemory is now ${plan.maxmemoryMb} MB; the data and REDIS_URL are unchanged.`}
  }

  /**
   * What the add-on's dashboard shows, read live from its server as the platform's own user:
   * INFO (memory, clients, ops/s, keyspace hits and misses …), DBSIZE and SLOWLOG GET.
   */
  async stats(addonId: string, slowlogEntries = 25): Promise<RedisStats> {
    if (this.files === undefined) throw new ProviderError('heroku-redis is not started yet.')
    if (!isAddonId(addonId)) throw new ProviderError(`Unexpected heroku-redis handle ${addonId}`)
    const state = await this.files.read(addonId)
    if (state === undefined) throw new ProviderError('This add-on has no redis-server on this platform.')
    const replies = await redisCommands(state.port, [['AUTH', 'platform', state.adminPassword], ['INFO'], ['DBSIZE'], ['SLOWLOG', 'GET', String(slowlogEntries)]])
    const failed = replies.find(reply => reply instanceof RedisError)
    if (failed) throw new ProviderError(`The redis-server refused: ${(failed as RedisError).message}`)
    const info: Record<string, string> = {}
    for (const line of String(replies[1]).split(/\r?\n/)) {
      const colon = line.indexOf(':')
      if (colon > 0 && !line.startsWith('#')) info[line.slice(0, colon)] = line.slice(colon + 1).trim()
    }

    const slowlog = (Array.isArray(replies[3]) ? replies[3] : []).map(entry => {
      const [id, at, micros, args, client] = Array.isArray(entry) ? entry : []
      return {
        id: Number(id), at: new Date(Number(at) * 1000).toISOString(), micros: Number(micros),
        args: Array.isArray(args) ? args.map(String) : [], client: typeof client === 'string' ? client : null,
      }
    })
    return {info, keys: Number(replies[2]), slowlog, port: state.port, maxmemoryMb: state.maxmemoryMb, policy: state.policy}
  }

  private require(): {files: InstanceFiles<RedisState>, services: ServiceProcesses} {
    const availability = this.availability()
    if (!availability.available) throw new ProviderError(availability.reason)
    return {services: this.runtime!.services!, files: this.files!}
  }

  /** The add-on's server with its current config, started unless it runs; resolves once it answers PING. */
  private async run(services: ServiceProcesses, addonId: string, state: RedisState): Promise<void> {
    const dir = this.files!.serverDir(addonId)
    const config = await this.writeConfig(services, addonId, state)
    const runtime = this.runtime!
    const spec: ServiceSpec = {
      key: serviceKey(addonId),
      label: 'redis',
      file: this.binary!,
      args: [config],
      writable: [dir],
      uid: SERVICE_UIDS.redis,
      // loading a large append-only file takes a while; SIGTERM: redis stops cleanly (fsyncs, exits)
      readyTimeoutMs: 60_000,
      stopSignal: 'SIGTERM',
      stopGraceMs: 10_000,
      ready: () => ping(state.port, state.password),
      onLine: line => runtime.addonLog(addonId, 'redis', line),
    }
    await services.ensure(spec)
  }

  private async writeConfig(services: ServiceProcesses, addonId: string, state: RedisState): Promise<string> {
    const dir = this.files!.serverDir(addonId)
    const uid = services.separateUsers ? SERVICE_UIDS.redis : undefined
    await makeServerDir(dir, uid)
    const path = join(dir, 'redis.conf')
    await writePrivateFile(path, redisConfig(dir, state), uid)
    return path
  }
}

/** The server's config: only hashes of the passwords (the app's URL has the password itself). */
export function redisConfig(dir: string, state: RedisState): string {
  const lines = [
    '# written by the platform (heroku-redis); rewritten on every start and plan change',
    'bind 127.0.0.1',
    `port ${state.port}`,
    'protected-mode yes',
    'daemonize no',
    'supervised no',
    'logfile ""',
    'always-show-logo no',
    `dir ${quote(dir)}`,
    // persistence: every acknowledged write is on disk (see the top of this file)
    'appendonly yes',
    'appendfsync always',
    'save ""',
    `maxmemory ${state.maxmemoryMb}mb`,
    `maxmemory-policy ${state.policy}`,
    // the app's user (AUTH PASSWORD, as REDIS_URL has it) and the platform's own
    `user default on #${sha256(state.password)} ~* &* +@all ${DENIED_COMMANDS.map(c => `-${c}`).join(' ')}`,
    `user platform on #${sha256(state.adminPassword)} ~* &* +@all`,
  ]
  return `${lines.join('\n')}\n`
}

export function redisUrl(state: Pick<RedisState, 'password' | 'port'>): string {
  return `redis://:${state.password}@127.0.0.1:${state.port}`
}

function planOf(name: string): (typeof REDIS_PLANS)[number] {
  const short = name.replace(/^heroku-redis:/, '')
  const plan = REDIS_PLANS.find(p => p.name === short)
  if (plan === undefined) throw new ProviderError(`Unknown heroku-redis plan ${short}; one of: ${REDIS_PLANS.map(p => p.name).join(', ')}.`)
  return plan
}

function addonIdOf(addon: ProvisionedAddon): string {
  const id = addon.providerId || addon.addonId
  if (!isAddonId(id)) throw new ProviderError(`Unexpected heroku-redis handle ${id}`)
  return id
}

const serviceKey = (addonId: string): string => `redis-${addonId}`
const secret = (): string => randomBytes(24).toString('hex')
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')
const quote = (text: string): string => `"${text.replaceAll('\\', '\\\\').replaceAll('"', String.raw`\"`)}"`

async function ping(port: number, password: string): Promise<boolean> {
  const [auth, pong] = await redisCommands(port, [['AUTH', password], ['PING']], 1000)
  return auth === 'OK' && pong === 'PONG'
}

// ---- a minimal RESP client: enough for AUTH, PING, CONFIG SET and INFO ----

export class RedisError extends Error {}
type Reply = null | number | RedisError | Reply[] | string

/** Sends the commands pipelined on one connection and resolves with their replies (errors as RedisError values). */
export function redisCommands(port: number, commands: readonly (readonly string[])[], timeoutMs = 3000): Promise<Reply[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({host: '127.0.0.1', port})
    let buffer = Buffer.alloc(0)
    const replies: Reply[] = []
    const fail = (error: Error): void => {
      socket.destroy()
      reject(error)
    }

    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer from 127.0.0.1:${port} within ${timeoutMs} ms`)))
    socket.once('error', fail)
    socket.once('close', () => {
      if (replies.length < commands.length) reject(new Error(`127.0.0.1:${port} closed the connection`))
    })
    socket.once('connect', () => {
      socket.write(commands.map(args => `*${args.length}\r\n${args.map(a => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`).join(''))
    })
    socket.on('data', chunk => {
      buffer = Buffer.concat([buffer, chunk])
      for (;;) {
        let parsed
        try {
          parsed = parseReply(buffer, 0)
        } catch (error) {
          fail(error as Error)
          return
        }

        if (parsed === undefined) return
        replies.push(parsed.value)
        buffer = buffer.subarray(parsed.end)
        if (replies.length === commands.length) {
          socket.end()
          socket.destroy()
          resolve(replies)
          return
        }
      }
    })
  })
}

/** One reply from `at`, or undefined when the buffer does not hold all of it yet. */
function parseReply(buffer: Buffer, at: number): undefined | {end: number, value: Reply} {
  const eol = buffer.indexOf('\r\n', at)
  if (eol === -1) return undefined
  const line = buffer.toString('utf8', at + 1, eol)
  const next = eol + 2
  switch (String.fromCodePoint(buffer[at])) {
    case '+': {return {value: line, end: next}
    }

    case '-': {return {value: new RedisError(line), end: next}
    }

    case ':': {return {value: Number(line), end: next}
    }

    case '$': {
      const length = Number(line)
      if (length < 0) return {value: null, end: next}
      if (buffer.length < next + length + 2) return undefined
      return {value: buffer.toString('utf8', next, next + length), end: next + length + 2}
    }

    case '*': {
      const count = Number(line)
      if (count < 0) return {value: null, end: next}
      const items: Reply[] = []
      let end = next
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, end)
        if (item === undefined) return undefined
        items.push(item.value)
        end = item.end
      }

      return {value: items, end}
    }

    default: {throw new Error(`not a redis reply: ${JSON.stringify(line.slice(0, 40))}`)
    }
  }
}
