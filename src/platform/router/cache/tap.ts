// The cache's part in one request the router forwards to a dyno: it sets the validators of a
// conditional request (§4.3.1), turns a 304 into the freshened stored response (§4.3.4), serves
// stale on a dyno error when stale-if-error allows (RFC 5861 §4), copies a storable response's
// body as it streams to the client and stores it when complete (§3; never a partial one, §3.3),
// and wakes the requests coalesced behind it.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {AppCache, CacheOutcome} from './app-cache.js'
import type {Fill, RouterCache} from './router-cache.js'

import {servableOnError} from './decide.js'
import {type Directives, parseCacheControl} from './directives.js'
import {freshen, makeEntry, type RequestHeaderSource, type StoredResponse} from './entry.js'
import {field} from './headers.js'
import {storable} from './policy.js'
import {serveStored} from './respond.js'

/** How the router lets a cache take part in forwarding one request. */
export interface ForwardTap {
  /** the response broke off (dyno or client) */
  onAbort(): void
  onComplete(): void
  onData(chunk: Buffer): void
  /** no response came (H10, H12, H13, …): true when the tap served a stale response instead */
  onFailure(): boolean
  /** the dyno's response head: the headers for the client, or false when the tap answered it */
  onHeaders(status: number, statusText: string, headers: string[]): false | string[]
  /** what the request is logged as: hit, miss, stale, revalidated, bypass */
  readonly outcome: CacheOutcome
  /** bytes the tap itself sent when it answered */
  readonly servedBytes: number
  readonly servedStatus: number
  /** the request's headers as they go to the dyno (raw array), changed or as they are */
  upstream(headers: string[]): string[]
}

/** request fields the cache replaces by its own when it validates or fills for others */
const CONDITIONAL = new Set(['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range'])

export interface TapContext {
  app: AppCache
  cache: RouterCache
  fillKey: string
  key: string
  /** X-Cache values, or undefined when the app turned the header off */
  label(value: string): string | undefined
  req: IncomingMessage
  request: Directives
  res: ServerResponse
  /** false while the app's dynos move to a new release: what they answer is not stored */
  storing: boolean
}

export class CacheTap implements ForwardTap {
  outcome: CacheOutcome = 'miss'
  servedBytes = 0
  servedStatus = 0
  private readonly requestTime = Date.now()
  private chunks: Buffer[] | undefined
  private collected = 0
  private head?: {headers: string[], status: number, statusText: string}

  /** `validating`: the stored response being validated; `fill`: the coalesced fill this leads */
  constructor(
    private readonly c: TapContext,
    private readonly validating: StoredResponse | undefined,
    private readonly fill: Fill | undefined,
    private readonly stale: StoredResponse | undefined = validating,
  ) {}

  upstream(headers: string[]): string[] {
    const entry = this.validating
    if (!entry && !this.fill) return headers
    const out: string[] = []
    for (let i = 0; i < headers.length; i += 2) if (!CONDITIONAL.has(headers[i].toLowerCase())) out.push(headers[i], headers[i + 1])
    if (entry?.etag !== undefined) out.push('If-None-Match', entry.etag)
    if (entry?.lastModified !== undefined) out.push('If-Modified-Since', entry.lastModified)
    return out
  }

  onHeaders(status: number, statusText: string, headers: string[]): false | string[] {
    const {c} = this
    if (this.validating && status === 304) {
      const before = this.validating.bytes
      freshen(this.validating, headers, this.requestTime, Date.now())
      c.app.resized(c.key, this.validating, before)
      this.answer('revalidated', this.validating, 'HIT')
      this.settle(true)
      return false
    }

    if (status >= 500 && servableOnError(this.stale, c.request, Date.now())) {
      this.answer('stale', this.stale!, 'STALE')
      this.settle(true)
      return false
    }

    const length = Number(field(headers, 'content-length') ?? 0)
    const keep = c.storing && c.req.method === 'GET' && status !== 206 && length <= c.cache.limits.maxObjectBytes
      && storable({status, headers, directives: parseCacheControl(field(headers, 'cache-control'))}, c.request, c.req.headers.authorization !== undefined)
    if (keep) {
      this.chunks = []
      this.head = {status, statusText, headers}
    } else {
      // a newer GET response that may not be stored makes the stored one useless (§4.3.3); a
      // HEAD's answer says nothing about a GET's body
      const get = c.req.method === 'GET'
      if (this.validating && get) c.app.remove(c.key, this.validating)
      if ((this.fill || this.validating) && get && c.storing) c.cache.markPass(c.fillKey)
      this.settle(false)
    }

    c.app.count('miss')
    const label = c.label('MISS')
    // the router's own array of the dyno's fields: added to in place
    if (label !== undefined) headers.push('X-Cache', label)
    return headers
  }

  onData(chunk: Buffer): void {
    if (!this.chunks) return
    this.collected += chunk.length
    if (this.collected > this.c.cache.limits.maxObjectBytes) {
      // too large to keep: it streams on to this client, and the others fetch their own
      this.chunks = undefined
      if (this.fill || this.validating) this.c.cache.markPass(this.c.fillKey)
      this.settle(false)
      return
    }

    this.chunks.push(chunk)
  }

  onComplete(): void {
    const {c} = this
    if (this.chunks && this.head) {
      const {status, statusText, headers} = this.head
      const header: RequestHeaderSource = name => c.req.headers[name]
      c.app.put(c.key, makeEntry(c.req.url ?? '/', status, statusText, headers, Buffer.concat(this.chunks, this.collected), this.requestTime, Date.now(), header), header)
      c.cache.clearPass(c.fillKey)
      this.chunks = undefined
      this.settle(true)
    }
  }

  onAbort(): void {
    this.chunks = undefined
    this.settle(false)
  }

  onFailure(): boolean {
    const served = servableOnError(this.stale, this.c.request, Date.now())
    if (served) this.answer('stale', this.stale!, 'STALE')
    this.settle(served)
    return served
  }

  private answer(outcome: CacheOutcome, entry: StoredResponse, label: string): void {
    this.outcome = outcome
    this.c.app.count(outcome)
    const served = serveStored(this.c.req, this.c.res, entry, this.c.label(label))
    this.servedBytes = served.bytes
    this.servedStatus = served.status
  }

  private settle(stored: boolean): void {
    if (this.fill) this.c.cache.settle(this.c.fillKey, this.fill, stored)
  }
}

/** A tap that only labels the response and, for an unsafe method, invalidates (§4.4). */
export class PassTap implements ForwardTap {
  readonly outcome: CacheOutcome = 'bypass'
  readonly servedBytes = 0
  readonly servedStatus = 0

  constructor(private readonly label: string | undefined, private readonly invalidate: ((locations: (string | undefined)[]) => void) | undefined) {}

  upstream(headers: string[]): string[] {
    return headers
  }

  onHeaders(status: number, _statusText: string, headers: string[]): false | string[] {
    // §4.4: a non-error response to an unsafe method invalidates the target URI and the URIs
    // in Location and Content-Location
    if (this.invalidate && status >= 200 && status < 400) this.invalidate([field(headers, 'location'), field(headers, 'content-location')])
    if (this.label !== undefined) headers.push('X-Cache', this.label)
    return headers
  }

  onData(): void {}

  onComplete(): void {}

  onAbort(): void {}

  onFailure(): boolean {
    return false
  }
}

