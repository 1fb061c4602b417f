// One stored response (RFC 9111 §3): its header fields as the dyno sent them (minus what a cache
// must not keep), its body, the clocks its age is computed from, and the request header values
// its Vary names (the secondary key, §4.1).
import {STATUS_CODES} from 'node:http'

import {type Directives, fieldNames, parseCacheControl} from './directives.js'
import {field, httpDate, type RawHeaders, varyValue, without} from './headers.js'
import {ageField, freshnessLifetime} from './policy.js'

/** fields never stored: hop-by-hop ones and those the cache computes itself on each response */
const NOT_STORED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'age', 'x-cache'])
/** §3.2: a 304 never replaces these in the stored response */
const NOT_UPDATED = new Set(['content-length', 'content-encoding', 'content-range'])
/** bookkeeping per entry beyond headers and body, for the memory bound (measured, rounded up) */
const ENTRY_OVERHEAD = 400

export interface StoredResponse {
  ageValue: number
  readonly body: Buffer
  bytes: number
  date: number
  directives: Directives
  etag?: string
  /** the stored fields without the length ones, plus Content-Length: made on first full serve */
  full?: RawHeaders
  headers: RawHeaders
  lastModified?: string
  /** seconds */
  lifetime: number
  /** request target (path and query) as the client sent it */
  readonly path: string
  requestTime: number
  responseTime: number
  status: number
  statusText: string
  /** the Vary field names (lower case) and the request's values of them when stored */
  vary: string[]
  varyValues: (string | undefined)[]
}

export interface RequestHeaderSource {
  (name: string): string | string[] | undefined
}

/**
 * The fields a response may be stored with: §3.1 hop-by-hop out, and a shared cache drops
 * the fields private="…" names and those no-cache="…" names (they may not be reused unvalidated).
 */
function storedFields(headers: RawHeaders, cc: Directives): RawHeaders {
  const qualified = [...fieldNames(cc.get('private')), ...fieldNames(cc.get('no-cache'))]
  const connection = fieldNames(field(headers, 'connection'))
  return without(headers, qualified.length === 0 && connection.length === 0 ? NOT_STORED : new Set([...NOT_STORED, ...qualified, ...connection]))
}

export function makeEntry(
  path: string,
  status: number,
  statusText: string,
  headers: RawHeaders,
  body: Buffer,
  requestTime: number,
  responseTime: number,
  requestHeader: RequestHeaderSource,
): StoredResponse {
  const cc = parseCacheControl(field(headers, 'cache-control'))
  const entry: StoredResponse = {
    path, status, statusText: statusText || (STATUS_CODES[status] ?? ''), headers: [], body, directives: cc, vary: [], varyValues: [], lifetime: 0, ageValue: ageField(headers),
    date: 0, requestTime, responseTime, bytes: 0,
  }
  applyHeaders(entry, storedFields(headers, cc), requestHeader)
  return entry
}

/** §4.3.4: a 304 from validation freshens the stored response: its fields replace the stored ones. */
export function freshen(entry: StoredResponse, headers: RawHeaders, requestTime: number, responseTime: number): void {
  const cc = parseCacheControl(field(headers, 'cache-control'))
  const update = without(storedFields(headers, cc), NOT_UPDATED)
  const replaced = new Set<string>()
  for (let i = 0; i < update.length; i += 2) replaced.add(update[i].toLowerCase())
  const merged = [...without(entry.headers, replaced), ...update]
  entry.requestTime = requestTime
  entry.responseTime = responseTime
  entry.ageValue = ageField(headers)
  applyHeaders(entry, merged, undefined)
}

function applyHeaders(entry: StoredResponse, headers: RawHeaders, requestHeader: RequestHeaderSource | undefined): void {
  entry.headers = headers
  entry.full = undefined
  entry.directives = parseCacheControl(field(headers, 'cache-control'))
  entry.date = httpDate(field(headers, 'date')) ?? entry.responseTime
  entry.lifetime = freshnessLifetime({status: entry.status, headers, directives: entry.directives}, entry.date)
  entry.etag = field(headers, 'etag')
  entry.lastModified = field(headers, 'last-modified')
  if (requestHeader) {
    entry.vary = (field(headers, 'vary') ?? '').split(',').map(name => name.trim().toLowerCase()).filter(Boolean)
    entry.varyValues = entry.vary.map(name => varyValue(requestHeader(name)))
  }

  let bytes = ENTRY_OVERHEAD + entry.path.length + entry.body.length
  for (const text of headers) bytes += text.length
  entry.bytes = bytes
}

/** §4.1: the stored response's Vary fields have the same values in this request. */
export function varyMatches(entry: StoredResponse, requestHeader: RequestHeaderSource): boolean {
  for (let i = 0; i < entry.vary.length; i++) {
    if (entry.vary[i] === '*') return false
    if (varyValue(requestHeader(entry.vary[i])) !== entry.varyValues[i]) return false
  }

  return true
}

/** ETag or Last-Modified: something a conditional request can name (§4.3.1). */
export function hasValidator(entry: StoredResponse): boolean {
  return entry.etag !== undefined || entry.lastModified !== undefined
}
