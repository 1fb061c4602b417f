// The dyno supervisor: runs each app's formation of its current release as real processes.
//
//   release.created     → unpack the new release (old dynos keep serving meanwhile), stop the
//                         old dynos (SIGTERM to the group, SIGKILL after the grace period), start
//                         the formation again with the new config
//   formation.changed   → start / stop dynos until the formation matches
//   dynos.restart/.stop → restart / stop matching dynos
//   app.deleted         → stop everything of the app
//
// Dyno processes: `bash -c` running the command (after sourcing .profile.d/*.sh) with cwd = the
// unpacked release, env = the release's config vars + PORT, DYNO, PS, HOME; spawned detached so
// the dyno is a process group of its own and nothing it forks outlives it. A dyno that exits by
// itself is `crashed`: restarted at once the first time, then after 1 s, 2 s, 4 s … (capped);
// the count resets once it stayed up for a while. A web dyno must accept connections on PORT
// within the boot timeout or it is killed (R10). States: starting → up | crashed | down.
//
// After a platform crash (kill -9 included), start() kills every process still carrying this
// data dir's marker in its environment (see processes.ts) before starting the formations afresh,
// so there are never two generations of an app's dynos, nor orphans.
import {type ChildProcess, execFile, spawn} from 'node:child_process'
import {randomBytes, randomUUID} from 'node:crypto'
import {EventEmitter} from 'node:events'
import type {IncomingMessage} from 'node:http'
import {constants} from 'node:os'
import type {Duplex} from 'node:stream'

import {ATTACH_UPGRADE, encodeFrame, exitFrame, FrameDecoder, FrameType} from '../../lib/run/attach-frames.js'
import type {PlatformEvents} from '../events.js'
import {nameBasedId} from '../ids.js'
import type {LogSink} from '../logs/log-sink.js'
import {parseConfig} from '../store/apps.js'
import type {Store} from '../store/database.js'
import {type FormationRow, listFormations} from '../store/formations.js'
import {currentRelease, type ReleaseRow} from '../store/releases.js'
import {accepts, DEFAULT_PORT_RANGE, PortAllocator} from './ports.js'
import {DYNO_MARKER_VAR, groupAlive, killLeftovers, markedProcesses, PLATFORM_MARKER_VAR, platformMarker, portHeldBy, recordGroup, forgetGroup, killRecordedGroups, signalGroup, terminalOf} from './processes.js'
import {prepareReleaseDir, pruneReleaseDirs} from './release-dir.js'

export type DynoState = 'starting' | 'up' | 'crashed' | 'down'

export interface SupervisorOptions {
  dataDir: string
  store: Store
  events: PlatformEvents
  logs: LogSink
  /** the platform's own log */
  log?: (line: string) => void
  /** where attach URLs point: the API's base URL */
  apiUrl: string
  /** web dyno ports come from this range (inclusive) */
  portRange?: readonly [number, number]
  /** SIGTERM → SIGKILL grace period; Heroku's is 30 s */
  stopGraceMs?: number
  /** a web dyno must accept connections on PORT within this; Heroku's is 60 s */
  bootTimeoutMs?: number
  /** the second crash in a row waits this long, doubling each further crash */
  backoffInitialMs?: number
  backoffMaxMs?: number
  /** up this long and the crash count starts over */
  crashResetMs?: number
  /** an attached one-off dyno nobody attached to within this is dropped */
  attachTimeoutMs?: number
  /** how often a starting web dyno's port is tried */
  bootPollMs?: number
  /** PATH and the like for dynos; defaults to the platform's PATH */
  baseEnv?: Record<string, string>
}

export interface DynoSnapshot {
  id: string
  name: string
  type: string
  command: string
  size: string
  state: DynoState
  createdAt: string
  updatedAt: string
  release: {id: string, version: number} | null
  attachUrl: string | null
}

/** A web dyno the router may send requests to. */
export interface Backend {
  readonly name: string
  readonly port: number
  /** requests in flight, kept by the router */
  inflight: number
}

/** The web side of an app, kept current for the router. */
export interface WebPool {
  /** web dynos in state up */
  up: Backend[]
  starting: number
  crashed: number
  /** web dynos the formation asks for */
  wanted: number
  /** changes (deploy, scale, restart) queued or under way: dynos may be about to appear */
  pending: number
}

interface Dyno {
  readonly appId: string
  readonly id: string
  readonly name: string
  readonly type: string
  command: string
  size: string
  state: DynoState
  createdAt: string
  updatedAt: string
  release: ReleaseRow | null
  dir: string | null
  port?: number
  child?: ChildProcess
  pgid?: number
  backend?: Backend
  crashes: number
  /** bumped on every spawn: a late callback of an earlier spawn sees it changed */
  generation: number
  /** the marker value the current process carries (DYNO_MARKER_VAR) */
  instance?: string
  upSince?: number
  /** stopped on purpose: not restarted when it exits */
  stopping: boolean
  /** ps:stop: stays down until the next restart or release */
  held: boolean
  exited?: Promise<void>
  timers: Set<NodeJS.Timeout>
  oneOff?: OneOff
}

interface OneOff {
  env: Record<string, string>
  attach: boolean
  tty: boolean
  secret?: string
  ttlMs: number
}

interface AppRuntime {
  appId: string
  appName: string
  release: ReleaseRow | null
  dir: string | null
  dynos: Map<string, Dyno>
  pool: WebPool
  nextRun: number
  queue: Promise<void>
}

const PROFILE = 'for f in .profile.d/*.sh; do [ -r "$f" ] && . "$f"; done; '
const SIGNALS = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGKILL', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'])

const now = (): string => new Date().toISOString()
const shellQuote = (s: string): string => `'${s.replaceAll("'", String.raw`'\''`)}'`

export class Supervisor {
  readonly marker: string
  private readonly apps = new Map<string, AppRuntime>()
  private readonly attachments = new Map<string, Dyno>()
  private readonly ports: PortAllocator
  private readonly unsubscribe: (() => void)[] = []
  private readonly emitter = new EventEmitter()
  private closed = false
  private readonly o: Required<Omit<SupervisorOptions, 'baseEnv' | 'log'>> & {log: (line: string) => void, baseEnv: Record<string, string>}

  constructor(options: SupervisorOptions) {
    this.o = {
      portRange: DEFAULT_PORT_RANGE,
      stopGraceMs: 5000,
      bootTimeoutMs: 60_000,
      backoffInitialMs: 1000,
      backoffMaxMs: 5 * 60_000,
      crashResetMs: 10 * 60_000,
      attachTimeoutMs: 60_000,
      bootPollMs: 50,
      log: () => {},
      ...options,
      baseEnv: options.baseEnv ?? {PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', LANG: process.env.LANG ?? 'C.UTF-8'},
    }
    this.marker = platformMarker(options.dataDir)
    this.ports = new PortAllocator(this.o.portRange[0], this.o.portRange[1])
    this.emitter.setMaxListeners(0)
  }

  /** Kills what an earlier run left behind, then brings every app to its formation. */
  async start(): Promise<void> {
    const leftovers = [...new Set([...killRecordedGroups(this.o.dataDir), ...killLeftovers(this.marker)])]
    if (leftovers.length > 0) this.o.log(`killed ${leftovers.length} dyno process(es) left over by an earlier run: ${leftovers.join(' ')}`)
    const {events} = this.o
    this.unsubscribe.push(
      events.on('release.created', e => this.enqueue(e.appId, e.appName, rt => this.deploy(rt))),
      events.on('formation.changed', e => this.enqueue(e.appId, e.appName, rt => this.scale(rt))),
      events.on('dynos.restart', e => this.enqueue(e.appId, e.appName, rt => this.restart(rt, e.type, e.dyno))),
      events.on('dynos.stop', e => this.enqueue(e.appId, e.appName, rt => this.stopMatching(rt, e.type, e.dyno))),
      events.on('app.renamed', e => {
        const rt = this.apps.get(e.appId)
        if (rt) rt.appName = e.appName
      }),
      events.on('app.deleted', e => this.enqueue(e.appId, e.appName, async rt => {
        await Promise.all([...rt.dynos.values()].map(d => this.stop(d)))
        rt.dynos.clear()
        this.syncPool(rt)
        this.apps.delete(e.appId)
        await this.prune()
      })),
    )
    // every app back to its formation, in the background: the API does not wait for unpacking
    const apps = this.o.store.all<{id: string, name: string}>('SELECT id, name FROM apps ORDER BY name')
    void Promise.all(apps.map(app => this.enqueue(app.id, app.name, rt => this.deploy(rt)))).then(() => this.prune())
  }

  /** The app's dynos, formation and one-off, in name order. */
  list(appId: string): DynoSnapshot[] {
    const rt = this.apps.get(appId)
    if (!rt) return []
    return [...rt.dynos.values()].sort(byName).map(d => this.snapshot(d))
  }

  find(appId: string, identity: string): DynoSnapshot | undefined {
    const rt = this.apps.get(appId)
    if (!rt) return undefined
    const dyno = rt.dynos.get(identity) ?? [...rt.dynos.values()].find(d => d.id === identity.toLowerCase())
    return dyno && this.snapshot(dyno)
  }

  /** The app's web pool, kept current as dynos come and go (the same object while the app lives). */
  webPool(appId: string): WebPool | undefined {
    return this.apps.get(appId)?.pool
  }

  /** Resolves when the app's pool changes (a web dyno came up, crashed …) or after `ms`. */
  poolChanged(appId: string, ms: number): Promise<void> {
    return new Promise(resolve => {
      const done = () => {
        clearTimeout(timer)
        this.emitter.off(`pool:${appId}`, done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.emitter.once(`pool:${appId}`, done)
    })
  }

  /**
   * Starts a one-off dyno (run.N). Attached: the process starts when the client connects to
   * attachUrl (nothing is lost before); detached: at once, its output going to the logs.
   */
  async runOneOff(app: {id: string, name: string}, input: {command: string, env?: Record<string, string>, attach?: boolean, forceNoTty?: boolean, size?: string, timeToLive?: number}): Promise<DynoSnapshot> {
    if (this.closed) throw new Error('the platform is stopping')
    const rt = this.runtime(app.id, app.name)
    const release = currentRelease(this.o.store, app.id) ?? null
    const dir = release?.slug_id ? await prepareReleaseDir(this.o.dataDir, release.id, release.slug_id) : null
    const number = rt.nextRun++
    const name = `run.${number}`
    const attach = input.attach ?? false
    const dyno = this.newDyno(rt, name, 'run', input.command, input.size ?? 'basic', release, dir)
    dyno.oneOff = {env: input.env ?? {}, attach, tty: attach && !input.forceNoTty, ttlMs: (input.timeToLive ?? 86_400) * 1000}
    rt.dynos.set(name, dyno)
    if (attach) {
      const secret = randomBytes(24).toString('base64url')
      dyno.oneOff.secret = secret
      this.attachments.set(secret, dyno)
      this.timer(dyno, this.o.attachTimeoutMs, () => {
        if (dyno.child) return
        this.attachments.delete(secret)
        rt.dynos.delete(name)
        this.logLine(dyno, 'heroku', 'Nobody attached to the one-off dyno in time; stopping it')
      })
      this.setState(rt, dyno, 'starting')
      this.logLine(dyno, 'heroku', `Starting process with command \`${input.command}\` (waiting for the client to attach)`)
    } else {
      this.spawnDyno(rt, dyno)
    }
    return this.snapshot(dyno)
  }

  /**
   * Handles an HTTP Upgrade on the API port for an attach URL (/dyno-attach/<secret>); returns
   * false when the URL is not one.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const match = /^\/dyno-attach\/([\w-]{20,64})$/.exec((req.url ?? '').split('?')[0])
    if (!match) return false
    const dyno = this.attachments.get(match[1])
    if (!dyno || String(req.headers.upgrade ?? '').toLowerCase() !== ATTACH_UPGRADE) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 36\r\n\r\nThis URL is unknown or has expired.\n')
      return true
    }
    this.attachments.delete(match[1])
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${ATTACH_UPGRADE}\r\n\r\n`)
    const rt = this.apps.get(dyno.appId)
    if (!rt) {
      socket.end(exitFrame(1))
      return true
    }
    ;(socket as {setNoDelay?: (v: boolean) => void}).setNoDelay?.(true)
    const child = this.spawnDyno(rt, dyno, socket)
    if (!child) {
      socket.end(exitFrame(127))
      return true
    }
    const decoder = new FrameDecoder((type, payload) => {
      if (type === FrameType.stdin) child.stdin?.write(payload)
      else if (type === FrameType.stdinEof) child.stdin?.end()
      else if (type === FrameType.signal) {
        const name = payload.toString('latin1')
        // on a terminal, Ctrl-C is the terminal's business: the pty turns ^C into SIGINT
        if (name === 'SIGINT' && dyno.oneOff?.tty) child.stdin?.write('\u0003')
        else if (SIGNALS.has(name) && dyno.pgid) signalGroup(dyno.pgid, name as NodeJS.Signals)
      } else if (type === FrameType.resize && dyno.oneOff?.tty && payload.length === 4 && dyno.instance) {
        // the pty belongs to script(1)'s child: set its size from outside (stty -F), which also
        // sends SIGWINCH to the terminal's foreground job
        const tty = terminalOf(markedProcesses(DYNO_MARKER_VAR, dyno.instance))
        if (tty) execFile('stty', ['-F', tty, 'cols', String(payload.readUInt16BE(0)), 'rows', String(payload.readUInt16BE(2))], () => {})
      }
    })
    child.stdin?.on('error', () => {})
    if (head.length > 0) decoder.push(head)
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk)
      } catch {
        socket.destroy()
      }
    })
    socket.on('error', () => {})
    // the API server's sockets allow half-open connections; in this protocol stdin ends with a
    // frame, so a FIN from the client means it is gone
    socket.once('end', () => socket.destroy())
    socket.on('close', () => {
      // the client went away: the one-off dyno ends with it (its output, unread, is dropped)
      child.stdout?.resume()
      child.stderr?.resume()
      if (dyno.child) void this.stop(dyno)
    })
    return true
  }

  /** Stops every dyno (gracefully, within the grace period) and forgets the apps. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const off of this.unsubscribe.splice(0)) off()
    await Promise.all([...this.apps.values()].map(rt => rt.queue))
    await Promise.all([...this.apps.values()].flatMap(rt => [...rt.dynos.values()].map(d => this.stop(d))))
    this.apps.clear()
  }

  // --- reconciling ------------------------------------------------------------------------

  private runtime(appId: string, appName: string): AppRuntime {
    let rt = this.apps.get(appId)
    if (!rt) {
      rt = {appId, appName, release: null, dir: null, dynos: new Map(), pool: {up: [], starting: 0, crashed: 0, wanted: 0, pending: 0}, nextRun: 1, queue: Promise.resolve()}
      this.apps.set(appId, rt)
    }
    return rt
  }

  /** Runs `work` after the app's earlier work: one change at a time per app. */
  private enqueue(appId: string, appName: string, work: (rt: AppRuntime) => Promise<void>): Promise<void> {
    if (this.closed) return Promise.resolve()
    const rt = this.runtime(appId, appName)
    rt.pool.pending++
    const next = rt.queue.then(() => (this.closed ? undefined : work(rt))).catch(error => {
      this.o.log(`dyno supervisor: ${rt.appName}: ${(error as Error).stack ?? String(error)}`)
    }).finally(() => {
      rt.pool.pending--
      this.syncPool(rt)
    })
    rt.queue = next
    return next
  }

  /** The current release: unpack it, then replace every formation dyno. */
  private async deploy(rt: AppRuntime): Promise<void> {
    const release = currentRelease(this.o.store, rt.appId) ?? null
    let dir: string | null = null
    if (release?.slug_id) {
      try {
        dir = await prepareReleaseDir(this.o.dataDir, release.id, release.slug_id)
      } catch (error) {
        this.o.logs.write({appId: rt.appId, source: 'heroku', dyno: 'api', message: `Release v${release.version} cannot run: ${(error as Error).message}`})
      }
    }
    const old = [...rt.dynos.values()].filter(d => !d.oneOff)
    await Promise.all(old.map(d => this.stop(d)))
    for (const d of old) rt.dynos.delete(d.name)
    rt.release = release
    rt.dir = dir
    this.syncPool(rt)
    await this.scale(rt)
    void this.prune()
  }

  /** Starts and stops formation dynos until they match the formation. */
  private async scale(rt: AppRuntime): Promise<void> {
    if (rt.release === null && rt.dynos.size === 0 && currentRelease(this.o.store, rt.appId) === undefined) return
    const formations = rt.release?.slug_id ? listFormations(this.o.store, rt.appId) : []
    const wanted = new Map<string, FormationRow>()
    for (const f of formations) for (let i = 1; i <= f.quantity; i++) wanted.set(`${f.type}.${i}`, f)
    const extra = [...rt.dynos.values()].filter(d => !d.oneOff && !wanted.has(d.name))
    await Promise.all(extra.map(async d => {
      await this.stop(d)
      rt.dynos.delete(d.name)
    }))
    for (const [name, formation] of wanted) {
      const existing = rt.dynos.get(name)
      if (existing) {
        existing.size = formation.size
        continue
      }
      const dyno = this.newDyno(rt, name, formation.type, formation.command, formation.size, rt.release, rt.dir)
      rt.dynos.set(name, dyno)
      if (rt.dir === null) {
        this.setState(rt, dyno, 'crashed')
        continue
      }
      this.spawnDyno(rt, dyno)
    }
    rt.pool.wanted = formations.find(f => f.type === 'web')?.quantity ?? 0
    this.syncPool(rt)
  }

  private matching(rt: AppRuntime, type?: string, name?: string): Dyno[] {
    return [...rt.dynos.values()].filter(d => (name ? d.name === name : type ? d.type === type : !d.oneOff))
  }

  private async restart(rt: AppRuntime, type?: string, name?: string): Promise<void> {
    const targets = this.matching(rt, type, name)
    await Promise.all(targets.map(async d => {
      if (d.oneOff) {
        await this.stop(d)
        return
      }
      this.logLine(d, 'heroku', 'Restarting')
      await this.stop(d)
      d.held = false
      d.crashes = 0
      if (rt.dir !== null && !this.closed) this.spawnDyno(rt, d)
    }))
  }

  private async stopMatching(rt: AppRuntime, type?: string, name?: string): Promise<void> {
    await Promise.all(this.matching(rt, type, name).map(d => {
      d.held = true
      return this.stop(d)
    }))
  }

  private async prune(): Promise<void> {
    const keep = new Set<string>()
    for (const rt of this.apps.values()) for (const d of rt.dynos.values()) if (d.release) keep.add(d.release.id)
    for (const rt of this.apps.values()) if (rt.release) keep.add(rt.release.id)
    await pruneReleaseDirs(this.o.dataDir, keep).catch(() => {})
  }

  // --- one dyno ---------------------------------------------------------------------------

  private newDyno(rt: AppRuntime, name: string, type: string, command: string, size: string, release: ReleaseRow | null, dir: string | null): Dyno {
    const time = now()
    return {
      appId: rt.appId, id: nameBasedId('dyno', `${rt.appId}/${name}/${randomUUID()}`), name, type, command, size, state: 'down',
      createdAt: time, updatedAt: time, release, dir, crashes: 0, generation: 0, stopping: false, held: false, timers: new Set(),
    }
  }

  private snapshot(d: Dyno): DynoSnapshot {
    return {
      id: d.id, name: d.name, type: d.type, command: d.command, size: d.size, state: d.state, createdAt: d.createdAt, updatedAt: d.updatedAt,
      release: d.release ? {id: d.release.id, version: d.release.version} : null,
      attachUrl: d.oneOff?.secret && !d.child ? `${this.o.apiUrl}/dyno-attach/${d.oneOff.secret}` : null,
    }
  }

  private timer(d: Dyno, ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      d.timers.delete(t)
      fn()
    }, ms)
    d.timers.add(t)
    return t
  }

  private clearTimers(d: Dyno): void {
    for (const t of d.timers) clearTimeout(t)
    d.timers.clear()
  }

  private logLine(d: Dyno, source: 'app' | 'heroku', message: string): void {
    this.o.logs.write({appId: d.appId, source, dyno: d.name, message})
  }

  private setState(rt: AppRuntime, d: Dyno, state: DynoState): void {
    if (d.state === state) return
    if (!(d.state === 'down' && state === 'starting')) this.logLine(d, 'heroku', `State changed from ${d.state} to ${state}`)
    d.state = state
    d.updatedAt = now()
    if (state === 'up') d.upSince = Date.now()
    if (d.type === 'web') this.syncPool(rt)
  }

  private syncPool(rt: AppRuntime): void {
    const web = [...rt.dynos.values()].filter(d => d.type === 'web' && !d.oneOff)
    const up: Backend[] = []
    for (const d of web) if (d.state === 'up' && d.backend) up.push(d.backend)
    rt.pool.up = up
    rt.pool.starting = web.filter(d => d.state === 'starting').length
    rt.pool.crashed = web.filter(d => d.state === 'crashed').length
    this.emitter.emit(`pool:${rt.appId}`)
  }

  /** Spawns the dyno's process (asynchronously for web dynos, which need a port first). */
  private spawnDyno(rt: AppRuntime, d: Dyno, attached?: Duplex): ChildProcess | undefined {
    if (this.closed) return undefined
    d.stopping = false
    const generation = ++d.generation
    this.setState(rt, d, 'starting')
    if (d.type === 'web' && !d.oneOff) {
      const inUse = new Set<number>()
      for (const app of this.apps.values()) for (const other of app.dynos.values()) if (other.port !== undefined && other !== d) inUse.add(other.port)
      this.ports.take(inUse).then(port => {
        if (d.generation !== generation || d.stopping || this.closed || rt.dynos.get(d.name) !== d || d.state !== 'starting') return
        d.port = port
        this.launch(rt, d)
      }, error => {
        this.logLine(d, 'heroku', `Cannot start: ${(error as Error).message}`)
        this.setState(rt, d, 'crashed')
      })
      return undefined
    }
    return this.launch(rt, d, attached)
  }

  private launch(rt: AppRuntime, d: Dyno, attached?: Duplex): ChildProcess | undefined {
    const config = d.release ? parseConfig(d.release.config) : {}
    const instance = randomUUID()
    d.instance = instance
    const env: Record<string, string> = {
      ...this.o.baseEnv, ...config, ...d.oneOff?.env,
      DYNO: d.name, PS: d.name, HOME: d.dir ?? this.o.dataDir,
      [PLATFORM_MARKER_VAR]: this.marker, [DYNO_MARKER_VAR]: instance,
    }
    if (d.port !== undefined) env.PORT = String(d.port)
    else if (d.oneOff) env.PORT = env.PORT ?? '5000'
    if (d.oneOff?.tty) env.TERM = env.TERM ?? 'xterm-256color'
    const script = PROFILE + d.command
    let file = 'bash'
    let args = ['-c', script]
    if (d.oneOff?.tty) {
      // a real terminal for interactive commands, without native modules: util-linux script(1)
      // allocates the pty; -e passes the command's exit status through
      const size = env.COLUMNS && env.LINES ? `stty cols ${Number(env.COLUMNS) | 0} rows ${Number(env.LINES) | 0} 2>/dev/null; ` : ''
      file = 'script'
      args = ['-qfec', `bash -c ${shellQuote(size + script)}`, '/dev/null']
      env.SHELL = '/bin/bash'
    }
    if (!attached) this.logLine(d, 'heroku', `Starting process with command \`${d.command}\``)
    let child: ChildProcess
    try {
      child = spawn(file, args, {cwd: d.dir ?? this.o.dataDir, env, detached: true, stdio: [attached ? 'pipe' : 'ignore', 'pipe', 'pipe']})
    } catch (error) {
      this.logLine(d, 'heroku', `Cannot start: ${(error as Error).message}`)
      this.setState(rt, d, 'crashed')
      return undefined
    }
    d.child = child
    d.pgid = child.pid
    if (child.pid !== undefined) recordGroup(this.o.dataDir, instance, child.pid)
    if (d.type === 'web' && d.port !== undefined) d.backend = {name: d.name, port: d.port, inflight: 0}
    if (attached) {
      // a slow client slows the process down (its pipes fill up) instead of the platform buffering
      const forward = (stream: NodeJS.ReadableStream, type: typeof FrameType.stdout | typeof FrameType.stderr) => {
        stream.on('data', (chunk: Buffer) => {
          if (!attached.write(encodeFrame(type, chunk))) {
            stream.pause()
            attached.once('drain', () => stream.resume())
          }
        })
      }
      forward(child.stdout!, FrameType.stdout)
      forward(child.stderr!, FrameType.stderr)
    } else {
      pipeLines(child.stdout!, line => this.logLine(d, 'app', line))
      pipeLines(child.stderr!, line => this.logLine(d, 'app', line))
    }
    let resolveExit!: () => void
    d.exited = new Promise(resolve => {
      resolveExit = resolve
    })
    child.once('error', error => {
      this.logLine(d, 'heroku', `Cannot start: ${error.message}`)
    })
    child.once('close', (code, signal) => {
      const status = code ?? 128 + (signal ? constants.signals[signal] ?? 0 : 0)
      if (attached) attached.end(exitFrame(status))
      this.onExit(rt, d, child, status)
      resolveExit()
    })
    if (d.oneOff) {
      this.setState(rt, d, 'up')
      this.timer(d, Math.min(d.oneOff.ttlMs, 2 ** 31 - 1), () => void this.stop(d))
    } else if (d.type === 'web') {
      this.watchBoot(rt, d, child)
    } else {
      child.once('spawn', () => {
        if (d.child === child && d.state === 'starting') this.setState(rt, d, 'up')
      })
    }
    return child
  }

  /** starting → up once PORT accepts connections; R10 when it does not in time. */
  private watchBoot(rt: AppRuntime, d: Dyno, child: ChildProcess): void {
    const started = Date.now()
    const probe = (): void => {
      if (d.child !== child || d.state !== 'starting') return
      void accepts(d.port!, 1000).then(ok => {
        if (d.child !== child || d.state !== 'starting') return
        if (ok) {
          // accepting, but is it our dyno? (another process may hold the port we handed out)
          if (d.instance && !portHeldBy(d.port!, markedProcesses(DYNO_MARKER_VAR, d.instance))) {
            this.logLine(d, 'heroku', `Port ${d.port} is held by another process; restarting the dyno on another port`)
            if (d.pgid) signalGroup(d.pgid, 'SIGKILL')
            return
          }
          this.setState(rt, d, 'up')
          return
        }
        if (Date.now() - started >= this.o.bootTimeoutMs) {
          const seconds = Math.round(this.o.bootTimeoutMs / 1000)
          this.logLine(d, 'heroku', `Error R10 (Boot timeout) -> Web process failed to bind to $PORT within ${seconds} seconds of launch`)
          this.logLine(d, 'heroku', 'Stopping process with SIGKILL')
          if (d.pgid) signalGroup(d.pgid, 'SIGKILL')
          return
        }
        this.timer(d, this.o.bootPollMs, probe)
      })
    }
    this.timer(d, Math.min(this.o.bootPollMs, 20), probe)
  }

  private onExit(rt: AppRuntime, d: Dyno, child: ChildProcess, status: number): void {
    if (d.child !== child) return
    // whatever the dyno forked dies with it
    if (!d.stopping) this.killRemains(d)
    d.child = undefined
    d.backend = undefined
    d.port = undefined
    this.clearTimers(d)
    this.logLine(d, 'heroku', `Process exited with status ${status}`)
    if (d.stopping || this.closed) {
      // stop() reports down once the whole group is gone
      if (d.oneOff) rt.dynos.delete(d.name)
      return
    }
    if (d.oneOff) {
      this.setState(rt, d, 'down')
      rt.dynos.delete(d.name)
      return
    }
    if (d.upSince !== undefined && Date.now() - d.upSince > this.o.crashResetMs) d.crashes = 0
    d.upSince = undefined
    d.crashes++
    this.setState(rt, d, 'crashed')
    const delay = d.crashes === 1 ? 0 : Math.min(this.o.backoffInitialMs * 2 ** (d.crashes - 2), this.o.backoffMaxMs)
    this.timer(d, delay, () => {
      if (d.stopping || this.closed || d.held || rt.dynos.get(d.name) !== d) return
      this.spawnDyno(rt, d)
    })
  }

  /** SIGTERM to the group; SIGKILL to whatever is left after the grace period. */
  private async stop(d: Dyno): Promise<void> {
    d.stopping = true
    this.clearTimers(d)
    const rt = this.apps.get(d.appId)
    if (d.oneOff?.secret) this.attachments.delete(d.oneOff.secret)
    const child = d.child
    const pgid = d.pgid
    if (!child || pgid === undefined) {
      if (rt) this.setState(rt, d, 'down')
      return
    }
    this.logLine(d, 'heroku', 'Stopping all processes with SIGTERM')
    signalGroup(pgid, 'SIGTERM')
    const deadline = Date.now() + this.o.stopGraceMs
    // the leader's exit, then the rest of the group
    await Promise.race([d.exited, sleep(this.o.stopGraceMs)])
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(25)
    if (groupAlive(pgid) || d.child === child) {
      this.logLine(d, 'heroku', `Error R12 (Exit timeout) -> At least one process failed to exit within ${Math.round(this.o.stopGraceMs / 1000)} seconds of SIGTERM`)
      this.logLine(d, 'heroku', 'Stopping process with SIGKILL')
      signalGroup(pgid, 'SIGKILL')
      await Promise.race([d.exited, sleep(2000)])
    }
    this.killRemains(d)
    if (rt && d.child === undefined) this.setState(rt, d, 'down')
  }

  /** SIGKILL to the dyno's group and to anything else carrying its marker (a pty's session). */
  private killRemains(d: Dyno): void {
    if (d.pgid) signalGroup(d.pgid, 'SIGKILL')
    if (d.instance) forgetGroup(this.o.dataDir, d.instance)
    if (d.instance) {
      for (const pid of markedProcesses(DYNO_MARKER_VAR, d.instance)) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {}
      }
    }
  }
}

function byName(a: Dyno, b: Dyno): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1
  return Number(a.name.split('.')[1]) - Number(b.name.split('.')[1])
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => {
    setTimeout(resolve, ms)
  })
}

const MAX_LINE = 10_000

/** Calls `onLine` for each line of the stream (a long line in pieces); the rest at the end. */
function pipeLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let partial = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    let text = partial + chunk
    let nl: number
    while ((nl = text.indexOf('\n')) !== -1) {
      onLine(text.slice(0, nl).replace(/\r$/, ''))
      text = text.slice(nl + 1)
    }
    while (text.length > MAX_LINE) {
      onLine(text.slice(0, MAX_LINE))
      text = text.slice(MAX_LINE)
    }
    partial = text
  })
  stream.on('end', () => {
    if (partial !== '') onLine(partial)
    partial = ''
  })
}
