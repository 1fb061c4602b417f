// The add-on servers the platform runs (postgres, redis-server, memcached …), supervised by the
// same mechanism as dynos (DESIGN principle 8): spawned detached (a process group of their own)
// in the sandbox, carrying the platform's marker in their environment and recorded in
// DATA/runtime/groups (processes.ts), so that the supervisor's start after a crash — kill -9
// included — ends what an earlier run left behind before anything starts again; restarted with
// the dynos' backoff when they die; stopped with the platform (their signal, then SIGKILL).
//
// A server is known by a key (stable across restarts: "postgres", "redis-<handle>"). ensure()
// starts it unless it runs, and resolves once its own readiness probe says it serves. Its output
// goes to the spec's onLine, never to the platform log (the provider decides which app sees it).
import {type ChildProcess, spawn} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {lchown, lstat, mkdir, readdir} from 'node:fs/promises'
import {join} from 'node:path'

import {confine, sandboxStateDir, type SandboxStatus} from '../sandbox/sandbox.js'
import {crashBackoffMs} from './backoff.js'
import {pipeLines} from './output-lines.js'
import {DYNO_MARKER_VAR, forgetGroup, groupAlive, PLATFORM_MARKER_VAR, recordGroup, signalGroup} from './processes.js'

export interface ServiceSpec {
  args: readonly string[]
  env?: Readonly<Record<string, string>>
  file: string
  /** stable and file-name safe: "postgres", "redis-0123abcd" */
  key: string
  /** what its log lines are attributed to: heroku[<label>] */
  label: string
  /** each line it prints (stdout and stderr) */
  onLine?(line: string): void
  /** files or directories it reads besides the system's (shown read-only at the same path) */
  readable?: readonly string[]
  /** whether it serves yet: a connection, a PING, a query */
  ready(): Promise<boolean>
  /** how long it may take to serve after a start; 60 s by default */
  readyTimeoutMs?: number
  /** how long a clean stop may take before SIGKILL; 15 s by default */
  stopGraceMs?: number
  /** what asks it to stop cleanly (postgres: SIGINT, its fast shutdown); SIGTERM by default */
  stopSignal?: NodeJS.Signals
  /** the uid (= gid) it runs as when the platform switches users (root); see SERVICE_UIDS */
  uid?: number
  /** directories it writes: made (0700), owned by its uid, writable in the sandbox at the same path */
  writable: readonly string[]
}

/** A command run once to its end under the same confinement as a server (initdb before postgres). */
export interface OneShotSpec {
  args: readonly string[]
  env?: Readonly<Record<string, string>>
  file: string
  /** stable and file-name safe, recorded while it runs: "postgres-initdb" */
  key: string
  label: string
  readable?: readonly string[]
  /** killed (its whole group) after this long; 120 s by default */
  timeoutMs?: number
  uid?: number
  writable: readonly string[]
}

export interface OneShotResult {
  /** its exit status (null when a signal ended it) */
  code: null | number
  /** what it printed (stdout and stderr interleaved by line), at most the last 200 lines */
  output: string[]
  signal: NodeJS.Signals | null
}

/**
 * The uids of the add-on servers when the platform runs as root: below the apps' range
 * (APP_UID_BASE, 200000 + the app's row), one per kind of server, so that no dyno can read
 * a server's files and no server another kind's.
 */
export const SERVICE_UIDS = {postgres: 199_901, redis: 199_902, memcached: 199_903} as const

export interface ServiceProcessesOptions {
  backoffInitialMs: number
  backoffMaxMs: number
  /** PATH and the like */
  baseEnv: Record<string, string>
  crashResetMs: number
  dataDir: string
  log: (line: string) => void
  marker: string
  sandbox: SandboxStatus
}

type ServiceState = 'crashed' | 'down' | 'starting' | 'stopping' | 'up'

interface Service {
  child?: ChildProcess
  crashes: number
  exited?: Promise<void>
  pgid?: number
  /** settles when the current start serves (or fails to) */
  ready?: Promise<void>
  restartTimer?: NodeJS.Timeout
  spec: ServiceSpec
  state: ServiceState
  /** the last lines it printed, for an error that says why it did not start */
  tail: string[]
  upSince?: number
}

const TAIL_LINES = 8

export class ServiceProcesses {
  private readonly services = new Map<string, Service>()
  /** process groups of the one-shots running now (ended by close()) */
  private readonly oneShots = new Set<number>()
  /** launches and one-shots under way: close() waits for them, so nothing writes after it */
  private readonly underway = new Set<Promise<unknown>>()
  private closed = false

  constructor(private readonly o: ServiceProcessesOptions) {}

  /** Whether a uid of its own is what the server runs as (the platform runs as root, in the sandbox). */
  get separateUsers(): boolean {
    return this.o.sandbox.enabled && this.o.sandbox.separateUsers
  }

  /**
   * Starts the server unless it runs already (a changed spec replaces the old one at its next
   * start); resolves once it serves, rejects with the reason (and its last lines) if it cannot.
   */
  async ensure(spec: ServiceSpec): Promise<void> {
    if (this.closed) throw new Error('the platform is stopping')
    let service = this.services.get(spec.key)
    if (service === undefined) {
      service = {spec, state: 'down', crashes: 0, tail: []}
      this.services.set(spec.key, service)
    } else {
      service.spec = spec
    }

    if (service.state === 'up') return
    if (service.state === 'starting' && service.ready) return service.ready
    if (service.state === 'stopping') await service.exited
    clearTimeout(service.restartTimer)
    return this.start(service)
  }

  /**
   * Runs a command to its end as a server of this kind would run (sandbox, uid, writable dirs made
   * and given to it, recorded so that a platform crash while it runs leaves nothing behind).
   * Resolves with how it ended; a command that cannot start is a status 127 with the reason.
   */
  async runOnce(spec: OneShotSpec): Promise<OneShotResult> {
    return this.track(this.runOneShot(spec))
  }

  private async runOneShot(spec: OneShotSpec): Promise<OneShotResult> {
    if (this.closed) throw new Error('the platform is stopping')
    const {file, args, env, cwd} = await this.command(spec, `oneshot-${spec.key}`)
    if (this.closed) throw new Error('the platform is stopping')
    const child = spawn(file, args, {cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe']})
    const instance = `oneshot-${spec.key}`
    if (child.pid !== undefined) {
      recordGroup(this.o.dataDir, instance, child.pid)
      this.oneShots.add(child.pid)
    }

    const output: string[] = []
    const onLine = (line: string): void => {
      output.push(line)
      if (output.length > 200) output.shift()
    }

    pipeLines(child.stdout!, onLine)
    pipeLines(child.stderr!, onLine)
    const timer = setTimeout(() => {
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL')
      onLine(`${spec.label}: killed after ${Math.round((spec.timeoutMs ?? 120_000) / 1000)} s`)
    }, spec.timeoutMs ?? 120_000)
    try {
      return await new Promise<OneShotResult>(resolve => {
        child.once('error', error => {
          onLine(`cannot start ${spec.file}: ${error.message}`)
          resolve({code: 127, signal: null, output})
        })
        child.once('close', (code, signal) => resolve({code, signal, output}))
      })
    } finally {
      clearTimeout(timer)
      // whatever it left in its group goes with it
      if (child.pid !== undefined) {
        signalGroup(child.pid, 'SIGKILL')
        this.oneShots.delete(child.pid)
      }

      forgetGroup(this.o.dataDir, instance)
    }
  }

  isUp(key: string): boolean {
    return this.services.get(key)?.state === 'up'
  }

  /** Stops the server (its stop signal, SIGKILL after the grace period) and forgets it. */
  async stop(key: string): Promise<void> {
    const service = this.services.get(key)
    if (service === undefined) return
    this.services.delete(key)
    await this.halt(service)
  }

  /** Stops every server (the platform is stopping). */
  async close(): Promise<void> {
    this.closed = true
    for (const pgid of this.oneShots) signalGroup(pgid, 'SIGKILL')
    const all = [...this.services.values()]
    this.services.clear()
    await Promise.all(all.map(s => this.halt(s)))
    // a one-shot just killed still records its end; a launch still making its dirs stops there
    await Promise.allSettled(this.underway)
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.underway.add(work)
    const forget = () => this.underway.delete(work)
    work.then(forget, forget)
    return work
  }

  private start(service: Service): Promise<void> {
    const {spec} = service
    service.state = 'starting'
    service.tail = []
    const ready = this.track(this.launch(service)).then(() => this.awaitReady(service, spec))
    service.ready = ready
    // a start nobody awaits (a restart after a crash) must not become an unhandled rejection
    ready.catch(error => this.o.log(`service ${spec.label} (${spec.key}) did not start: ${(error as Error).message}`))
    return ready
  }

  /** The confined command line of a server or one-shot: its writable dirs made and given to its uid. */
  private async command(spec: OneShotSpec | ServiceSpec, instance: string): Promise<{args: string[], cwd: string, env: Record<string, string>, file: string}> {
    const uid = this.separateUsers ? spec.uid : undefined
    for (const dir of spec.writable) await prepareDir(dir, uid)
    const command = confine(this.o.sandbox, {
      file: spec.file, args: spec.args, cwd: spec.writable[0] ?? '/', uid, hostname: spec.label,
      hide: [this.o.dataDir], identityDir: sandboxStateDir(this.o.dataDir),
      binds: [
        ...(spec.readable ?? []).map(path => ({host: path, path, writable: false})),
        ...spec.writable.map(path => ({host: path, path, writable: true})),
      ],
    })
    const env = {...this.o.baseEnv, ...spec.env, [PLATFORM_MARKER_VAR]: this.o.marker, [DYNO_MARKER_VAR]: instance}
    return {...command, env, cwd: this.o.sandbox.enabled ? '/' : spec.writable[0] ?? '/'}
  }

  private async launch(service: Service): Promise<void> {
    const {spec} = service
    const command = await this.command(spec, `service-${spec.key}`)
    // close() came while its dirs were made: start nothing it would not stop
    if (this.closed) throw new Error('the platform is stopping')
    const child = spawn(command.file, command.args, {cwd: command.cwd, env: command.env, detached: true, stdio: ['ignore', 'pipe', 'pipe']})
    service.child = child
    service.pgid = child.pid
    if (child.pid !== undefined) recordGroup(this.o.dataDir, `service-${spec.key}`, child.pid)
    const onLine = (line: string): void => {
      service.tail.push(line)
      if (service.tail.length > TAIL_LINES) service.tail.shift()
      spec.onLine?.(line)
    }

    pipeLines(child.stdout!, onLine)
    pipeLines(child.stderr!, onLine)
    service.exited = new Promise(resolve => {
      child.once('error', error => onLine(`cannot start ${spec.file}: ${error.message}`))
      child.once('close', (code, signal) => {
        this.exited(service, child, signal ? `signal ${signal}` : `status ${code}`)
        resolve()
      })
    })
  }

  private async awaitReady(service: Service, spec: ServiceSpec): Promise<void> {
    const {child} = service
    // this start's lines: a restart after its exit (0 ms backoff at first) begins a tail of its own
    const {tail} = service
    const deadline = Date.now() + (spec.readyTimeoutMs ?? 60_000)
    for (;;) {
      if (service.child !== child || child === undefined) throw new Error(`${spec.label} exited before it served${lastLines(tail)}`)

      if (await spec.ready().catch(() => false)) break
      if (service.child !== child) continue
      if (Date.now() > deadline) {
        signalGroup(service.pgid!, 'SIGKILL')
        throw new Error(`${spec.label} did not serve within ${Math.round((spec.readyTimeoutMs ?? 60_000) / 1000)} s${lastLines(tail)}`)
      }

      await sleep(50)
    }

    service.state = 'up'
    service.upSince = Date.now()
    this.o.log(`service ${spec.label} (${spec.key}) up, pid ${child.pid}`)
  }

  private exited(service: Service, child: ChildProcess, how: string): void {
    if (service.child !== child) return
    service.child = undefined
    if (service.pgid !== undefined) signalGroup(service.pgid, 'SIGKILL')
    forgetGroup(this.o.dataDir, `service-${service.spec.key}`)
    if (service.state === 'stopping' || this.closed || this.services.get(service.spec.key) !== service) {
      service.state = 'down'
      return
    }

    const wasUp = service.state === 'up'
    if (service.upSince !== undefined && Date.now() - service.upSince > this.o.crashResetMs) service.crashes = 0
    service.upSince = undefined
    service.crashes++
    service.state = 'crashed'
    const delay = crashBackoffMs(service.crashes, this.o)
    this.o.log(`service ${service.spec.label} (${service.spec.key}) exited with ${how}${wasUp ? '' : ' while starting'}; restarting in ${delay} ms`)
    service.spec.onLine?.(`Process exited with ${how}; restarting${delay > 0 ? ` in ${Math.round(delay / 1000)} s` : ''}`)
    service.restartTimer = setTimeout(() => {
      if (this.closed || this.services.get(service.spec.key) !== service || service.state !== 'crashed') return
      void this.start(service)
    }, delay)
  }

  private async halt(service: Service): Promise<void> {
    clearTimeout(service.restartTimer)
    const {child, pgid} = service
    if (child === undefined || pgid === undefined) {
      service.state = 'down'
      return
    }

    service.state = 'stopping'
    const signal = service.spec.stopSignal ?? 'SIGTERM'
    const main = this.o.sandbox.enabled ? serverPid(pgid) : pgid
    try {
      if (main !== undefined) process.kill(main, signal)
    } catch {}

    const grace = service.spec.stopGraceMs ?? 15_000
    await Promise.race([service.exited, sleep(grace)])
    const deadline = Date.now() + 1000
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(25)
    if (groupAlive(pgid)) {
      this.o.log(`service ${service.spec.label} (${service.spec.key}) did not stop within ${Math.round(grace / 1000)} s of ${signal}: SIGKILL`)
      signalGroup(pgid, 'SIGKILL')
      await Promise.race([service.exited, sleep(2000)])
    }

    service.state = 'down'
  }
}

/** The sandboxed server's own process: the first process under the leader that is not bwrap. */
function serverPid(leader: number): number | undefined {
  const children = new Map<number, number[]>()
  let names: string[]
  try {
    names = readdirSync('/proc')
  } catch {
    return undefined
  }

  const comm = new Map<number, string>()
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'latin1')
      const open = text.indexOf('(')
      const close = text.lastIndexOf(')')
      const ppid = Number(text.slice(close + 2).split(' ')[1])
      const pid = Number(name)
      comm.set(pid, text.slice(open + 1, close))
      children.set(ppid, [...children.get(ppid) ?? [], pid])
    } catch {}
  }

  const queue = [...children.get(leader) ?? []]
  while (queue.length > 0) {
    const pid = queue.shift()!
    if (comm.get(pid) !== 'bwrap') return pid
    queue.push(...children.get(pid) ?? [])
  }

  return undefined
}

/** Makes the directory (0700) and gives it, and what is in it, to `uid` when it is someone else's. */
async function prepareDir(dir: string, uid: number | undefined): Promise<void> {
  await mkdir(dir, {recursive: true, mode: 0o700})
  if (uid === undefined) return
  const stat = await lstat(dir)
  if (stat.uid === uid) return
  // lchown: a link the server left in its own dir must not turn a root chown onto its target
  const walk = async (path: string): Promise<void> => {
    await lchown(path, uid, uid)
    const entry = await lstat(path)
    if (!entry.isDirectory()) return
    for (const name of await readdir(path)) await walk(join(path, name))
  }

  await walk(dir)
}

function lastLines(tail: readonly string[]): string {
  return tail.length === 0 ? '' : `: ${tail.join(' / ')}`
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => {
    setTimeout(resolve, ms)
  })
}
