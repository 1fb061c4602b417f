// The release phase: a slug whose process types declare `release` makes every release of it
// pending (changes.ts releaseApp) — deploys, config changes, rollbacks and add-on changes alike,
// as on Heroku. Its release command runs as a one-off dyno of the new release (its slug, its
// config: dynos/supervisor.ts runReleaseCommand) while the previous release keeps serving:
//   exit 0     → the release succeeds and becomes current (release.current: the supervisor moves
//                the dynos to it, prebooted), the formation follows its slug;
//   otherwise  → the release fails; nothing else changes.
// What the command prints goes to the logs (app[release.N]), to whoever follows the release (the
// `git push` that made it) and, once it ended, into the release record (output_stream_url).
// A release still pending when the platform starts was cut short: it is marked failed.

import type {Supervisor} from '../dynos/supervisor.js'
import type {PlatformEvents} from '../events.js'
import type {LogSink} from '../logs/log-sink.js'
import type {Store} from '../store/database.js'

import {commitChange} from '../changes.js'
import {findAppById} from '../store/apps.js'
import {syncFormationWithProcessTypes} from '../store/formations.js'
import {findReleaseById, finishReleasePhase, listPendingReleases, type ReleaseRow} from '../store/releases.js'
import {findSlug} from '../store/slugs.js'

export interface ReleasePhaseOptions {
  /** runs the command; without one (a platform that runs no dynos) releases succeed unrun */
  dynos?: Supervisor
  events: PlatformEvents
  log?: (line: string) => void
  logs: LogSink
  store: Store
  /** how long a release command may run; Heroku's limit is an hour */
  timeoutMs?: number
}

export interface ReleasePhaseResult {
  /** why it failed, for a person */
  reason?: string
  status: 'failed' | 'succeeded'
}

interface Running {
  done: Promise<ReleasePhaseResult>
  followers: Set<(line: string) => void>
  lines: string[]
}

/** at most this much output is kept per release (the rest is counted, not stored) */
const MAX_OUTPUT_LINES = 10_000

export class ReleasePhase {
  private readonly running = new Map<string, Running>()
  private readonly unsubscribe: () => void
  private readonly timeoutMs: number

  constructor(private readonly o: ReleasePhaseOptions) {
    this.timeoutMs = o.timeoutMs ?? 60 * 60_000
    for (const release of listPendingReleases(o.store)) {
      commitChange(o, () => finishReleasePhase(o.store, release.id, 'failed', `${release.output}The platform stopped while the release command ran.\n`))
      o.logs.write({appId: release.app_id, source: 'heroku', dyno: 'api', message: `Release v${release.version} failed: the platform stopped while its release command ran`})
    }

    this.unsubscribe = o.events.on('release.created', e => {
      if (e.status === 'pending') void this.run(e.releaseId)
    })
  }

  /**
   * Runs the release's release command (once: later callers share the run) and resolves with the
   * outcome; `onLine` gets what it printed so far, then each further line.
   */
  run(releaseId: string, onLine?: (line: string) => void): Promise<ReleasePhaseResult> {
    let entry = this.running.get(releaseId)
    if (!entry) {
      const created: Running = {lines: [], followers: new Set(), done: Promise.resolve({status: 'failed'})}
      created.done = this.execute(releaseId, created).finally(() => this.running.delete(releaseId))
      entry = created
      this.running.set(releaseId, entry)
    }

    if (onLine) {
      for (const line of entry.lines) onLine(line)
      entry.followers.add(onLine)
    }

    return entry.done
  }

  /** The output of a running release command so far; undefined when none runs for it. */
  liveOutput(releaseId: string): string | undefined {
    const entry = this.running.get(releaseId)
    return entry && entry.lines.map(line => `${line}\n`).join('')
  }

  close(): void {
    this.unsubscribe()
  }

  private async execute(releaseId: string, entry: Running): Promise<ReleasePhaseResult> {
    const {store} = this.o
    const release = findReleaseById(store, releaseId)
    if (!release || release.status !== 'pending') return {status: release?.status === 'succeeded' ? 'succeeded' : 'failed'}
    const app = findAppById(store, release.app_id)
    const slug = release.slug_id ? findSlug(store, release.app_id, release.slug_id) : undefined
    const command = slug ? (JSON.parse(slug.process_types) as Record<string, string>).release : undefined
    if (!app || !command) return this.finish(release, 'succeeded', entry)
    if (!this.o.dynos) {
      this.line(entry, 'This platform runs no dynos: the release command was skipped.')
      return this.finish(release, 'succeeded', entry)
    }

    let dropped = 0
    const onLine = (line: string): void => {
      if (entry.lines.length < MAX_OUTPUT_LINES) this.line(entry, line)
      else dropped++
    }

    try {
      const {status, timedOut} = await this.o.dynos.runReleaseCommand(app, release, command, {timeoutMs: this.timeoutMs, onLine})
      if (dropped > 0) this.line(entry, `(${dropped} more lines are in the logs only)`)
      if (status === 0 && !timedOut) return this.finish(release, 'succeeded', entry)
      const reason = timedOut
        ? `The release command \`${command}\` took longer than ${Math.round(this.timeoutMs / 1000)} s and was stopped.`
        : `The release command \`${command}\` exited with status ${status}.`
      return this.finish(release, 'failed', entry, reason)
    } catch (error) {
      return this.finish(release, 'failed', entry, `The release command could not run: ${(error as Error).message}`)
    }
  }

  private line(entry: Running, line: string): void {
    entry.lines.push(line)
    for (const follower of entry.followers) follower(line)
  }

  private finish(release: ReleaseRow, status: 'failed' | 'succeeded', entry: Running, reason?: string): ReleasePhaseResult {
    const {store, events} = this.o
    const output = entry.lines.map(line => `${line}\n`).join('') + (reason ? `${reason}\n` : '')
    const app = findAppById(store, release.app_id)
    commitChange({store, events}, pending => {
      finishReleasePhase(store, release.id, status, output)
      if (status !== 'succeeded' || !app) return
      const slug = release.slug_id ? findSlug(store, app.id, release.slug_id) : undefined
      if (slug) syncFormationWithProcessTypes(store, app.id, JSON.parse(slug.process_types) as Record<string, string>)
      pending.add('release.current', {appId: app.id, appName: app.name, releaseId: release.id, version: release.version})
    })
    this.o.logs.write({
      appId: release.app_id, source: 'heroku', dyno: 'api',
      message: status === 'succeeded' ? `Release v${release.version} succeeded: its release command ran` : `Release v${release.version} failed: ${reason}`,
    })
    return {status, reason}
  }
}
