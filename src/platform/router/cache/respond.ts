// Answering a client from a stored response: Age (RFC 9111 §5.1), the client's own conditional
// request (§4.3.2, RFC 9110 §13: 304), HEAD from a stored GET (§4.3.5 reuses the GET's fields),
// and a byte Range of a stored full response (RFC 9110 §14: 206 / 416).
import type {IncomingMessage, ServerResponse} from 'node:http'

import {type StoredResponse} from './entry.js'
import {httpDate, weakMatch, without} from './headers.js'
import {currentAge} from './policy.js'

/** RFC 9110 §15.4.5: what a 304 carries of the stored response */
const NOT_MODIFIED_FIELDS = new Set(['cache-control', 'content-location', 'date', 'etag', 'expires', 'vary', 'last-modified'])
const LENGTH_FIELDS = new Set(['content-length', 'content-range'])

export interface Served {
  bytes: number
  status: number
}

/** `label`: the X-Cache value, or undefined when the app turned that header off. */
export function serveStored(req: IncomingMessage, res: ServerResponse, entry: StoredResponse, label: string | undefined, now = Date.now()): Served {
  const extra = ['Age', String(currentAge(entry, now))]
  if (label !== undefined) extra.push('X-Cache', label)
  if (entry.status === 200 && notModified(req, entry)) {
    const headers: string[] = []
    for (let i = 0; i < entry.headers.length; i += 2) if (NOT_MODIFIED_FIELDS.has(entry.headers[i].toLowerCase())) headers.push(entry.headers[i], entry.headers[i + 1])
    res.writeHead(304, 'Not Modified', [...headers, ...extra])
    res.end()
    return {status: 304, bytes: 0}
  }

  const head = req.method === 'HEAD'
  const range = entry.status === 200 && req.headers.range !== undefined ? rangeOf(req, entry) : undefined
  const base = entry.full === undefined || range !== undefined ? without(entry.headers, LENGTH_FIELDS) : entry.full
  if (range === 'unsatisfiable') {
    res.writeHead(416, 'Range Not Satisfiable', [...without(base, new Set(['content-type', 'content-encoding', 'etag', 'last-modified'])), 'Content-Range', `bytes */${entry.body.length}`, 'Content-Length', '0', ...extra])
    res.end()
    return {status: 416, bytes: 0}
  }

  if (range) {
    const [first, last] = range
    const part = entry.body.subarray(first, last + 1)
    res.writeHead(206, 'Partial Content', [...base, 'Content-Range', `bytes ${first}-${last}/${entry.body.length}`, 'Content-Length', String(part.length), ...extra])
    res.end(head ? undefined : part)
    return {status: 206, bytes: head ? 0 : part.length}
  }

  // 204 and 304-like statuses carry no body and no length (RFC 9110 §8.6)
  const bodyless = entry.status === 204 || entry.status < 200
  entry.full ??= bodyless ? base : [...base, 'Content-Length', String(entry.body.length)]
  res.writeHead(entry.status, entry.statusText, [...entry.full, ...extra])
  res.end(head || bodyless ? undefined : entry.body)
  return {status: entry.status, bytes: head || bodyless ? 0 : entry.body.length}
}

/** RFC 9110 §13.1.2 (If-None-Match) over §13.1.3 (If-Modified-Since). */
function notModified(req: IncomingMessage, entry: StoredResponse): boolean {
  const inm = req.headers['if-none-match']
  if (inm !== undefined) return weakMatch(inm, entry.etag)
  const ims = httpDate(req.headers['if-modified-since'])
  if (ims === undefined || ims > Date.now()) return false
  // RFC 9110 §13.1.3: compared with Last-Modified, or the Date the response was stored with
  const modified = httpDate(entry.lastModified) ?? entry.date
  return modified <= ims
}

/** One byte range of the stored body, 'unsatisfiable', or undefined for the whole (RFC 9110 §14.2). */
function rangeOf(req: IncomingMessage, entry: StoredResponse): 'unsatisfiable' | [number, number] | undefined {
  const header = req.headers.range
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined
  if (header === undefined) return undefined
  const ifRange = req.headers['if-range'] as string | undefined
  // §13.1.5: a strong validator that matches exactly, else the whole representation
  if (ifRange !== undefined) {
    const strongEtag = entry.etag !== undefined && !entry.etag.startsWith('W/') && ifRange === entry.etag
    const sameDate = !ifRange.startsWith('"') && !ifRange.startsWith('W/') && entry.lastModified !== undefined && httpDate(ifRange) !== undefined && httpDate(ifRange) === httpDate(entry.lastModified)
    if (!strongEtag && !sameDate) return undefined
  }

  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  // several ranges, or another unit: the whole response is a valid answer (§14.2)
  if (!match || (match[1] === '' && match[2] === '')) return undefined
  const size = entry.body.length
  if (match[1] === '') {
    const suffix = Number(match[2])
    if (suffix === 0 || size === 0) return 'unsatisfiable'
    return [Math.max(0, size - suffix), size - 1]
  }

  const first = Number(match[1])
  const last = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  if (match[2] !== '' && Number(match[2]) < first) return undefined
  if (first >= size) return 'unsatisfiable'
  return [first, last]
}
