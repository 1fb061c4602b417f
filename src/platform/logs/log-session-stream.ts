// Serves a log session (the logplex_url minted by POST /apps/{app}/log-sessions):
//   - plain text, one line each, by default; server-sent events (`data: <line>\n\n`) when the
//     client's Accept names text/event-stream;
//   - the last `lines` lines matching the session's dyno/source first;
//   - without `tail` the response then ends; with `tail` new lines follow as they are written,
//     each flushed at once (no Nagle), with an SSE comment as heartbeat every ~30 s, until the
//     client goes away or the session expires.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {LogSessionOptions} from '../store/log-sessions.js'
import type {LogRouter, StoredLine} from './log-router.js'
import {matches} from './log-router.js'

export interface LogStreamOptions {
  heartbeatMs?: number
}

export const DEFAULT_HEARTBEAT_MS = 30_000

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
  const filter = {dyno: options.dyno, source: options.source}
  res.socket?.setNoDelay(true)
  res.writeHead(200, {
    'Content-Type': sse ? 'text/event-stream; charset=utf-8' : 'text/plain; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
  })
  const history = logs.recent(appId, options.lines, filter)
  if (!options.tail) {
    res.end(history.map(line => encode(line.text)).join(''))
    return
  }
  if (history.length > 0) res.write(history.map(line => encode(line.text)).join(''))
  else res.flushHeaders()

  const unfollow = logs.follow(appId, (line: StoredLine) => {
    if (matches(line, filter)) res.write(encode(line.text))
  })
  // plain text has no way to say "nothing new" without inventing a line: SSE streams only
  const heartbeat = sse ? setInterval(() => res.write(': heartbeat\n\n'), streamOptions.heartbeatMs ?? DEFAULT_HEARTBEAT_MS) : undefined
  heartbeat?.unref()
  const expiry = setTimeout(() => res.end(), Math.max(0, Math.min(expiresAt.getTime() - Date.now(), 2 ** 31 - 1)))
  expiry.unref()
  const untrack = logs.track(() => res.end())
  const stop = (): void => {
    unfollow()
    untrack()
    clearInterval(heartbeat)
    clearTimeout(expiry)
  }
  res.once('close', stop)
  req.once('close', stop)
}
