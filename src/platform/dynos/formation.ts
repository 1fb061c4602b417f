// Formation reconciling: brings an app's dynos to its current release and formation.
//
//   deploy   (release.created, config change, platform start) the release's directory is leased
//            and unpacked while the old dynos keep serving; then web dynos are prebooted: the new
//            ones start beside the old, the router switches once every new one accepts
//            connections, and only then are the old ones drained and stopped. Other process
//            types restart as Heroku restarts them: stopped, then started on the new release.
//            If a new web dyno crashes or misses its boot timeout, the old dynos keep serving
//            (on their release) and the failure is logged; the next change tries again.
//   scale    start / stop dynos until the formation matches (a stopped web dyno drains first)
//   restart  web dynos prebooted as in deploy, others stopped and started
//   stop     ps:stop: stopped and held down until the next restart or release
// Preboot is the app feature `preboot`, on unless the app disabled it (labs:disable preboot):
// without it, deploys and restarts stop the old web dynos first, then start the new ones (as
// Heroku does without preboot: a moment with no web dyno, but never two releases serving).
import {randomUUID} from 'node:crypto'

import type {LogSink} from '../logs/log-sink.js'
import type {Store} from '../store/database.js'
import type {DynoProcesses} from './dyno-process.js'
import type {AppRuntime, Dyno} from './dyno.js'
import type {ReleaseDirs, ReleaseLease} from './release-dir.js'

import {nameBasedId} from '../ids.js'
import {appFeatureEnabled, PREBOOT} from '../store/features.js'
import {type FormationRow, listFormations} from '../store/formations.js'
import {currentRelease, type ReleaseRow} from '../store/releases.js'

export interface FormationOptions {
  /** tests: called once a deploy's release directory is ready, before any dyno changes */
  afterPrepare?: (appId: string) => Promise<void>
  closed(): boolean
  logs: LogSink
  /** how long prebooting web dynos may take to come up (the boot timeout and a margin) */
  prebootTimeoutMs: number
  processes: DynoProcesses
  releases: ReleaseDirs
  store: Store
  syncPool(rt: AppRuntime): void
}

const now = (): string => new Date().toISOString()

export class FormationReconciler {
  constructor(private readonly o: FormationOptions) {}

  /** The current release: lease and unpack it, then replace the formation's dynos (preboot). */
  async deploy(rt: AppRuntime): Promise<void> {
    const release = currentRelease(this.o.store, rt.appId) ?? null
    let lease: null | ReleaseLease = null
    if (release?.slug_id) {
      try {
        lease = await this.o.releases.prepare(release.id, release.slug_id)
      } catch (error) {
        this.appLog(rt, `Release v${release.version} cannot run: ${(error as Error).message}`)
        if (this.formationDynos(rt).some(d => d.state === 'up')) return
      }
    }

    await this.o.afterPrepare?.(rt.appId)
    if (this.o.closed()) {
      lease?.release()
      return
    }

    const old = this.formationDynos(rt)
    const oldWeb = old.filter(d => d.type === 'web')
    if (lease && release && oldWeb.some(d => d.state === 'up') && this.preboots(rt)) {
      const wantedWeb = this.wanted(rt.appId, release).filter(([, f]) => f.type === 'web')
      const fresh = wantedWeb.map(([name, f]) => this.newDyno(rt, name, f.type, f.command, f.size, release, lease))
      if (!(await this.preboot(rt, fresh))) {
        lease.release()
        this.appLog(rt, `Release v${release.version}'s web dynos did not come up; the dynos of ${rt.release ? `v${rt.release.version}` : 'the previous release'} keep serving`)
        return
      }

      this.switchRelease(rt, release, lease)
      for (const d of oldWeb) rt.dynos.delete(d.name)
      for (const d of fresh) rt.dynos.set(d.name, d)
      this.o.syncPool(rt)
      const others = old.filter(d => d.type !== 'web')
      await Promise.all([
        ...oldWeb.map(d => this.discard(rt, d)),
        (async () => {
          await Promise.all(others.map(d => this.discard(rt, d)))
          for (const d of others) if (rt.dynos.get(d.name) === d) rt.dynos.delete(d.name)
          await this.scale(rt)
        })(),
      ])
      return
    }

    await Promise.all(old.map(d => this.discard(rt, d, {drain: true})))
    for (const d of old) if (rt.dynos.get(d.name) === d) rt.dynos.delete(d.name)
    this.switchRelease(rt, release, lease)
    this.o.syncPool(rt)
    await this.scale(rt)
  }

  /** Starts and stops formation dynos until they match the formation. */
  async scale(rt: AppRuntime): Promise<void> {
    if (rt.release === null && rt.dynos.size === 0 && currentRelease(this.o.store, rt.appId) === undefined) return
    const wanted = new Map(rt.release?.slug_id ? this.wanted(rt.appId, rt.release) : [])
    const extra = this.formationDynos(rt).filter(d => !wanted.has(d.name))
    for (const d of extra) rt.dynos.delete(d.name)
    this.o.syncPool(rt)
    await Promise.all(extra.map(d => this.discard(rt, d)))
    for (const [name, formation] of wanted) {
      const existing = rt.dynos.get(name)
      if (existing) {
        existing.size = formation.size
        continue
      }

      const dyno = this.newDyno(rt, name, formation.type, formation.command, formation.size, rt.release, rt.lease)
      rt.dynos.set(name, dyno)
      if (dyno.lease === null) {
        this.o.processes.setState(rt, dyno, 'crashed')
        continue
      }

      this.o.processes.start(rt, dyno)
    }

    rt.pool.wanted = [...wanted.values()].filter(f => f.type === 'web').length
    this.o.syncPool(rt)
  }

  async restart(rt: AppRuntime, type?: string, name?: string): Promise<void> {
    const targets = this.matching(rt, type, name)
    const web = this.preboots(rt) ? targets.filter(d => !d.oneOff && d.type === 'web' && d.state === 'up') : []
    if (web.length > 0 && rt.lease) {
      const fresh = web.map(d => this.newDyno(rt, d.name, d.type, d.command, d.size, rt.release, rt.lease))
      for (const d of web) this.o.processes.logLine(d, 'heroku', 'Restarting')
      if (await this.preboot(rt, fresh)) {
        for (const d of fresh) rt.dynos.set(d.name, d)
        this.o.syncPool(rt)
        await Promise.all(web.map(d => this.discard(rt, d)))
      } else {
        this.appLog(rt, 'The restarted web dynos did not come up; the running ones keep serving')
      }
    }

    await Promise.all(targets.filter(d => !web.includes(d)).map(async d => {
      if (d.oneOff) {
        await this.o.processes.stop(rt, d)
        return
      }

      this.o.processes.logLine(d, 'heroku', 'Restarting')
      await this.o.processes.stop(rt, d)
      d.held = false
      d.crashes = 0
      if (d.lease !== null && !this.o.closed()) this.o.processes.start(rt, d)
    }))
  }

  async stopMatching(rt: AppRuntime, type?: string, name?: string): Promise<void> {
    await Promise.all(this.matching(rt, type, name).map(d => {
      d.held = true
      return this.o.processes.stop(rt, d)
    }))
  }

  /** Stops every dyno of the app and lets go of its release directories. */
  async stopAll(rt: AppRuntime, {drain}: {drain: boolean}): Promise<void> {
    const all = [...rt.live, ...rt.dynos.values()]
    await Promise.all([...new Set(all)].map(d => this.discard(rt, d, {drain})))
    rt.dynos.clear()
    rt.lease?.release()
    rt.lease = null
    this.o.syncPool(rt)
  }

  /**
   * Starts `fresh` (not yet in the pool) and waits until every one is up. False, with the fresh
   * ones stopped again, when one crashes or they do not come up in time.
   */
  private async preboot(rt: AppRuntime, fresh: Dyno[]): Promise<boolean> {
    for (const d of fresh) {
      d.preboot = true
      this.o.processes.start(rt, d)
    }

    const deadline = Date.now() + this.o.prebootTimeoutMs
    let ok = false
    while (!this.o.closed()) {
      if (fresh.every(d => d.state === 'up')) {
        ok = true
        break
      }

      if (fresh.some(d => d.state === 'crashed' || d.state === 'down') || Date.now() > deadline) break

      await sleep(20)
    }

    for (const d of fresh) d.preboot = false
    if (!ok) await Promise.all(fresh.map(d => this.discard(rt, d, {drain: false})))
    return ok
  }

  private preboots(rt: AppRuntime): boolean {
    return appFeatureEnabled(this.o.store, rt.appId, PREBOOT)
  }

  private switchRelease(rt: AppRuntime, release: null | ReleaseRow, lease: null | ReleaseLease): void {
    rt.lease?.release()
    rt.release = release
    rt.lease = lease
  }

  /** Stops the dyno for good and lets go of its lease. */
  private async discard(rt: AppRuntime, d: Dyno, {drain = true} = {}): Promise<void> {
    await this.o.processes.stop(rt, d, {drain})
    rt.live.delete(d)
    d.lease?.release()
    d.lease = null
  }

  private formationDynos(rt: AppRuntime): Dyno[] {
    return [...rt.dynos.values()].filter(d => !d.oneOff)
  }

  private matching(rt: AppRuntime, type?: string, name?: string): Dyno[] {
    return [...rt.dynos.values()].filter(d => (name ? d.name === name : (type ? d.type === type : !d.oneOff)))
  }

  private wanted(appId: string, release: ReleaseRow): [string, FormationRow][] {
    if (!release.slug_id) return []
    const out: [string, FormationRow][] = []
    for (const f of listFormations(this.o.store, appId)) for (let i = 1; i <= f.quantity; i++) out.push([`${f.type}.${i}`, f])
    return out
  }

  newDyno(rt: AppRuntime, name: string, type: string, command: string, size: string, release: null | ReleaseRow, appLease: null | ReleaseLease): Dyno {
    const time = now()
    const dyno: Dyno = {
      appId: rt.appId, id: nameBasedId('dyno', `${rt.appId}/${name}/${randomUUID()}`), name, type, command, size, state: 'down',
      createdAt: time, updatedAt: time, release, lease: appLease ? this.o.releases.lease(appLease.releaseId) : null, uid: rt.uid,
      crashes: 0, generation: 0, stopping: false, draining: false, held: false, preboot: false, timers: new Set(),
    }
    rt.live.add(dyno)
    return dyno
  }

  private appLog(rt: AppRuntime, message: string): void {
    this.o.logs.write({appId: rt.appId, source: 'heroku', dyno: 'api', message})
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => {
    setTimeout(resolve, ms)
  })
}
