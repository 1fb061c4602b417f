// memcachier backed by real memcached processes: one server per add-on, run by the platform's
// supervisor (runtime.services: sandboxed, its own uid, restarted with backoff, ended after a
// platform crash), with the plan's memory as its -m limit and SASL authentication (PLAIN over the
// binary protocol, what memcachier's clients speak). An add-on's port, username and password are
// chosen once and kept in its state file (instances.ts), so its MEMCACHIER_* vars stay valid
// across platform restarts. memcached is a cache: what it holds does not survive a restart of
// the server (a platform restart, a crash, a plan change) — the server and credentials do.
//
// SASL: memcached -S authenticates through Cyrus SASL, configured by SASL_CONF_PATH (a directory
// with memcached.conf: `mech_list: plain`, `sasldb_path`); the user is in a sasldb written by
// saslpasswd2 (sasl2-bin), in the realm memcached uses — its host name, which in the sandbox is
// the spec's label. (Debian's memcached is not built with MEMCACHED_SASL_PWDB support.)
import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {chown, mkdtemp, readdir, rename, rm} from 'node:fs/promises'
import {connect} from 'node:net'
import {hostname} from 'node:os'
import {join} from 'node:path'

import {SERVICE_UIDS, type ServiceProcesses, type ServiceSpec} from '../dynos/service-processes.js'
import {InstanceFiles, isAddonId, makeServerDir, onPath, provisionInstance, removeInstance, resumeInstances, writePrivateFile} from './instances.js'
import {type AddonProvider, type Availability, ProviderError, type ProviderRuntime, type ProvisionContext, type ProvisionedAddon, type ProvisionResult} from './provider.js'

/** MemCachier's plans and their cache sizes */
export const MEMCACHIER_PLANS = [
  {name: 'dev', humanName: 'Developer', memoryMb: 25, default: true},
  {name: '100', humanName: '100 MB', memoryMb: 100},
  {name: '250', humanName: '250 MB', memoryMb: 250},
  {name: '500', humanName: '500 MB', memoryMb: 500},
  {name: '1000', humanName: '1 GB', memoryMb: 1000},
] as const

/** where add-on ports are chosen (memcached's own 11211 is left to one the machine may run) */
export const DEFAULT_MEMCACHED_PORTS: readonly [number, number] = [11_300, 11_699]

/** the host name memcached has in the sandbox (--hostname): the realm of its SASL users */
const LABEL = 'memcached'

interface MemcacheState {
  memoryMb: number
  password: string
  port: number
  username: string
}

/** An add-on's memcached as its dashboard shows it (MemcacheProvider.stats). */
export interface MemcacheStats {
  memoryMb: number
  port: number
  /** STAT's fields: curr_items, bytes, limit_maxbytes, get_hits, get_misses, evictions, curr_connections … */
  stats: Record<string, string>
}

export interface MemcacheProviderOptions {
  /** the memcached binary; found on PATH by default */
  memcached?: string
  ports?: readonly [number, number]
}

export class MemcacheProvider implements AddonProvider {
  readonly service = {
    name: 'memcachier',
    humanName: 'MemCachier',
    primaryAttachmentName: 'MEMCACHIER',
    attachmentNamePrefix: 'MEMCACHIER',
    plans: MEMCACHIER_PLANS.map(plan => ({
      name: plan.name, humanName: plan.humanName, default: 'default' in plan ? plan.default : undefined, priceCents: 0,
      description: `A memcached of its own on this machine, ${plan.memoryMb} MB, SASL authentication (a cache: emptied when it restarts)`,
    })),
  }

  private runtime?: ProviderRuntime
  private files?: InstanceFiles<MemcacheState>
  private binary?: string
  private saslpasswd?: string

  constructor(private readonly options: MemcacheProviderOptions = {}) {}

  async start(runtime: ProviderRuntime): Promise<void> {
    this.runtime = runtime
    this.files = new InstanceFiles(runtime.dir)
    this.binary = this.options.memcached ?? await onPath('memcached')
    this.saslpasswd = await onPath('saslpasswd2')
    const {services} = runtime
    if (services === undefined || this.binary === undefined || this.saslpasswd === undefined) return
    // the scratch dirs of SASL databases a crash interrupted
    for (const name of await readdir(runtime.dir).catch(() => [])) {
      if (name.startsWith('.sasldb-')) await rm(join(runtime.dir, name), {recursive: true, force: true})
    }

    await resumeInstances({service: 'memcachier', files: this.files, runtime, services, key: serviceKey, run: (id, state) => this.run(services, id, state)})
  }

  availability(): Availability {
    if (this.runtime === undefined) return {available: false, reason: 'memcachier is not started yet.'}
    if (this.runtime.services === undefined) return {available: false, reason: 'memcachier runs a memcached per add-on, and this platform runs no processes (it was started without dynos).'}
    if (this.binary === undefined) return {available: false, reason: 'memcachier needs memcached, which is not installed on this machine (Debian/Ubuntu: apt-get install memcached).'}
    if (this.saslpasswd === undefined) return {available: false, reason: 'memcachier needs saslpasswd2 and the SASL PLAIN module, which are not installed on this machine (Debian/Ubuntu: apt-get install sasl2-bin libsasl2-modules).'}
    return {available: true}
  }

  async provision(ctx: ProvisionContext): Promise<ProvisionResult> {
    const {services, files} = this.require()
    const plan = planOf(ctx.plan)
    const state = await provisionInstance({
      service: 'memcachier', server: 'memcached', addonId: ctx.addonId, addonName: ctx.addonName, files, services,
      ports: this.options.ports ?? DEFAULT_MEMCACHED_PORTS, key: serviceKey,
      create: port => ({port, username: randomBytes(6).toString('hex').toUpperCase(), password: randomBytes(16).toString('hex').toUpperCase(), memoryMb: plan.memoryMb}),
      run: s => this.run(services, ctx.addonId, s),
    })
    return {
      providerId: ctx.addonId,
      configVars: configVars(state),
      message: `A memcached of its own (${state.memoryMb} MB) on 127.0.0.1:${state.port}.`,
      webUrl: null,
    }
  }

  async deprovision(addon: ProvisionedAddon): Promise<void> {
    const id = addonIdOf(addon)
    if (this.files === undefined) throw new ProviderError('memcachier is not started yet.')
    await removeInstance(this.files, this.runtime?.services, serviceKey, id)
  }

  async changePlan(addon: ProvisionedAddon, toPlan: string): Promise<{configVars?: Record<string, string>, message?: null | string}> {
    const {services, files} = this.require()
    const id = addonIdOf(addon)
    const plan = planOf(toPlan)
    const state = await files.read(id)
    if (state === undefined) throw new ProviderError(`${addon.addonName} has no memcached on this platform.`)
    const next = {...state, memoryMb: plan.memoryMb}
    await files.write(id, next)
    // memcached takes its memory limit at start only (with SASL on, the text protocol's
    // cache_memlimit is not available): it restarts, empty, on the same port
    await services.stop(serviceKey(id))
    await this.run(services, id, next)
    return {message: `The cache is now ${plan.memoryMb} MB; it restarted empty. MEMCACHIER_SERVERS and the credentials are unchanged.`}
  }

  /** What the add-on's dashboard shows: the server's STAT over the binary protocol, after SASL PLAIN as the add-on's user. */
  async stats(addonId: string): Promise<MemcacheStats> {
    if (this.files === undefined) throw new ProviderError('memcachier is not started yet.')
    if (!isAddonId(addonId)) throw new ProviderError(`Unexpected memcachier handle ${addonId}`)
    const state = await this.files.read(addonId)
    if (state === undefined) throw new ProviderError('This add-on has no memcached on this platform.')
    const stats = await memcachedStats(state.port, state.username, state.password)
    return {stats, port: state.port, memoryMb: state.memoryMb}
  }

  private require(): {files: InstanceFiles<MemcacheState>, services: ServiceProcesses} {
    const availability = this.availability()
    if (!availability.available) throw new ProviderError(availability.reason)
    return {services: this.runtime!.services!, files: this.files!}
  }

  private async run(services: ServiceProcesses, addonId: string, state: MemcacheState): Promise<void> {
    const dir = this.files!.serverDir(addonId)
    const uid = services.separateUsers ? SERVICE_UIDS.memcached : undefined
    await this.writeSasl(dir, uid, state)
    const runtime = this.runtime!
    const args = ['-S', '-l', '127.0.0.1', '-p', String(state.port), '-U', '0', '-m', String(state.memoryMb), '-c', '1024']
    // memcached refuses to run as root without a user to switch to: as root without a uid of its
    // own (no sandbox that switches users), it stays root, as the platform is
    if (uid === undefined && process.getuid?.() === 0) args.push('-u', 'root')
    const spec: ServiceSpec = {
      key: serviceKey(addonId),
      label: LABEL,
      file: this.binary!,
      args,
      env: {SASL_CONF_PATH: dir},
      writable: [dir],
      uid: SERVICE_UIDS.memcached,
      readyTimeoutMs: 30_000,
      stopSignal: 'SIGTERM',
      stopGraceMs: 5000,
      ready: () => saslAuthenticates(state.port, state.username, state.password),
      onLine: line => runtime.addonLog(addonId, 'memcached', line),
    }
    await services.ensure(spec)
  }

  /**
   * The SASL config and user database in the server's directory, written afresh at every start
   * (the realm is the host name, which outside a sandbox may have changed since the last one).
   * The database is made in the platform's own directory (the server cannot reach it: saslpasswd2
   * runs as the platform's user and follows links) and moved into the server's when complete.
   */
  private async writeSasl(dir: string, uid: number | undefined, state: MemcacheState): Promise<void> {
    await makeServerDir(dir, uid)
    const db = join(dir, 'sasldb2')
    await writePrivateFile(join(dir, 'memcached.conf'), `mech_list: plain\nsasldb_path: ${db}\n`, uid)
    const scratch = await mkdtemp(join(this.runtime!.dir, '.sasldb-'))
    try {
      const made = join(scratch, 'sasldb2')
      const realms = [...new Set([this.runtime!.sandbox.enabled ? LABEL : hostname(), hostname(), LABEL])]
      for (const realm of realms) {
        // the password on stdin (-p), never on a command line

        await run(this.saslpasswd!, ['-p', '-c', '-a', 'memcached', '-f', made, '-u', realm, state.username], state.password)
      }

      if (uid !== undefined) await chown(made, uid, uid)
      await rename(made, db)
    } finally {
      await rm(scratch, {recursive: true, force: true})
    }
  }
}

function configVars(state: MemcacheState): Record<string, string> {
  return {SERVERS: `127.0.0.1:${state.port}`, USERNAME: state.username, PASSWORD: state.password}
}

function planOf(name: string): (typeof MEMCACHIER_PLANS)[number] {
  const short = name.replace(/^memcachier:/, '')
  const plan = MEMCACHIER_PLANS.find(p => p.name === short)
  if (plan === undefined) throw new ProviderError(`Unknown memcachier plan ${short}; one of: ${MEMCACHIER_PLANS.map(p => p.name).join(', ')}.`)
  return plan
}

function addonIdOf(addon: ProvisionedAddon): string {
  const id = addon.providerId || addon.addonId
  if (!isAddonId(id)) throw new ProviderError(`Unexpected memcachier handle ${id}`)
  return id
}

const serviceKey = (addonId: string): string => `memcached-${addonId}`

function run(file: string, args: string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, {timeout: 10_000}, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${file} failed: ${stderr.trim() || error.message}`))
      else resolve()
    })
    child.stdin?.end(input)
  })
}

/** A SASL PLAIN authentication over memcached's binary protocol: whether the server accepts the user. */
export function saslAuthenticates(port: number, username: string, password: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({host: '127.0.0.1', port})
    let buffer = Buffer.alloc(0)
    const done = (ok: boolean | Error): void => {
      socket.destroy()
      if (ok instanceof Error) reject(ok)
      else resolve(ok)
    }

    socket.setTimeout(timeoutMs, () => done(new Error(`no answer from 127.0.0.1:${port}`)))
    socket.once('error', done)
    socket.once('connect', () => {
      const key = Buffer.from('PLAIN')
      const value = Buffer.from(`\0${username}\0${password}`)
      const header = Buffer.alloc(24)
      header[0] = 0x80 // request
      header[1] = 0x21 // SASL auth
      header.writeUInt16BE(key.length, 2)
      header.writeUInt32BE(key.length + value.length, 8)
      socket.write(Buffer.concat([header, key, value]))
    })
    socket.on('data', chunk => {
      buffer = Buffer.concat([buffer, chunk])
      if (buffer.length < 24) return
      if (buffer[0] !== 0x81) {
        done(new Error('not a memcached binary response'))
        return
      }

      // status 0: authenticated; 0x20: refused
      done(buffer.readUInt16BE(6) === 0)
    })
  })
}

function binaryRequest(opcode: number, key: Buffer, value: Buffer, opaque: number): Buffer {
  const header = Buffer.alloc(24)
  header[0] = 0x80
  header[1] = opcode
  header.writeUInt16BE(key.length, 2)
  header.writeUInt32BE(key.length + value.length, 8)
  header.writeUInt32BE(opaque, 12)
  return Buffer.concat([header, key, value])
}

/**
 * SASL PLAIN, then STAT, on one connection (memcached's binary protocol): the stats as name → value.
 * memcached answers STAT with one packet per stat and an empty-keyed one at the end.
 */
export function memcachedStats(port: number, username: string, password: string, timeoutMs = 3000): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const socket = connect({host: '127.0.0.1', port})
    let buffer = Buffer.alloc(0)
    let authenticated = false
    const stats: Record<string, string> = {}
    const done = (result: Error | Record<string, string>): void => {
      socket.destroy()
      if (result instanceof Error) reject(result)
      else resolve(result)
    }

    socket.setTimeout(timeoutMs, () => done(new Error(`no answer from 127.0.0.1:${port}`)))
    socket.once('error', done)
    socket.once('connect', () => {
      socket.write(Buffer.concat([
        binaryRequest(0x21, Buffer.from('PLAIN'), Buffer.from(`\0${username}\0${password}`), 1),
        binaryRequest(0x10, Buffer.alloc(0), Buffer.alloc(0), 2),
      ]))
    })
    socket.on('data', chunk => {
      buffer = Buffer.concat([buffer, chunk])
      while (buffer.length >= 24) {
        if (buffer[0] !== 0x81) {
          done(new Error('not a memcached binary response'))
          return
        }

        const keyLength = buffer.readUInt16BE(2)
        const extrasLength = buffer[4]
        const status = buffer.readUInt16BE(6)
        const bodyLength = buffer.readUInt32BE(8)
        if (buffer.length < 24 + bodyLength) return
        const body = buffer.subarray(24, 24 + bodyLength)
        const opcode = buffer[1]
        buffer = buffer.subarray(24 + bodyLength)
        if (opcode === 0x21) {
          if (status !== 0) {
            done(new Error('memcached refused the add-on\'s credentials'))
            return
          }

          authenticated = true
          continue
        }

        if (opcode === 0x10) {
          if (!authenticated || status !== 0) {
            done(new Error(`memcached refused STAT (status ${status})`))
            return
          }

          const key = body.subarray(extrasLength, extrasLength + keyLength).toString('utf8')
          if (key === '') {
            done(stats)
            return
          }

          stats[key] = body.subarray(extrasLength + keyLength).toString('utf8')
        }
      }
    })
  })
}
