// The log router: every line the platform and its apps produce goes through here. It keeps the
// last lines of each app in memory (a ring buffer, the `heroku logs` view), hands each new line
// at once to the live log sessions that follow the app, and — each only enqueued, never waited
// for — to the app's log on disk (log-archive.ts: what the ring starts from after a restart) and
// to the app's log drains (drains.ts). Lines are formatted as Heroku's logplex does:
//
//   2026-11-28T12:00:00.123456+00:00 app[web.1]: message
import type {Store} from '../store/database.js'
import type {LogLine, LogSink} from './log-sink.js'

import {type DrainOptions, LogDrains} from './drains.js'
import {type ArchiveLimits, LogArchive} from './log-archive.js'

export const DEFAULT_LINES_KEPT = 1500

export interface StoredLine {
  dyno: string
  source: LogLine['source']
  /** the formatted line, without a trailing newline */
  readonly text: string
}

/**
 * A line as kept: formatted on first read, then cached — off the writer's path: by the disk's
 * next batch (log-archive.ts), a drain's next send or a log session, whichever comes first.
 */
class KeptLine implements StoredLine {
  private formatted?: string

  constructor(readonly source: LogLine['source'], readonly dyno: string, private message: string, private readonly ms: number, private readonly sub: number) {}

  get text(): string {
    if (this.formatted === undefined) {
      const message = this.message.endsWith('\n') ? this.message.slice(0, -1) : this.message
      this.formatted = `${formatTime(new Date(this.ms), this.sub)} ${this.source}[${this.dyno}]: ${message}`
      this.message = ''
    }

    return this.formatted
  }
}

/** A line read back from disk: already formatted. */
class ArchivedStoredLine implements StoredLine {
  constructor(readonly source: LogLine['source'], readonly dyno: string, readonly text: string) {}
}

export interface LogRouterOptions {
  archive?: Partial<ArchiveLimits>
  /** keep each app's recent log on disk under DATA/logs (log-archive.ts); absent: memory only */
  dataDir?: string
  drains?: Partial<DrainOptions>
  /** the ring's size per app: the most `heroku logs` shows */
  linesKept?: number
  log?: (line: string) => void
  /** deliver to the apps' log drains (the store has them); absent: no drains */
  store?: Store
}

export type LineListener = (line: StoredLine) => void

/** A filter as log sessions give it: a dyno (web.1) or a process type (web), and a source. */
export interface LineFilter {
  dyno?: null | string
  source?: null | string
}

export function matches(line: StoredLine, filter: LineFilter): boolean {
  if (filter.source && line.source !== filter.source) return false
  if (filter.dyno) {
    if (filter.dyno.includes('.')) return line.dyno === filter.dyno
    return line.dyno === filter.dyno || line.dyno.startsWith(`${filter.dyno}.`)
  }

  return true
}

/** `2026-11-28T12:00:00.123456+00:00`: microseconds (the last three digits from the clock's sub-ms part). */
export function formatTime(time: Date, subMillisecond = 0): string {
  const iso = time.toISOString() // 2026-11-28T12:00:00.123Z
  return `${iso.slice(0, 23)}${String(subMillisecond).padStart(3, '0')}+00:00`
}

class Ring {
  private readonly items: (StoredLine | undefined)[]
  private next = 0
  private size = 0

  constructor(private readonly capacity: number) {
    this.items = Array.from<StoredLine | undefined>({length: capacity})
  }

  push(item: StoredLine): void {
    this.items[this.next] = item
    this.next = (this.next + 1) % this.capacity
    if (this.size < this.capacity) this.size++
  }

  /** the newest `count` items matching, oldest first */
  last(count: number, filter: LineFilter): StoredLine[] {
    const out: StoredLine[] = []
    for (let i = 1; i <= this.size && out.length < count; i++) {
      const item = this.items[(this.next - i + this.capacity) % this.capacity]!
      if (matches(item, filter)) out.push(item)
    }

    return out.reverse()
  }
}

export class LogRouter implements LogSink {
  private readonly buffers = new Map<string, Ring>()
  private readonly listeners = new Map<string, Set<LineListener>>()
  private lastMs = 0
  private sub = 0
  private readonly linesKept: number
  private readonly archive?: LogArchive
  private readonly drains?: LogDrains

  constructor(options: LogRouterOptions | number = {}) {
    const o = typeof options === 'number' ? {linesKept: options} : options
    this.linesKept = o.linesKept ?? DEFAULT_LINES_KEPT
    if (o.dataDir !== undefined) this.archive = new LogArchive(o.dataDir, o.archive, o.log)
    if (o.store !== undefined) this.drains = new LogDrains(o.store, line => this.write(line), o.drains)
  }

  /** The app's ring; the first time, filled from the app's log on disk. */
  private ring(appId: string): Ring {
    let ring = this.buffers.get(appId)
    if (ring === undefined) {
      ring = new Ring(this.linesKept)
      for (const line of this.archive?.tail(appId, this.linesKept) ?? []) ring.push(new ArchivedStoredLine(line.source, line.dyno, line.text))
      this.buffers.set(appId, ring)
    }

    return ring
  }

  write(line: LogLine): void {
    // lines written within the same millisecond keep their order through the microsecond digits
    const ms = line.time === undefined ? Date.now() : line.time.getTime()
    if (ms === this.lastMs) {
      if (this.sub < 999) this.sub++
    } else {
      this.lastMs = ms
      this.sub = 0
    }

    const stored = new KeptLine(line.source, line.dyno, line.message, ms, this.sub)
    this.ring(line.appId).push(stored)
    this.archive?.append(line.appId, stored)
    this.drains?.enqueue(line.appId, stored)
    const listeners = this.listeners.get(line.appId)
    if (listeners) {
      for (const listener of listeners) {
        try {
          listener(stored)
        } catch {
          // a broken session must not stop the others
        }
      }
    }
  }

  /** The newest `count` lines of the app that match, oldest first. */
  recent(appId: string, count: number, filter: LineFilter = {}): StoredLine[] {
    return this.ring(appId).last(count, filter)
  }

  /** Calls `listener` with every new line of the app; returns the unsubscribe function. */
  follow(appId: string, listener: LineListener): () => void {
    let set = this.listeners.get(appId)
    if (set === undefined) {
      set = new Set()
      this.listeners.set(appId, set)
    }

    set.add(listener)
    return () => {
      set!.delete(listener)
      if (set!.size === 0 && this.listeners.get(appId) === set) this.listeners.delete(appId)
    }
  }

  private readonly open = new Set<() => void>()
  private stopping = false

  /** true once close() ran: new tails end at once */
  get closed(): boolean {
    return this.stopping
  }

  /** Registers a live stream that close() ends; returns the unregister function. */
  track(end: () => void): () => void {
    this.open.add(end)
    return () => this.open.delete(end)
  }

  /** Ends every live log stream (the platform is stopping); tails opened later end at once. */
  close(): void {
    this.stopping = true
    for (const end of this.open) {
      try {
        end()
      } catch {
        // one broken stream must not keep the others open
      }
    }

    this.open.clear()
  }

  /**
   * Writes what is pending to disk, closes the log files and stops the drains: the platform is
   * about to close its store (after close(), which ends the streams, dynos still log their stop).
   */
  closeStorage(): void {
    this.archive?.close()
    this.drains?.close()
  }

  /** Writes every pending line to disk now. */
  flush(): void {
    this.archive?.flush()
  }

  /** The app's drains changed (added, removed) or the app was renamed (the drains' host name). */
  drainsChanged(appId: string): void {
    this.drains?.changed(appId)
  }

  /** a drain's queue and deliveries (tests, stats) */
  drainStatus(appId: string, drainId: string): undefined | {delivered: number, queued: number} {
    return this.drains?.status(appId, drainId)
  }

  /** Forgets a deleted app's lines, on disk too, and stops its drains. */
  forget(appId: string): void {
    this.buffers.delete(appId)
    this.archive?.forget(appId)
    this.drains?.forget(appId)
  }
}
