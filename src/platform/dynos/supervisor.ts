// The dyno supervisor: runs each app's formation of its current release as real, sandboxed
// processes. It wires the platform's events to the parts, one change at a time per app:
//   release.current     → formation.ts deploy (preboot: new web dynos up before old ones stop)
//   formation.changed   → formation.ts scale
//   dynos.restart/.stop → formation.ts restart / stop
//   app.deleted         → stop everything of the app
// A dyno's process lifecycle is dyno-process.ts, one-off attach sessions attach.ts, release
// directories (leased, never pruned while in use) release-dir.ts, confinement ../sandbox; what the
// router sees of an app's web dynos (its pool) web-pool.ts.
//
// After a platform crash (kill -9 included), start() kills every process still carrying this
// data dir's marker in its environment, and every recorded process group (processes.ts), before
// starting the formations afresh: never two generations of an app's dynos, nor orphans.

import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'
import type {TLSSocket} from 'node:tls'

import {randomBytes} from 'node:crypto'
import {EventEmitter} from 'node:events'

import type {PlatformEventMap, PlatformEvents} from '../events.js'
import type {LogSink} from '../logs/log-sink.js'
import type {SandboxStatus} from '../sandbox/sandbox.js'
import type {Store} from '../store/database.js'
import type {AppRuntime, Dyno, DynoSnapshot} from './dyno.js'
import type {Backend, WebPool, WebPools} from './web-pool.js'

import {appUser} from '../sandbox/app-user.js'
import {listAllApps} from '../store/apps.js'
import {currentRelease, type ReleaseRow} from '../store/releases.js'
import {AttachSessions} from './attach.js'
import {removeAllDynoDirs} from './dyno-dir.js'
import {DynoProcesses, type DynoTimings} from './dyno-process.js'
import {DynoTable} from './dyno.js'
import {FormationReconciler} from './formation.js'
import {DEFAULT_PORT_RANGE, PortAllocator} from './ports.js'
import {killLeftovers, killRecordedGroups, platformMarker} from './processes.js'
import {ReleaseDirs, removePartialReleaseDirs} from './release-dir.js'
import {serveRendezvous} from './rendezvous.js'
import {ServiceProcesses} from './service-processes.js'

export type {DynoSnapshot, DynoState} from './dyno.js'

export interface SupervisorOptions extends Partial<DynoTimings> {
  /** tests: holds a deploy between unpacking its release and changing any dyno */
  afterPrepare?: (appId: string) => Promise<void>
  /** where attach URLs point: the API's base URL */
  apiUrl: string
  /** an attached one-off dyno nobody attached to within this is dropped */
  attachTimeoutMs?: number
  /** PATH and the like for dynos; defaults to the platform's PATH */
  baseEnv?: Record<string, string>
  dataDir: string
  events: PlatformEvents
  /** the platform's own log */
  log?: (line: string) => void
  logs: LogSink
  /** web and one-off dyno ports come from this range (inclusive) */
  portRange?: readonly [number, number]
  /** how dynos are confined (sandbox/sandbox.ts detectSandbox) */
  sandbox: SandboxStatus
  store: Store
}

const TIMINGS: DynoTimings = {
  stopGraceMs: 5000, bootTimeoutMs: 60_000, backoffInitialMs: 1000, backoffMaxMs: 5 * 60_000,
  crashResetMs: 10 * 60_000, bootPollMs: 50, drainMs: 30_000,
}

export class Supervisor implements WebPools {
  readonly marker: string
  readonly sandbox: SandboxStatus
  /** the add-on servers (postgres, redis-server …): started by their providers, stopped last */
  readonly services: ServiceProcesses
  private readonly apps = new Map<string, AppRuntime>()
  private readonly releases: ReleaseDirs
  private readonly processes: DynoProcesses
  private readonly formation: FormationReconciler
  private readonly attach: AttachSessions
  private readonly unsubscribe: (() => void)[] = []
  // eslint-disable-next-line unicorn/prefer-event-target -- synchronous emit of a Backend payload, listener errors thrown back to the emitter; EventTarget would wrap each in a CustomEvent and send a throwing listener to uncaughtException
  private readonly emitter = new EventEmitter()
  private readonly log: (line: string) => void
  private readonly attachTimeoutMs: number
  private closed = false

  constructor(private readonly o: SupervisorOptions) {
    this.marker = platformMarker(o.dataDir)
    this.sandbox = o.sandbox
    this.log = o.log ?? (() => {})
    this.attachTimeoutMs = o.attachTimeoutMs ?? 60_000
    this.emitter.setMaxListeners(0)
    const timings: DynoTimings = {...TIMINGS}
    for (const key of Object.keys(TIMINGS) as (keyof DynoTimings)[]) if (o[key] !== undefined) timings[key] = o[key]!
    const range = o.portRange ?? DEFAULT_PORT_RANGE
    this.releases = new ReleaseDirs(o.dataDir)
    const baseEnv = o.baseEnv ?? {PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', LANG: process.env.LANG ?? 'C.UTF-8'}
    this.services = new ServiceProcesses({...timings, dataDir: o.dataDir, marker: this.marker, sandbox: o.sandbox, log: this.log, baseEnv})
    this.processes = new DynoProcesses({
      ...timings, dataDir: o.dataDir, logs: o.logs, marker: this.marker, sandbox: o.sandbox, store: o.store,
      ports: new PortAllocator(range[0], range[1]),
      baseEnv,
      portsInUse: except => this.portsInUse(except),
      changed: (rt, d, previous) => {
        if (d.type === 'web') this.syncPool(rt)
        // a dyno being prebooted is not the app's yet: it is announced when it takes its name
        if (previous !== undefined && rt.dynos.get(d.name) === d) this.announce('dyno.updated', rt, d, {previousState: previous})
      },
      retired: backend => this.emitter.emit('retired', backend),
      closed: () => this.closed,
    })
    this.formation = new FormationReconciler({
      store: o.store, logs: o.logs, releases: this.releases, processes: this.processes,
      prebootTimeoutMs: timings.bootTimeoutMs + 5000, syncPool: rt => this.syncPool(rt), closed: () => this.closed,
      afterPrepare: o.afterPrepare,
    })
    this.attach = new AttachSessions(this.processes, d => this.apps.get(d.appId))
  }

  /** Kills what an earlier run left behind, then brings every app to its formation. */
  async start(): Promise<void> {
    const leftovers = [...new Set([...killRecordedGroups(this.o.dataDir), ...killLeftovers(this.marker)])]
    if (leftovers.length > 0) this.log(`killed ${leftovers.length} dyno or add-on server process(es) left over by an earlier run: ${leftovers.join(' ')}`)
    await Promise.all([removeAllDynoDirs(this.o.dataDir), removePartialReleaseDirs(this.o.dataDir)])
    const {events} = this.o
    this.unsubscribe.push(
      events.on('release.current', e => this.enqueue(e.appId, e.appName, rt => this.deployed(rt))),
      events.on('formation.changed', e => this.enqueue(e.appId, e.appName, rt => this.formation.scale(rt))),
      events.on('dynos.restart', e => this.enqueue(e.appId, e.appName, rt => this.formation.restart(rt, e.type, e.dyno))),
      events.on('dynos.stop', e => this.enqueue(e.appId, e.appName, rt => this.formation.stopMatching(rt, e.type, e.dyno))),
      events.on('app.renamed', e => {
        const rt = this.apps.get(e.appId)
        if (rt) rt.appName = e.appName
      }),
      events.on('app.deleted', e => this.enqueue(e.appId, e.appName, async rt => {
        await this.formation.stopAll(rt, {drain: false})
        this.apps.delete(e.appId)
        await this.releases.prune()
      })),
    )
    // every app back to its formation, in the background: the API does not wait for unpacking.
    // Each app's current release is leased at once, so that no app's prune removes another's.
    const apps = listAllApps(this.o.store)
    const held = apps.flatMap(app => {
      const release = currentRelease(this.o.store, app.id)
      return release ? [this.releases.lease(release.id)] : []
    })
    void Promise.all(apps.map(app => this.enqueue(app.id, app.name, rt => this.formation.deploy(rt)))).then(() => {
      for (const lease of held) lease.release()
      return this.releases.prune()
    })
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
  webPool(appId: string): undefined | WebPool {
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

  /** Calls `listener` with each web dyno that leaves its pool to be stopped; returns the unsubscribe. */
  onRetired(listener: (backend: Backend) => void): () => void {
    this.emitter.on('retired', listener)
    return () => this.emitter.off('retired', listener)
  }

  /**
   * Starts a one-off dyno (run.N) of the current release, with a port of its own. Attached: the
   * process starts when the client connects to attachUrl (nothing is lost before); detached: at
   * once, its output going to the logs.
   */
  async runOneOff(
    app: {id: string, name: string},
    input: {attach?: boolean, command: string, env?: Record<string, string>, forceNoTty?: boolean, size?: string, timeToLive?: number},
  ): Promise<DynoSnapshot> {
    if (this.closed) throw new Error('the platform is stopping')
    const rt = this.runtime(app.id, app.name)
    const release = currentRelease(this.o.store, app.id) ?? null
    const lease = release?.slug_id ? await this.releases.prepare(release.id, release.slug_id) : null
    const name = `run.${rt.nextRun++}`
    const attach = input.attach ?? false
    const dyno = this.formation.newDyno(rt, name, 'run', input.command, input.size ?? 'basic', release, lease)
    lease?.release()
    dyno.oneOff = {env: input.env ?? {}, attach, tty: attach && !input.forceNoTty, ttlMs: (input.timeToLive ?? 86_400) * 1000}
    rt.dynos.set(name, dyno)
    if (!attach) {
      this.processes.start(rt, dyno)
      return this.snapshot(dyno)
    }

    try {
      await this.processes.prepare(dyno)
    } catch (error) {
      rt.dynos.delete(name)
      rt.live.delete(dyno)
      dyno.lease?.release()
      throw error
    }

    const secret = randomBytes(24).toString('base64url')
    dyno.oneOff.secret = secret
    this.attach.offer(secret, dyno)
    this.processes.timer(dyno, this.attachTimeoutMs, () => {
      if (dyno.child) return
      this.attach.forget(secret)
      this.processes.logLine(dyno, 'heroku', 'Nobody attached to the one-off dyno in time; stopping it')
      // stop() lets go of a one-off for good (its port, its copy of the app, its lease)
      void this.processes.stop(rt, dyno)
    })
    this.processes.setState(rt, dyno, 'starting')
    this.processes.logLine(dyno, 'heroku', `Starting process with command \`${input.command}\` (waiting for the client to attach)`)
    return this.snapshot(dyno)
  }

  /**
   * Runs a release's release command as a one-off dyno of that release (its slug and config,
   * sandboxed like every dyno): release.N. Resolves with its exit status once it ended; `timedOut`
   * when it ran out of time and was stopped.
   */
  async runReleaseCommand(
    app: {id: string, name: string},
    release: ReleaseRow,
    command: string,
    options: {onLine: (line: string) => void, timeoutMs: number},
  ): Promise<{status: number, timedOut: boolean}> {
    if (this.closed) throw new Error('the platform is stopping')
    if (!release.slug_id) throw new Error(`release v${release.version} has no slug to run`)
    const rt = this.runtime(app.id, app.name)
    const lease = await this.releases.prepare(release.id, release.slug_id)
    const dyno = this.formation.newDyno(rt, `release.${rt.nextRun++}`, 'release', command, 'basic', release, lease)
    lease.release()
    return new Promise(resolve => {
      dyno.oneOff = {
        env: {}, attach: false, tty: false, ttlMs: options.timeoutMs, onLine: options.onLine,
        onExit: status => resolve({status, timedOut: dyno.oneOff?.expired === true}),
      }
      rt.dynos.set(dyno.name, dyno)
      this.processes.start(rt, dyno)
    })
  }

  /** An HTTP Upgrade on the API port: an attach URL (/dyno-attach/<secret>), or false. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    return this.attach.handleUpgrade(req, socket, head)
  }

  /** A rendezvous connection on the API port (TLS) whose first line was `secret` (rendezvous.ts). */
  handleRendezvous(socket: TLSSocket, secret: string, rest: Buffer): void {
    serveRendezvous(this.attach, socket, secret, rest)
  }

  /** Stops every dyno (gracefully, within the grace period) and forgets the apps. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const off of this.unsubscribe.splice(0)) off()
    await Promise.all([...this.apps.values()].map(rt => rt.queue))
    await Promise.all([...this.apps.values()].map(rt => this.formation.stopAll(rt, {drain: false})))
    this.apps.clear()
    // the add-on servers last: the apps use them until they are gone
    await this.services.close()
  }

  // --- per app ---------------------------------------------------------------------------

  private async deployed(rt: AppRuntime): Promise<void> {
    await this.formation.deploy(rt)
    await this.releases.prune()
  }

  private runtime(appId: string, appName: string): AppRuntime {
    let rt = this.apps.get(appId)
    if (!rt) {
      const dynos = new DynoTable({added: d => this.announce('dyno.created', created, d, {}), removed: d => this.announce('dyno.destroyed', created, d, {})})
      const created: AppRuntime = {
        appId, appName, uid: appUser(this.o.store, appId, this.sandbox), release: null, lease: null, dynos, live: new Set(),
        pool: {up: [], starting: 0, crashed: 0, wanted: 0, pending: 0}, nextRun: 1, queue: Promise.resolve(),
      }
      rt = created
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
      this.log(`dyno supervisor: ${rt.appName}: ${(error as Error).stack ?? String(error)}`)
    }).finally(() => {
      rt.pool.pending--
      this.syncPool(rt)
    })
    rt.queue = next
    return next
  }

  /** The router's view: current web dynos that are up and not draining. */
  private syncPool(rt: AppRuntime): void {
    const web = [...rt.dynos.values()].filter(d => d.type === 'web' && !d.oneOff)
    const up: Backend[] = []
    for (const d of web) if (d.state === 'up' && d.backend && !d.draining) up.push(d.backend)
    rt.pool.up = up
    rt.pool.starting = web.filter(d => d.state === 'starting').length
    rt.pool.crashed = web.filter(d => d.state === 'crashed').length
    this.emitter.emit(`pool:${rt.appId}`)
  }

  private portsInUse(except: Dyno): Set<number> {
    const ports = new Set<number>()
    for (const rt of this.apps.values()) for (const d of rt.live) if (d !== except && d.port !== undefined) ports.add(d.port)
    return ports
  }

  /** Platform events of the app's dynos (app webhooks send them); none while the platform stops. */
  private announce<E extends 'dyno.created' | 'dyno.destroyed' | 'dyno.updated'>(event: E, rt: AppRuntime, d: Dyno, extra: Omit<PlatformEventMap[E], 'appId' | 'appName' | 'dyno'>): void {
    if (this.closed) return
    this.o.events.emit(event, {...extra, appId: rt.appId, appName: rt.appName, dyno: this.snapshot(d)} as PlatformEventMap[E])
  }

  private snapshot(d: Dyno): DynoSnapshot {
    return {
      id: d.id, name: d.name, type: d.type, command: d.command, size: d.size, state: d.state, createdAt: d.createdAt, updatedAt: d.updatedAt,
      release: d.release ? {id: d.release.id, version: d.release.version} : null,
      attachUrl: d.oneOff?.secret && !d.child ? `${this.o.apiUrl}/dyno-attach/${d.oneOff.secret}` : null,
    }
  }
}

function byName(a: Dyno, b: Dyno): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1
  return Number(a.name.split('.')[1]) - Number(b.name.split('.')[1])
}
