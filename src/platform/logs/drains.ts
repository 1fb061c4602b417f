// Log drains: every line of an app (app, router, build, platform) goes to each of its drains
// (store/log-drains.ts) as well as to the log router's ring, the disk and the log sessions.
//
//   - the log router's write path only enqueues (O(1): a push onto the drain's bounded queue);
//     delivery runs on its own, one batch in flight per drain (drain-transports.ts);
//   - a receiver that is down (refused, reset, an error status, a timeout) keeps its lines
//     queued; the batch is sent again after a backoff (backoffInitialMs doubling to
//     backoffMaxMs), in order, until the receiver takes it;
//   - the queue holds at most bufferLines; past that new lines are dropped and counted, and the
//     app's log (hence every drain) gets Logplex's `Error L10 (output buffer overflow): N messages
//     dropped since TIME.` — when the drain has caught up again, and every reportMs while it
//     keeps dropping;
//   - queues live in memory: lines still queued when the platform stops are not delivered after
//     it starts again (the app's log on disk still has them: log-archive.ts).

import type {Store} from '../store/database.js'
import type {LogLine} from './log-sink.js'

import {appName} from '../store/apps.js'
import {listLogDrains, type LogDrainRow} from '../store/log-drains.js'
import {createTransport, type Transport} from './drain-transports.js'
import {formatTime, type StoredLine} from './log-router.js'

export interface DrainOptions {
  backoffInitialMs: number
  backoffMaxMs: number
  /** lines sent at most in one batch (one HTTPS POST, one socket write) */
  batchLines: number
  /** lines a drain holds while its receiver is down; past that, lines are dropped and counted */
  bufferLines: number
  /**
   * extra CA certificates (PEM) trusted beside the system's roots for syslog+tls:// and https://
   * receivers (tests' own CA). Certificates are always verified.
   */
  ca?: readonly string[] | string
  /** while lines are being dropped, the L10 line is written at least this often */
  reportMs: number
  /** a connection or request that takes longer fails (and is retried) */
  timeoutMs: number
}

export const DEFAULT_DRAIN_OPTIONS: DrainOptions = {
  bufferLines: 10_000,
  batchLines: 500,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
  timeoutMs: 10_000,
  reportMs: 60_000,
}

/** how the drains write their L10 line into the app's log */
export type DrainReport = (line: LogLine) => void

class Drain {
  private items: StoredLine[] = []
  private head = 0
  private running = false
  private closed = false
  private dropped = 0
  private droppedSince?: Date
  private reportTimer?: NodeJS.Timeout
  private retryTimer?: NodeJS.Timeout
  private backoff: number
  private batchId?: string
  private batchCount = 0
  private sequence = 0
  private readonly transport: Transport
  /** lines delivered (tests, stats) */
  delivered = 0

  constructor(readonly row: LogDrainRow, host: string, private readonly appId: string, private readonly o: DrainOptions, private readonly report: DrainReport) {
    this.transport = createTransport(row.url, row.token, host, o)
    this.backoff = o.backoffInitialMs
  }

  get queued(): number {
    return this.items.length - this.head
  }

  /** O(1) */
  enqueue(line: StoredLine): void {
    if (this.closed) return
    if (this.queued >= this.o.bufferLines) {
      if (this.dropped === 0) {
        this.droppedSince = new Date()
        this.reportTimer = setTimeout(() => this.reportDrops(), this.o.reportMs)
        this.reportTimer.unref()
      }

      this.dropped++
      return
    }

    this.items.push(line)
    if (!this.running && this.retryTimer === undefined) {
      this.running = true
      queueMicrotask(() => {
        void this.deliver()
      })
    }
  }

  close(): void {
    this.closed = true
    clearTimeout(this.retryTimer)
    clearTimeout(this.reportTimer)
    this.items = []
    this.head = 0
    this.transport.close()
  }

  private async deliver(): Promise<void> {
    this.running = true
    while (!this.closed && this.queued > 0) {
      // a batch keeps its lines and its id until the receiver has taken it
      if (this.batchId === undefined) {
        this.batchCount = Math.min(this.queued, this.o.batchLines)
        this.batchId = `${this.row.id.replaceAll('-', '').slice(0, 16)}${(++this.sequence).toString(16).padStart(16, '0')}`
      }

      const batch = this.items.slice(this.head, this.head + this.batchCount)
      try {
        await this.transport.send(batch, this.batchId)
      } catch {
        if (this.closed) return
        this.running = false
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined
          void this.deliver()
        }, this.backoff)
        this.retryTimer.unref()
        this.backoff = Math.min(this.backoff * 2, this.o.backoffMaxMs)
        return
      }

      this.backoff = this.o.backoffInitialMs
      this.delivered += batch.length
      this.head += batch.length
      this.batchId = undefined
      // amortised O(1): the consumed front goes once it is the larger part
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head)
        this.head = 0
      }

      if (this.dropped > 0 && this.queued < this.o.bufferLines / 2) this.reportDrops()
    }

    this.running = false
  }

  private reportDrops(): void {
    clearTimeout(this.reportTimer)
    this.reportTimer = undefined
    if (this.dropped === 0 || this.closed) return
    const message = `Error L10 (output buffer overflow): ${this.dropped} messages dropped since ${formatTime(this.droppedSince!)}.`
    this.dropped = 0
    this.droppedSince = undefined
    this.report({appId: this.appId, source: 'heroku', dyno: 'logplex', message})
  }
}

interface AppDrains {
  drains: Drain[]
  host: string
}

export class LogDrains {
  private readonly apps = new Map<string, AppDrains>()
  private readonly o: DrainOptions
  private closed = false

  constructor(private readonly store: Store, private readonly report: DrainReport, options: Partial<DrainOptions> = {}) {
    this.o = {...DEFAULT_DRAIN_OPTIONS, ...options}
  }

  /** O(1) per drain: the line joins each of the app's drains' queues. */
  enqueue(appId: string, line: StoredLine): void {
    if (this.closed) return
    const app = this.apps.get(appId) ?? this.load(appId)
    for (const drain of app.drains) drain.enqueue(line)
  }

  /** The app's drains were added or removed (or it was renamed): read them again. */
  changed(appId: string): void {
    const before = this.apps.get(appId)
    if (before === undefined) return
    this.apps.delete(appId)
    const after = this.load(appId, before)
    for (const drain of before.drains) if (!after.drains.includes(drain)) drain.close()
  }

  forget(appId: string): void {
    for (const drain of this.apps.get(appId)?.drains ?? []) drain.close()
    this.apps.delete(appId)
  }

  close(): void {
    this.closed = true
    for (const app of this.apps.values()) for (const drain of app.drains) drain.close()
    this.apps.clear()
  }

  /** a drain's state by id (tests, stats) */
  status(appId: string, drainId: string): undefined | {delivered: number, queued: number} {
    const drain = this.apps.get(appId)?.drains.find(d => d.row.id === drainId)
    return drain && {queued: drain.queued, delivered: drain.delivered}
  }

  /** `before`: the drains loaded so far, kept (with their queues) unless the host name changed */
  private load(appId: string, before?: AppDrains): AppDrains {
    let host = appId
    let rows: LogDrainRow[] = []
    try {
      host = appName(this.store, appId) ?? appId
      rows = listLogDrains(this.store, appId)
    } catch {
      // the store is closing: no drains
    }

    const kept = before?.host === host ? new Map(before.drains.map(d => [d.row.id, d])) : new Map<string, Drain>()
    const drains = rows.map(row => kept.get(row.id) ?? new Drain(row, host, appId, this.o, this.report))
    const app = {host, drains}
    this.apps.set(appId, app)
    return app
  }
}
