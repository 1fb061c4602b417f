// Each app's recent log on disk, so that `heroku logs` after a platform restart still shows what
// happened before it. DATA/logs/APP_ID/ holds append-only segment files, one formatted line each
// as logplex writes it (`2026-11-28T12:00:00.123456+00:00 app[web.1]: message`), named by the
// time their first line was written: segment-MS-SEQ.log (13-digit ms, 6-digit sequence within
// that ms), so that the names sort as the segments were written.
//
//   - writing: the log router hands each line over (O(1): a push onto the app's pending batch);
//     batches are written every flushMs and synced (fdatasync) at most every syncMs — never a
//     write, let alone an fsync, per line;
//   - bounds, per app: a segment is closed at segmentBytes and a new one begun; the oldest
//     segments go while the app's total is over maxBytes, and any segment whose last line is
//     older than maxAgeMs (checked at each rotation, each load and hourly);
//   - reading: only the tail — the newest segments, newest first, until the router's ring is
//     full; an app's tail is read the first time the router touches the app, not at start;
//   - damage: a line that does not parse (a torn write, garbage) is skipped; a segment whose last
//     line was cut off is closed (the next line begins a new segment), never appended to.
import {closeSync, fdatasyncSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync, unlinkSync, writeSync} from 'node:fs'
import {join} from 'node:path'

import type {LogLine} from './log-sink.js'

export interface ArchiveLimits {
  /** pending lines are written this often */
  flushMs: number
  /** a segment whose newest line is older than this goes */
  maxAgeMs: number
  /** bytes kept per app, all segments together */
  maxBytes: number
  /** a segment is closed at this size */
  segmentBytes: number
  /** written segments are synced at most this often */
  syncMs: number
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxBytes: 2 * 1024 * 1024,
  maxAgeMs: 7 * 24 * 3_600_000,
  segmentBytes: 512 * 1024,
  flushMs: 200,
  syncMs: 1000,
}

export const LOGS_DIR = 'logs'
const SEGMENT_PREFIX = 'segment-'
const SEGMENT = /^segment-(\d{13})-(\d{6})\.log$/
const LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00) (app|heroku)\[([^\]\s]+)\]: (.*)$/
/** an app id as the store makes them: nothing that could climb out of DATA/logs */
const APP_ID = /^[\w-]{1,64}$/

export interface ArchivedLine {
  dyno: string
  source: LogLine['source']
  text: string
}

/** what the archive needs of a line: formatted when written, not before */
export interface ArchivableLine {
  readonly dyno: string
  readonly source: LogLine['source']
  readonly text: string
}

interface Segment {
  /** ms of the newest line (the file's mtime when listed) */
  lastMs: number
  name: string
  size: number
}

interface OpenApp {
  /** the segment fd writes to; undefined: begin a new one at the next write */
  current?: Segment
  dir: string
  dirty: boolean
  fd?: number
  pending: ArchivableLine[]
  segments: Segment[]
}

export class LogArchive {
  private readonly apps = new Map<string, OpenApp>()
  /** deleted apps: a line that still comes (a dyno stopping) makes no new log for them */
  private readonly forgotten = new Set<string>()
  private readonly limits: ArchiveLimits
  private flushTimer?: NodeJS.Timeout
  private readonly syncTimer: NodeJS.Timeout
  private readonly ageTimer: NodeJS.Timeout
  private lastSync = 0
  private closed = false
  private readonly root: string

  constructor(dataDir: string, limits: Partial<ArchiveLimits> = {}, private readonly log: (line: string) => void = () => {}) {
    this.limits = {...DEFAULT_ARCHIVE_LIMITS, ...limits}
    this.root = join(dataDir, LOGS_DIR)
    mkdirSync(this.root, {recursive: true, mode: 0o700})
    this.syncTimer = setInterval(() => this.sync(), this.limits.syncMs)
    this.syncTimer.unref()
    this.ageTimer = setInterval(() => this.expireAll(), Math.min(3_600_000, this.limits.maxAgeMs))
    this.ageTimer.unref()
  }

  /** O(1): queued for the next batch. */
  append(appId: string, line: ArchivableLine): void {
    if (this.closed || this.forgotten.has(appId)) return
    const app = this.open(appId)
    if (!app) return
    app.pending.push(line)
    if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => this.flush(), this.limits.flushMs)
      this.flushTimer.unref()
    }
  }

  /** The newest `count` lines on disk (oldest first), read from the newest segments back. */
  tail(appId: string, count: number): ArchivedLine[] {
    const app = this.open(appId)
    if (!app || count <= 0) return []
    const newestFirst: ArchivedLine[][] = []
    let have = 0
    for (let i = app.segments.length - 1; i >= 0 && have < count; i--) {
      const lines = this.readSegment(app, app.segments[i], count - have)
      newestFirst.push(lines)
      have += lines.length
    }

    return newestFirst.reverse().flat()
  }

  /** Writes every pending line now (and the timers' work: rotation, bounds). */
  flush(): void {
    clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    for (const [appId, app] of this.apps) {
      if (app.pending.length === 0) continue
      const lines = app.pending
      app.pending = []
      try {
        this.write(app, lines)
      } catch (error) {
        this.log(`logs: could not write the log of app ${appId} to disk: ${(error as Error).message}`)
        this.closeFd(app)
      }
    }
  }

  /** Syncs the segments written since the last sync. */
  sync(): void {
    this.lastSync = Date.now()
    for (const app of this.apps.values()) {
      if (!app.dirty || app.fd === undefined) continue
      app.dirty = false
      try {
        fdatasyncSync(app.fd)
      } catch {
        // a failed sync leaves the data to the kernel: the next write will tell if the disk is gone
      }
    }
  }

  /** Deletes an app's log (the app is gone). */
  forget(appId: string): void {
    const app = this.apps.get(appId)
    if (app) this.closeFd(app)
    this.apps.delete(appId)
    this.forgotten.add(appId)
    if (APP_ID.test(appId)) rmSync(join(this.root, appId), {recursive: true, force: true})
  }

  /** Flushes and syncs everything, closes the files. */
  close(): void {
    if (this.closed) return
    this.flush()
    this.sync()
    this.closed = true
    clearInterval(this.syncTimer)
    clearInterval(this.ageTimer)
    for (const app of this.apps.values()) this.closeFd(app)
  }

  /** bytes on disk for the app (tests, stats) */
  bytes(appId: string): number {
    return this.open(appId)?.segments.reduce((sum, s) => sum + s.size, 0) ?? 0
  }

  private open(appId: string): OpenApp | undefined {
    let app = this.apps.get(appId)
    if (app) return app
    if (!APP_ID.test(appId)) return undefined
    const dir = join(this.root, appId)
    const segments: Segment[] = []
    try {
      for (const name of readdirSync(dir)) {
        if (!SEGMENT.test(name)) continue
        try {
          const stat = statSync(join(dir, name))
          if (stat.isFile()) segments.push({name, size: stat.size, lastMs: stat.mtimeMs})
        } catch {
          // gone meanwhile
        }
      }
    } catch {
      // no log yet
    }

    segments.sort((a, b) => (a.name < b.name ? -1 : (a.name > b.name ? 1 : 0)))
    app = {dir, segments, pending: [], dirty: false}
    this.apps.set(appId, app)
    this.enforce(app)
    return app
  }

  private write(app: OpenApp, lines: ArchivableLine[]): void {
    let text = ''
    for (const line of lines) text += `${line.text.replaceAll('\n', ' ')}\n`
    let data = Buffer.from(text)
    let full = false
    while (data.length > 0) {
      if (full || app.fd === undefined || app.current === undefined || app.current.size >= this.limits.segmentBytes) this.rotate(app)
      // fill the segment up to its bound, at a line's end (a line longer than a segment stays whole)
      const room = this.limits.segmentBytes - app.current!.size
      let cut = data.length
      if (data.length > room) {
        const lastNewline = room > 0 ? data.lastIndexOf(10, room - 1) : -1
        cut = lastNewline >= 0 ? lastNewline + 1 : (app.current!.size === 0 ? data.indexOf(10) + 1 : 0)
      }

      if (cut > 0) {
        writeAll(app.fd!, data.subarray(0, cut))
        app.current!.size += cut
        app.current!.lastMs = Date.now()
        app.dirty = true
        data = data.subarray(cut)
      }

      full = data.length > 0
    }

    if (Date.now() - this.lastSync >= this.limits.syncMs) this.sync()
  }

  /** Closes the current segment and begins a new one; then the bounds. */
  private rotate(app: OpenApp): void {
    this.closeFd(app)
    mkdirSync(app.dir, {recursive: true, mode: 0o700})
    const now = Date.now()
    const ms = String(now).padStart(13, '0')
    const newest = app.segments.at(-1)?.name
    const seq = newest?.startsWith(`${SEGMENT_PREFIX}${ms}-`) ? Number(newest.slice(SEGMENT_PREFIX.length + 14, -4)) + 1 : 0
    const name = `${SEGMENT_PREFIX}${ms}-${String(seq).padStart(6, '0')}.log`
    const fd = openSync(join(app.dir, name), 'a', 0o600)
    const segment = {name, size: 0, lastMs: now}
    app.segments.push(segment)
    app.fd = fd
    app.current = segment
    this.enforce(app)
  }

  /** The app's bounds: total bytes and age; the segment being written stays. */
  private enforce(app: OpenApp): void {
    const now = Date.now()
    let total = app.segments.reduce((sum, s) => sum + s.size, 0)
    while (app.segments.length > 0 && app.segments[0] !== app.current) {
      const oldest = app.segments[0]
      if (total <= this.limits.maxBytes && now - oldest.lastMs <= this.limits.maxAgeMs) break
      try {
        unlinkSync(join(app.dir, oldest.name))
      } catch {
        // already gone
      }

      total -= oldest.size
      app.segments.shift()
    }
  }

  private expireAll(): void {
    for (const app of this.apps.values()) this.enforce(app)
  }

  /** The segment's end without a torn last line (one with no newline), and then the segment is written no more. */
  private withoutTornLine(app: OpenApp, segment: Segment, data: Buffer<ArrayBuffer>): Buffer<ArrayBuffer> {
    if (data.length === 0 || data.at(-1) === 10) return data
    if (app.current === segment) this.closeFd(app)
    const lastNewline = data.lastIndexOf(10)
    return lastNewline === -1 ? Buffer.alloc(0) : data.subarray(0, lastNewline + 1)
  }

  /** The segment's last `count` lines that parse; a cut-off last line is skipped (and the segment closed). */
  private readSegment(app: OpenApp, segment: Segment, count: number): ArchivedLine[] {
    let fd: number | undefined
    try {
      fd = openSync(join(app.dir, segment.name), 'r')
      const {size} = fstatSync(fd)
      const out: ArchivedLine[] = []
      // read backwards in chunks until enough lines
      const chunk = 64 * 1024
      let end = size
      let carry = Buffer.alloc(0)
      let first = true
      while (end > 0 && out.length < count) {
        const start = Math.max(0, end - chunk)
        const buffer = Buffer.alloc(end - start)
        readFully(fd, buffer, start)
        let data = Buffer.concat([buffer, carry])
        end = start
        if (first) {
          first = false
          data = this.withoutTornLine(app, segment, data)
        }

        // the first (partial) line of this chunk waits for the next chunk, unless at the start
        const firstNewline = start > 0 ? data.indexOf(10) : -1
        carry = start > 0 ? (firstNewline >= 0 ? data.subarray(0, firstNewline + 1) : data) : Buffer.alloc(0)
        const body = start > 0 ? (firstNewline >= 0 ? data.subarray(firstNewline + 1) : Buffer.alloc(0)) : data
        const texts = body.toString('utf8').split('\n')
        for (let i = texts.length - 1; i >= 0 && out.length < count; i--) {
          const parsed = parseLine(texts[i])
          if (parsed) out.push(parsed)
        }
      }

      return out.reverse()
    } catch (error) {
      this.log(`logs: skipped unreadable log segment ${join(app.dir, segment.name)}: ${(error as Error).message}`)
      return []
    } finally {
      if (fd !== undefined) closeSync(fd)
    }
  }

  private closeFd(app: OpenApp): void {
    if (app.fd !== undefined) {
      try {
        if (app.dirty) fdatasyncSync(app.fd)
        closeSync(app.fd)
      } catch {
        // closing is best effort
      }
    }

    app.fd = undefined
    app.current = undefined
    app.dirty = false
  }
}

export function parseLine(text: string): ArchivedLine | undefined {
  const match = LINE.exec(text)
  if (!match) return undefined
  return {source: match[2] as LogLine['source'], dyno: match[3], text}
}

function writeAll(fd: number, data: Buffer): void {
  let offset = 0
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset)
}

function readFully(fd: number, buffer: Buffer, position: number): void {
  let offset = 0
  while (offset < buffer.length) {
    const n = readSync(fd, buffer, offset, buffer.length - offset, position + offset)
    if (n === 0) break
    offset += n
  }
}
