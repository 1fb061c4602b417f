// Serves a log session (the logplex_url minted by POST /apps/{app}/log-sessions):
//   - plain text, one line each, by default; server-sent events (`data: <line>\n\n`) when the
//     client's Accept names text/event-stream;
//   - the last `lines` lines matching the session's dyno/source first;
//   - without `tail` the response then ends; with `tail` new lines follow as they are written,
//     each flushed at once (no Nagle), with an SSE comment as heartbeat every ~30 s, until the
//     client goes away or the session expires;
//   - a client that reads slower than lines come never makes the platform hold more than
//     maxBufferedBytes for it: past that, lines are dropped and counted, and once the client has
//     caught up it reads Logplex's "Error L10 (output buffer overflow): N messages dropped since
//     …"; a client that takes nothing for stallMs meanwhile is disconnected;
//   - when the platform stops, every stream ends at once with a last line saying so (in SSE an
//     `event: end`, which tells the CLI not to reconnect).
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {LogSessionOptions} from '../store/log-sessions.js'
import type {LogRouter, StoredLine} from './log-router.js'

import {formatTime, matches} from './log-router.js'

export interface LogStreamOptions {
  heartbeatMs?: number
  /** bytes a stream may have waiting for its client before lines are dropped */
  maxBufferedBytes?: number
  /** a client that takes nothing for this long while lines are being dropped is disconnected */
  stallMs?: number
}

export const DEFAULT_HEARTBEAT_MS = 30_000
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024
export const DEFAULT_STALL_MS = 60_000
/** the SSE event type of a stream's last message: the platform is stopping, do not reconnect */
export const END_EVENT = 'end'
export const STOPPING_MESSAGE = 'The platform is stopping: this log stream ends.'

const platformLine = (message: string): string => `${formatTime(new Date())} heroku[logplex]: ${message}`

export function wantsEventStream(accept: string | undefined): boolean {
  if (!accept) return false
  return accept.split(',').some(part => {
    const [type, ...params] = part.trim().split(';')
    if (type.trim().toLowerCase() !== 'text/event-stream') return false
    const q = params.map(p => p.trim()).find(p => p.startsWith('q='))
    return q === undefined || Number(q.slice(2)) > 0
  })
}

export function streamLogSession(
  logs: LogRouter, appId: string, options: LogSessionOptions, expiresAt: Date,
  req: IncomingMessage, res: ServerResponse, streamOptions: LogStreamOptions = {},
): void {
  const sse = wantsEventStream(req.headers.accept)
  const encode = sse ? (text: string) => `data: ${text}\n\n` : (text: string) => `${text}\n`
  const finalLine = (): string => (sse ? `event: ${END_EVENT}\n` : '') + encode(platformLine(STOPPING_MESSAGE))
  const filter = {dyno: options.dyno, source: options.source}
  res.socket?.setNoDelay(true)
  res.writeHead(200, {
    'Content-Type': sse ? 'text/event-stream; charset=utf-8' : 'text/plain; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
  })
  if (options.tail && logs.closed) {
    res.end(finalLine())
    return
  }

  const history = logs.recent(appId, options.lines, filter)
  if (!options.tail) {
    res.end(history.map(line => encode(line.text)).join(''))
    return
  }

  if (history.length > 0) res.write(history.map(line => encode(line.text)).join(''))
  else res.flushHeaders()

  const maxBuffered = streamOptions.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES
  // lines dropped since the client fell behind, and when that began
  let overflow: undefined | {dropped: number, since: Date, stalled: NodeJS.Timeout}
  const caughtUp = (): void => {
    if (overflow === undefined) return
    clearTimeout(overflow.stalled)
    const {dropped, since} = overflow
    overflow = undefined
    res.write(encode(platformLine(`Error L10 (output buffer overflow): ${dropped} messages dropped since ${formatTime(since)}.`)))
  }

  const send = (text: string): void => {
    if (overflow !== undefined) {
      overflow.dropped++
      return
    }

    if (res.writableLength < maxBuffered) {
      res.write(text)
      return
    }

    // the buffer is full: drop lines until the client has taken it all ('drain')
    const stalled = setTimeout(() => res.destroy(), streamOptions.stallMs ?? DEFAULT_STALL_MS)
    stalled.unref()
    overflow = {dropped: 1, since: new Date(), stalled}
    res.once('drain', caughtUp)
  }

  const unfollow = logs.follow(appId, (line: StoredLine) => {
    if (matches(line, filter)) send(encode(line.text))
  })
  // plain text has no way to say "nothing new" without inventing a line: SSE streams only
  const heartbeat = sse
    ? setInterval(() => {
      if (overflow === undefined) res.write(': heartbeat\n\n')
    }, streamOptions.heartbeatMs ?? DEFAULT_HEARTBEAT_MS)
    : undefined
  heartbeat?.unref()
  const expiry = setTimeout(() => res.end(), Math.max(0, Math.min(expiresAt.getTime() - Date.now(), 2 ** 31 - 1)))
  expiry.unref()
  const untrack = logs.track(() => {
    // a client that is not reading would keep the connection (and the platform's stop) waiting
    if (overflow === undefined) res.end(finalLine())
    else res.destroy()
  })
  const stop = (): void => {
    unfollow()
    untrack()
    clearInterval(heartbeat)
    clearTimeout(expiry)
    if (overflow !== undefined) clearTimeout(overflow.stalled)
    res.off('drain', caughtUp)
  }

  res.once('close', stop)
  req.once('close', stop)
}
