import type {IncomingMessage} from 'node:http'

import {tlsOptionsFor} from '../api/trust.js'

/**
 * The SSE event type a log server sends last when it is shutting the stream down for good (the
 * local platform stopping): its data is shown, and a tail does not reconnect.
 */
export const END_EVENT = 'end'

/** Splits a byte stream into lines, plain text or server-sent events (`data:` lines). */
export class LineDecoder {
  private buffer = ''
  private data: string[] = []
  private event = ''
  /** the server sent the END_EVENT */
  finished = false

  constructor(private readonly sse: boolean, private readonly emit: (line: string) => void) {}

  push(chunk: string): void {
    this.buffer += chunk
    let nl: number
    while ((nl = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '')
      this.buffer = this.buffer.slice(nl + 1)
      this.take(line)
    }
  }

  end(): void {
    if (this.buffer !== '') this.take(this.buffer.replace(/\r$/, ''))
    this.buffer = ''
    if (this.sse) this.dispatch()
  }

  private take(line: string): void {
    if (!this.sse) {
      this.emit(line)
      return
    }

    if (line === '') {
      this.dispatch()
    } else if (line.startsWith('data:')) {
      this.data.push(line.slice(line.startsWith('data: ') ? 6 : 5))
    } else if (line.startsWith('event:')) {
      this.event = line.slice(6).trim()
    }
    // `id:`, `retry:` and `:` comments (keep-alives) carry no log lines
  }

  private dispatch(): void {
    if (this.event === END_EVENT) this.finished = true
    this.event = ''
    if (this.data.length === 0) return
    for (const line of this.data.join('\n').split('\n')) this.emit(line)
    this.data = []
  }
}

export type StreamEnd = 'aborted' | 'ended' | 'finished'

/**
 * GETs a log stream URL with node:http(s) and calls `onLine` for each line. Resolves `ended`
 * when the server closes the stream, `finished` when it said beforehand that the stream is over
 * for good (END_EVENT), `aborted` when the signal fires; rejects on a network error or an HTTP
 * error status.
 */
export async function readLogStream(url: string, opts: {onLine: (line: string) => void, responseTimeoutMs?: number, signal?: AbortSignal, userAgent?: string}): Promise<StreamEnd> {
  const parsed = new URL(url)
  const {request} = parsed.protocol === 'https:' ? await import('node:https') : await import('node:http')
  // a local platform's log server: its CA, for its origin only
  const tls = await tlsOptionsFor(url)
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      resolve('aborted')
      return
    }

    let settled = false
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(noAnswer)
      opts.signal?.removeEventListener('abort', onAbort)
      fn()
    }

    const req = request(parsed, {
      headers: {Accept: 'text/event-stream, text/plain;q=0.9, */*;q=0.1', 'User-Agent': opts.userAgent ?? 'heroku-toolbelt'},
      method: 'GET',
      ...tls,
    })
    const onAbort = () => {
      req.destroy()
      settle(() => resolve('aborted'))
    }

    // a server that never answers fails after a while; once it answers, quiet periods are normal
    const waitMs = opts.responseTimeoutMs ?? 30_000
    const noAnswer = setTimeout(() => {
      req.destroy(new Error(`no answer from the log server within ${waitMs >= 1000 ? `${Math.round(waitMs / 1000)} s` : `${waitMs} ms`}`))
    }, waitMs)
    opts.signal?.addEventListener('abort', onAbort, {once: true})
    req.once('error', error => settle(() => (opts.signal?.aborted ? resolve('aborted') : reject(error))))
    req.once('response', (res: IncomingMessage) => {
      clearTimeout(noAnswer)
      const status = res.statusCode ?? 0
      if (status >= 400) {
        res.resume()
        settle(() => reject(new Error(`the log server answered ${status} ${res.statusMessage ?? ''}`.trim())))
        return
      }

      const sse = String(res.headers['content-type'] ?? '').includes('text/event-stream')
      const decoder = new LineDecoder(sse, opts.onLine)
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => decoder.push(chunk))
      // a stream cut off mid-way ('aborted'/'error') counts as dropped, like a clean end
      const done = () => {
        decoder.end()
        settle(() => resolve(opts.signal?.aborted ? 'aborted' : (decoder.finished ? 'finished' : 'ended')))
      }

      res.once('error', done)
      res.once('close', done)
    })
    req.end()
  })
}
