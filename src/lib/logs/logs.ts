import type {LogSession} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {UserError} from '../errors.js'
import {colourLogLine, parseLogLine} from './log-line.js'
import {readLogStream} from './stream.js'

export interface LogsOptions {
  api: ApiClient
  app: string
  /** a dyno (web.1) or a process type (web) */
  dyno?: string
  /** one JSON object a line */
  json?: boolean
  /** lines of history to start with */
  lines?: number
  out: Output
  /** stops streaming cleanly (Ctrl-C) */
  signal?: AbortSignal
  /** app, heroku, … */
  source?: string
  /** a stream that stayed up this long earns a fresh reconnect when it drops (default 60 s) */
  stableMs?: number
  /** keep streaming */
  tail?: boolean
  userAgent?: string
}

function sessionBody(opts: LogsOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {tail: Boolean(opts.tail)}
  if (opts.lines !== undefined) body.lines = opts.lines
  if (opts.source) body.source = opts.source
  if (opts.dyno) {
    if (opts.dyno.includes('.')) body.dyno_name = opts.dyno
    else body.type = opts.dyno
  }

  return body
}

/**
 * POST /apps/{app}/log-sessions, then streams the session's logplex_url. With `tail`, a dropped
 * stream is reconnected once (a new session; lines already shown are not shown again); a second
 * drop soon after is an error, while a stream that had stayed up for a minute earns a new try.
 * A stream the server ended for good (the platform stopping: its last line says so) is the end.
 */
export async function streamLogs(opts: LogsOptions): Promise<void> {
  const {api, out} = opts
  const createSession = () => api.post<LogSession>(paths.app(opts.app).logSessions(), sessionBody(opts))
  const print = (line: string) => {
    if (opts.json) out.jsonLine(parseLogLine(line))
    else out.log(colourLogLine(line, out.color))
  }

  // after a reconnect the new session replays recent history: lines already shown are skipped
  // until the first one not seen before
  const recent = new RecentLines(1000)
  let deduplicating = false
  const onLine = (line: string) => {
    if (deduplicating && recent.has(line)) return
    deduplicating = false
    recent.add(line)
    print(line)
  }

  let reconnected = false
  let session = await createSession()
  for (;;) {
    if (!session.logplex_url) throw new UserError('The platform returned a log session without a logplex_url.')
    let end: string
    let failure: Error | undefined
    const started = Date.now()
    try {
      end = await readLogStream(session.logplex_url, {onLine, signal: opts.signal, userAgent: opts.userAgent})
    } catch (error) {
      end = 'failed'
      failure = error as Error
    }

    if (end === 'aborted' || end === 'finished') return
    if (!opts.tail) {
      if (failure) throw new UserError(`Could not read the logs: ${failure.message}`)
      return
    }

    // the reconnect allowance is per drop: a tail that ran for a while may be reconnected again
    if (reconnected && Date.now() - started >= (opts.stableMs ?? 60_000)) reconnected = false
    if (reconnected) {
      throw new UserError(`The log stream was dropped again${failure ? ` (${failure.message})` : ''}.`, {hint: 'Run heroku logs --tail again.'})
    }

    reconnected = true
    out.info(` ›   The log stream was dropped${failure ? ` (${failure.message})` : ''}; reconnecting...`)
    deduplicating = true

    session = await createSession()
  }
}

/** The last N lines shown, for skipping a replayed history. */
class RecentLines {
  private readonly order: string[] = []
  private readonly counts = new Map<string, number>()

  constructor(private readonly max: number) {}

  add(line: string): void {
    this.order.push(line)
    this.counts.set(line, (this.counts.get(line) ?? 0) + 1)
    if (this.order.length > this.max) {
      const old = this.order.shift()!
      const n = this.counts.get(old)! - 1
      if (n === 0) this.counts.delete(old)
      else this.counts.set(old, n)
    }
  }

  has(line: string): boolean {
    return this.counts.has(line)
  }
}
