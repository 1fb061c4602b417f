// The HTTP routing mesh: one port for every app. `Host: APP.localhost[:PORT]` (or any domain of
// the app) selects the app; each request goes to the app's `up` web dyno with the fewest
// requests in flight (ties: round robin). Bodies stream both ways, never buffered; requests go to
// the dynos over undici pools of kept-alive connections (measured faster than node:http's client
// here: see bench/router); WebSocket (any HTTP Upgrade) is piped through.
//
// Added to each request: X-Request-Id (a valid client one is kept), X-Forwarded-For,
// X-Forwarded-Proto (http or https), X-Forwarded-Port, X-Request-Start (ms since the epoch), Via.
//
// With TLS (options.tls) the one port speaks HTTP and HTTPS, told apart by each connection's
// first byte (tls/listener.ts: nothing added per request); HTTPS clients get APP.localhost's own
// certificate by SNI, a custom domain the certificate uploaded for it (sni-endpoints), or the
// default one (tls/certificates.ts).
//
// Errors are Heroku's: H10 app crashed, H12 request timeout, H13 connection closed without
// response, H14 no web dynos, H20 app boot timeout, H80 maintenance mode (all 503 with an HTML
// page), 404 for an unknown host. Once a response has started, a dyno that sends no body data
// for 55 s (H15 idle connection) or closes mid-body (H18) gets the client's connection closed;
// so does a client that sends no request body data for 55 s (H28, 499). A connection a dyno
// refused never reached it: the request goes to another up dyno (each one once).
// GET and HEAD go through the app's HTTP cache (cache/, RFC 9111): only what the app marks
// cacheable is stored; responses carry X-Cache (unless the app's ROUTER_CACHE_HEADER=off).
// Every request writes one router line to the app's log:
//   at=info method=GET path="/" host=APP.localhost request_id=… fwd="127.0.0.1" dyno=web.1 connect=0ms service=3ms status=200 bytes=123 protocol=http cache=miss

import type {Duplex} from 'node:stream'

import {randomUUID} from 'node:crypto'
import {createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {createServer as createHttpsServer, type Server as HttpsServer} from 'node:https'
import {type AddressInfo, connect as netConnect, type Socket} from 'node:net'
import {createSecureContext, type SecureContext, type TLSSocket} from 'node:tls'
import {type Dispatcher, Pool} from 'undici'

import type {Backend, WebPool, WebPools} from '../dynos/web-pool.js'
import type {PlatformEvents} from '../events.js'
import type {LogSink} from '../logs/log-sink.js'
import type {Store} from '../store/database.js'
import type {TlsCertificates} from '../tls/certificates.js'

import {findRoutedAppByHostname, findRoutedAppByName} from '../store/apps.js'
import {servedCertificate} from '../store/sni-endpoints.js'
import {type SniffingListener, sniffingListener} from '../tls/listener.js'
import {decide, type Decision} from './cache/decide.js'
import {parseCacheControl} from './cache/directives.js'
import {freshen, makeEntry, type RequestHeaderSource, type StoredResponse} from './cache/entry.js'
import {field} from './cache/headers.js'
import {storable} from './cache/policy.js'
import {serveStored} from './cache/respond.js'
import {type CacheLimits, DEFAULT_LIMITS, registerCache, RouterCache} from './cache/router-cache.js'
import {CacheTap, type ForwardTap, PassTap} from './cache/tap.js'
import {errorPage, H10, H12, H13, H14, H15, H18, H20, H28, H80, NO_SUCH_APP, type RouterError} from './error-pages.js'
import {type MaintenancePageOptions, MaintenancePages} from './maintenance-page.js'

export interface RouterOptions {
  /**
   * H15 after this long without response body data from the dyno, H28 without request body
   * data from the client; Heroku's is 55 s
   */
  bodyIdleTimeoutMs?: number
  /** while web dynos are starting, wait this long for one to come up before H20 */
  bootWaitMs?: number
  /** the HTTP cache's bounds; false runs the router without a cache (as before it had one) */
  cache?: false | Partial<CacheLimits>
  events: PlatformEvents
  host?: string
  log?: (line: string) => void
  logs: LogSink
  /** fetching MAINTENANCE_PAGE_URL pages (maintenance-page.ts) */
  maintenancePage?: Partial<MaintenancePageOptions>
  pools: WebPools
  /** 0 picks a free port */
  port: number
  /** H12 after this long without a response; Heroku's is 30 s */
  requestTimeoutMs?: number
  store: Store
  /** HTTPS beside HTTP on the port, with these certificates; absent: plain HTTP only */
  tls?: TlsCertificates
}

interface AppEntry {
  appId: string
  /** X-Cache on responses (the app's ROUTER_CACHE_HEADER config var is not "off") */
  cacheHeader: boolean
  maintenance: boolean
  name: string
}

/**
 * One request on its way through the router, from the app it is for to its log line: made once
 * when it arrives and passed to every step (the cache, route, forward and its retries, fail).
 */
interface RoutedRequest {
  readonly app: AppEntry
  /** when the connection to that dyno was made (ms since the epoch); `start` until then */
  connected: number
  /** the dyno it went to (the last one tried), once it went to one */
  dyno: string | undefined
  /** the client's address (X-Forwarded-For, fwd=), read on arrival: a socket undici gave up on is gone */
  readonly fwd: string
  readonly req: IncomingMessage
  /** X-Request-Id: the client's (when valid) or a new one */
  readonly requestId: string
  readonly res: ServerResponse
  /** when it arrived (ms since the epoch): X-Request-Start, and the log line's times */
  readonly start: number
  /** what the HTTP cache does with it (cache/tap.ts); undefined without a cache or before it decided */
  tap: ForwardTap | undefined
}

/** What a router log line tells of a request: an upgrade (WebSocket) has no ServerResponse. */
type LoggedRequest = Omit<RoutedRequest, 'res'>

/** the app setting (a config var) that turns the X-Cache header off */
export const CACHE_HEADER_VAR = 'ROUTER_CACHE_HEADER'
/** methods that change nothing (RFC 9110 §9.2.1): all others invalidate what is stored (§4.4) */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE'])
/** a client's conditional and Range fields: such a request goes to the dyno as it is on a miss */
const CLIENT_CONDITIONAL = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range']
const MISS: Decision = {kind: 'miss'}

/** no dynos: the first try of a request */
const NONE: readonly Backend[] = []
const REQUEST_ID = /^[\w\-.,:+=/]{20,200}$/
/** headers of one hop only, never passed on (lower case) */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate'])
/** their lengths: most names need no lower-casing to be kept */
const HOP_BY_HOP_LENGTHS = new Set([...HOP_BY_HOP].map(name => name.length))
/** headers the router sets itself */
const OURS = new Set(['x-request-id', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port', 'x-request-start', 'via'])

export class HttpRouter {
  private server?: Server
  private secure?: HttpsServer
  private sniffing?: SniffingListener
  private readonly upstreams = new Map<number, {backend: Backend, pool: Pool}>()
  private readonly hosts = new Map<string, AppEntry | null>()
  /** TLS server names → an uploaded certificate's context (sni-endpoints), null: none (the platform's) */
  private readonly sniContexts = new Map<string, null | SecureContext>()
  /** the same entries by Host header as received (APP.localhost:PORT): no parsing per request */
  private readonly hostHeaders = new Map<string, AppEntry | null>()
  private readonly pools = new WeakMap<WebPool, {rr: number}>()
  private readonly upgraded = new Set<Duplex>()
  private readonly unsubscribe: (() => void)[] = []
  private readonly requestTimeoutMs: number
  private readonly bodyIdleTimeoutMs: number
  private readonly bootWaitMs: number
  private listenPort = 0
  private listenPortText = '0'
  /** undefined when the router runs without a cache */
  readonly cache?: RouterCache
  /** apps' MAINTENANCE_PAGE_URL pages, served with H80 */
  private readonly maintenancePages: MaintenancePages

  constructor(private readonly o: RouterOptions) {
    this.maintenancePages = new MaintenancePages(o.store, o.maintenancePage)
    if (o.cache !== false) this.cache = new RouterCache({...DEFAULT_LIMITS, ...o.cache})
    this.requestTimeoutMs = o.requestTimeoutMs ?? 30_000
    this.bodyIdleTimeoutMs = o.bodyIdleTimeoutMs ?? 55_000
    this.bootWaitMs = o.bootWaitMs ?? 75_000
  }

  get port(): number {
    return this.listenPort
  }

  async listen(): Promise<number> {
    const forget = () => {
      this.hosts.clear()
      this.hostHeaders.clear()
    }

    const {events} = this.o
    if (this.cache) this.unsubscribe.push(registerCache(this.o.store, this.cache))
    this.unsubscribe.push(this.maintenancePages.watch(events), () => this.maintenancePages.close())
    const offRetired = this.o.pools.onRetired?.(backend => this.retire(backend))
    if (offRetired) this.unsubscribe.push(offRetired)
    this.unsubscribe.push(
      events.on('app.created', forget), events.on('app.renamed', forget), events.on('app.deleted', forget),
      events.on('app.maintenance.changed', forget), events.on('domain.created', forget), events.on('domain.deleted', forget),
      // a release may change config (ROUTER_CACHE_HEADER); once live, code too: what is stored
      // came from the old one
      events.on('release.created', forget),
      events.on('release.current', ({appId}) => {
        forget()
        this.cache?.released(appId)
      }),
      events.on('app.deleted', ({appId}) => this.cache?.appDeleted(appId)),
      ...(['sni-endpoint.changed', 'domain.created', 'domain.deleted', 'app.deleted'] as const).map(name => events.on(name, () => this.sniContexts.clear())),
    )
    // a client gets 30 s to send its headers (then 408); a request body has no overall limit,
    // only the idle one (H28), as on Heroku: uploads may be long
    const serverOptions = {keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 30_000}
    const onRequest = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res)
    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head)
    const onClientError = (_error: Error, socket: Duplex) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
      else socket.destroy()
    }

    const server = createServer(serverOptions, onRequest)
    server.on('upgrade', onUpgrade)
    server.on('clientError', onClientError)
    this.server = server
    const host = this.o.host ?? '127.0.0.1'
    if (this.o.tls) {
      const secure = createHttpsServer({...serverOptions, ...this.o.tls.serverOptions(true), SNICallback: this.sniCallback}, onRequest)
      secure.on('upgrade', onUpgrade)
      secure.on('clientError', onClientError)
      this.o.tls.track(secure)
      this.secure = secure
      this.sniffing = sniffingListener({tls: secure, plain: server, firstByteTimeoutMs: serverOptions.headersTimeout})
      this.listenPort = await this.sniffing.listen(this.o.port, host)
    } else {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(this.o.port, host, () => {
          server.off('error', reject)
          resolve()
        })
      })
      this.listenPort = (server.address() as AddressInfo).port
    }

    this.listenPortText = String(this.listenPort)
    return this.listenPort
  }

  async close(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off()
    for (const socket of this.upgraded) socket.destroy()
    const {server} = this
    if (this.sniffing) {
      const closed = this.sniffing.close()
      server?.closeAllConnections()
      this.secure?.closeAllConnections()
      await closed
    } else if (server) {
      await new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }

    await Promise.all([...this.upstreams.values()].map(u => u.pool.destroy().catch(() => {})))
    this.upstreams.clear()
  }

  // --- plain requests --------------------------------------------------------------------

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const start = Date.now()
    const app = this.appFor(req.headers.host)
    const requestId = requestIdOf(req.headers)
    if (app === null) {
      this.sendError(req, res, NO_SUCH_APP, requestId, undefined)
      return
    }

    const r: RoutedRequest = {req, res, app, requestId, start, fwd: forwardedFor(req), tap: undefined, dyno: undefined, connected: start}
    if (app.maintenance) {
      this.fail(r, H80)
      return
    }

    const method = req.method ?? 'GET'
    if (!this.cache) {
      this.route(r)
    } else if (method === 'GET' || method === 'HEAD') {
      this.cached(r, true)
    } else {
      r.tap = new PassTap(app.cacheHeader ? 'BYPASS' : undefined, SAFE.has(method) ? undefined : locations => this.invalidate(app, req, locations))
      this.route(r)
    }
  }

  /** To a dyno: an up one now, or the first to come up (H20 after bootWaitMs). */
  private route(r: RoutedRequest): void {
    const {app} = r
    const pool = this.o.pools.webPool(app.appId)
    const backend = pool && this.pick(pool)
    if (backend) {
      this.forward(r, backend, NONE)
      return
    }

    const immediate = this.unavailable(pool)
    if (immediate) {
      this.fail(r, immediate)
      return
    }

    void this.waitForBackend(app, r.start).then(found => {
      if (r.req.destroyed) return r.tap?.onAbort()
      if (found) this.forward(r, found, NONE)
      else this.fail(r, this.unavailable(this.o.pools.webPool(app.appId)) ?? H20)
    })
  }

  // --- the HTTP cache (cache/) -----------------------------------------------------------

  /**
   * A GET or HEAD: answered from what is stored, validated with a dyno, or fetched. Concurrent
   * plain misses for one key are coalesced: one goes to a dyno, the others wait for its response
   * (`coalesce` false: this request already waited once and must not wait again).
   */
  private cached(r: RoutedRequest, coalesce: boolean): void {
    const {req, res, app} = r
    const cache = this.cache!
    const appCache = cache.app(app.appId)
    const key = `${hostOnly(req.headers.host).toLowerCase()} ${req.url ?? '/'}`
    const fillKey = `${app.appId}\n${key}`
    const header: RequestHeaderSource = name => req.headers[name]
    const cacheControl = req.headers['cache-control']
    const request = parseCacheControl(cacheControl)
    const now = Date.now()
    const stored = appCache.lookup(key, header)
    const decision = stored ? decide(stored, {directives: request, pragma: field(req.rawHeaders, 'pragma'), hasCacheControl: cacheControl !== undefined}, now) : MISS
    const label = (value: string) => (app.cacheHeader ? value : undefined)
    const storing = cache.storing(app.appId, () => {
      const pool = this.o.pools.webPool(app.appId)
      return !pool || (pool.pending === 0 && pool.starting === 0)
    })
    const context = {cache, app: appCache, key, fillKey, req, res, request, label, storing}
    switch (decision.kind) {
      case 'hit':
      case 'stale':
      case 'stale-refresh': {
        const outcome = decision.kind === 'hit' ? 'hit' : 'stale'
        appCache.count(outcome)
        const served = serveStored(req, res, decision.entry, label(outcome === 'hit' ? 'HIT' : 'STALE'), now)
        if (!req.complete) req.resume()
        this.logRequest(r, served.status, served.bytes, outcome)
        if (decision.kind === 'stale-refresh' && !cache.join(fillKey) && !cache.isPass(fillKey)) this.refresh(r, key, fillKey, decision.entry)
        return
      }

      case 'validate': {
        if (request.has('only-if-cached')) return this.gatewayTimeout(r)
        r.tap = new CacheTap(context, decision.entry, undefined)
        this.route(r)
        return
      }

      case 'miss': {
        if (request.has('only-if-cached')) return this.gatewayTimeout(r)
        // a client's own conditional or Range request, a HEAD or a key known to be uncacheable
        // goes as it is; its response is stored when it may be, but nobody waits for it
        // (a request whose own headers keep its response out of the cache neither leads nor waits)
        const plain = req.method === 'GET' && coalesce && !cache.isPass(fillKey) && !CLIENT_CONDITIONAL.some(name => req.headers[name] !== undefined)
          && req.headers.authorization === undefined && !request.has('no-store')
        if (!plain) {
          r.tap = new CacheTap(context, undefined, undefined, decision.entry)
          this.route(r)
          return
        }

        const inFlight = cache.join(fillKey)
        if (inFlight) {
          inFlight.waiters.push(stored => {
            if (req.destroyed) return
            if (stored) {
              this.cached(r, false)
            } else {
              r.tap = new CacheTap(context, undefined, undefined, decision.entry)
              this.route(r)
            }
          })
          return
        }

        r.tap = new CacheTap(context, undefined, cache.lead(fillKey), decision.entry)
        this.route(r)
      }
    }
  }

  /** RFC 9111 §5.2.1.7: only-if-cached and nothing stored that may be served. */
  private gatewayTimeout(r: RoutedRequest): void {
    const {req, res, app} = r
    this.cache!.app(app.appId).count('miss')
    res.writeHead(504, 'Gateway Timeout', ['Content-Length', '0', 'Cache-Control', 'no-store', ...(app.cacheHeader ? ['X-Cache', 'MISS'] : [])])
    res.end()
    if (!req.complete) req.resume()
    this.logRequest(r, 504, 0, 'miss')
  }

  /**
   * stale-while-revalidate (RFC 5861 §3): the stale response was served; one conditional request
   * to a dyno refreshes it in the background (a fill: misses for the key wait for it).
   */
  private refresh(r: RoutedRequest, key: string, fillKey: string, entry: StoredResponse): void {
    const {req, app} = r
    const cache = this.cache!
    const appCache = cache.app(app.appId)
    const pool = this.o.pools.webPool(app.appId)
    const backend = pool && this.pick(pool)
    if (!backend) return
    const fill = cache.lead(fillKey)
    const header: RequestHeaderSource = name => req.headers[name]
    const url = req.url ?? '/'
    const headers: string[] = []
    const raw = forwardRawHeaders(req, r.requestId, r.start, this.listenPortText, r.fwd)
    for (let i = 0; i < raw.length; i += 2) if (!CLIENT_CONDITIONAL.includes(raw[i].toLowerCase())) headers.push(raw[i], raw[i + 1])
    if (entry.etag !== undefined) headers.push('If-None-Match', entry.etag)
    if (entry.lastModified !== undefined) headers.push('If-Modified-Since', entry.lastModified)
    const varyHeaders = Object.fromEntries(entry.vary.map(name => [name, req.headers[name]]))
    const requestTime = Date.now()
    backend.inflight++
    void this.poolFor(backend).request({path: url, method: 'GET', headers}).then(async response => {
      const responseHeaders: string[] = []
      for (const [name, value] of Object.entries(response.headers)) {
        for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) responseHeaders.push(name, v)
      }

      if (response.statusCode === 304) {
        await response.body.dump()
        const before = entry.bytes
        freshen(entry, responseHeaders, requestTime, Date.now())
        appCache.resized(key, entry, before)
        return true
      }

      const limit = cache.limits.maxObjectBytes
      const keep = response.statusCode !== 206 && Number(field(responseHeaders, 'content-length') ?? 0) <= limit
        && storable({status: response.statusCode, headers: responseHeaders, directives: parseCacheControl(field(responseHeaders, 'cache-control'))}, parseCacheControl(req.headers['cache-control']), req.headers.authorization !== undefined)
      if (!keep) {
        await response.body.dump()
        if (response.statusCode < 500) appCache.remove(key, entry)
        return false
      }

      const chunks: Buffer[] = []
      let size = 0
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length
        if (size > limit) {
          response.body.destroy()
          appCache.remove(key, entry)
          return false
        }

        chunks.push(chunk as Buffer)
      }

      const source: RequestHeaderSource = name => varyHeaders[name] ?? header(name)
      appCache.put(key, makeEntry(url, response.statusCode, '', responseHeaders, Buffer.concat(chunks, size), requestTime, Date.now(), source), source)
      return true
    }).catch(() => false).then(stored => {
      backend.inflight--
      cache.settle(fillKey, fill, stored)
    })
  }

  /** §4.4: the target URI and same-app Location / Content-Location URIs are stored no more. */
  private invalidate(app: AppEntry, req: IncomingMessage, locations: (string | undefined)[]): void {
    const appCache = this.cache!.app(app.appId)
    const host = hostOnly(req.headers.host).toLowerCase()
    appCache.invalidate(`${host} ${req.url ?? '/'}`)
    for (const location of locations) {
      if (location === undefined) continue
      let url: URL
      try {
        url = new URL(location, `http://${req.headers.host ?? 'localhost'}`)
      } catch {
        continue
      }

      // only URIs of the same app: another origin's responses are not this app's to drop
      const target = url.hostname.toLowerCase()
      if (target !== host && this.appFor(url.host)?.appId !== app.appId) continue
      appCache.invalidate(`${target} ${url.pathname}${url.search}`)
    }
  }

  /** The error for a pool without an up dyno, or undefined when dynos are starting (wait). */
  private unavailable(pool: undefined | WebPool): RouterError | undefined {
    if (pool && (pool.starting > 0 || pool.pending > 0)) return undefined
    if (!pool || (pool.wanted === 0 && pool.crashed === 0)) return H14
    if (pool.crashed > 0) return H10
    return H14
  }

  private async waitForBackend(app: AppEntry, start: number): Promise<Backend | undefined> {
    for (;;) {
      const left = start + this.bootWaitMs - Date.now()
      if (left <= 0) return undefined

      await this.o.pools.poolChanged(app.appId, left)
      const pool = this.o.pools.webPool(app.appId)
      const backend = pool && this.pick(pool)
      if (backend) return backend
      if (this.unavailable(pool)) return undefined
    }
  }

  /** Fewest requests in flight; among equals, the next after the last one chosen. */
  private pick(pool: WebPool, exclude: readonly Backend[] = NONE): Backend | undefined {
    const {up} = pool
    const n = up.length
    if (n === 0) return undefined
    if (n === 1) return exclude.length > 0 && exclude.includes(up[0]) ? undefined : up[0]
    let state = this.pools.get(pool)
    if (!state) {
      state = {rr: 0}
      this.pools.set(pool, state)
    }

    const first = state.rr % n
    let best: Backend | undefined
    let bestIndex = first
    for (let i = 0; i < n; i++) {
      const index = (first + i) % n
      const candidate = up[index]
      if (exclude.length > 0 && exclude.includes(candidate)) continue
      if (best === undefined || candidate.inflight < best.inflight) {
        best = candidate
        bestIndex = index
        if (candidate.inflight === 0) break
      }
    }

    if (best) state.rr = bestIndex + 1
    return best
  }

  /**
   * Where a request goes after `failed` (the dynos in `failed` refused or reset its connection):
   * an up dyno not tried yet; after a reset, failing that, the same dyno again (a kept-alive
   * connection it had just closed says nothing about the dyno). At most one try per up dyno, +1.
   */
  private retryTarget(appId: string, failed: readonly Backend[], reset: boolean): Backend | undefined {
    const pool = this.o.pools.webPool(appId)
    if (!pool || failed.length > pool.up.length) return undefined
    const other = this.pick(pool, failed)
    if (other || !reset) return other
    const last = failed.at(-1)!
    return pool.up.includes(last) ? last : undefined
  }

  /** One undici pool (keep-alive connections, unbounded) per web dyno, made on first use. */
  private poolFor(backend: Backend): Pool {
    const known = this.upstreams.get(backend.port)
    if (known && known.backend === backend) return known.pool
    if (known) void known.pool.destroy().catch(() => {})
    const pool = new Pool(`http://127.0.0.1:${backend.port}`, {
      // bodyTimeout: between body chunks, and not while the client's backpressure pauses us
      connections: null, pipelining: 1, keepAliveTimeout: 4000, headersTimeout: this.requestTimeoutMs, bodyTimeout: this.bodyIdleTimeoutMs,
    })
    this.upstreams.set(backend.port, {backend, pool})
    return pool
  }

  /**
   * A dyno leaving its pool: its requests in flight finish, then its idle kept-alive connections
   * close — an app stopping gracefully (server.close()) would otherwise wait for them.
   */
  private retire(backend: Backend): void {
    const known = this.upstreams.get(backend.port)
    if (!known || known.backend !== backend) return
    this.upstreams.delete(backend.port)
    void known.pool.close().catch(() => {})
  }

  /** `failed`: the dynos this request already failed on (refused, reset), in order */
  private forward(r: RoutedRequest, backend: Backend, failed: readonly Backend[]): void {
    const {req, res, app, tap} = r
    const raw = forwardRawHeaders(req, r.requestId, r.start, this.listenPortText, r.fwd)
    const headers = tap ? tap.upstream(raw) : raw
    r.dyno = backend.name
    r.connected = r.start
    /** the tap answered the client itself (a freshened stored response, a stale one) */
    let taken = false
    backend.inflight++
    let released = false
    const release = () => {
      if (!released) {
        released = true
        backend.inflight--
      }
    }

    const withBody = hasBody(req)
    let status = 0
    let bytes = 0
    let resume: (() => void) | undefined
    let abort: ((reason?: Error) => void) | undefined
    const onClientGone = () => {
      if (status === 0 || !res.writableFinished) abort?.(new Error('client went away'))
      release()
    }

    res.on('close', onClientGone) // emitted once: `on` spares once()'s wrapper
    // H28: the socket's idle timer sees the upload (and, once it is complete, nothing we need)
    const onClientIdle = withBody && !req.complete
      ? () => {
        if (req.complete) {
          res.setTimeout(0)
          return
        }

        this.logError(r, H28)
        res.destroy() // onClientGone aborts the dyno's request
      }
      : undefined
    if (onClientIdle) res.setTimeout(this.bodyIdleTimeoutMs, onClientIdle)
    this.poolFor(backend).dispatch({
      path: req.url ?? '/', method: (req.method ?? 'GET') as Dispatcher.HttpMethod, headers,
      body: withBody ? req : null,
    }, {
      onConnect(abortRequest: (reason?: Error) => void) {
        abort = abortRequest
        r.connected = Date.now()
      },
      onHeaders(statusCode: number, rawHeaders: Buffer[], resumeBody: () => void, statusText: string) {
        status = statusCode
        resume = resumeBody
        // raw header arrays: no per-request header objects to build and re-validate key by key
        const out: string[] = []
        for (let i = 0; i < rawHeaders.length; i += 2) {
          const name = rawHeaders[i].toString('latin1')
          if (!HOP_BY_HOP_LENGTHS.has(name.length) || !HOP_BY_HOP.has(name.toLowerCase())) out.push(name, rawHeaders[i + 1].toString('latin1'))
        }

        const sent = tap ? tap.onHeaders(statusCode, statusText, out) : out
        if (sent === false) {
          taken = true
          return true
        }

        res.writeHead(statusCode, statusText, sent)
        return true
      },
      onData(chunk: Buffer) {
        if (taken) return true
        tap?.onData(chunk)
        bytes += chunk.length
        if (res.write(chunk)) return true
        res.once('drain', () => resume?.())
        return false
      },
      onComplete: () => {
        release()
        if (taken) {
          this.logRequest(r, tap!.servedStatus, tap!.servedBytes)
          return
        }

        tap?.onComplete()
        res.end()
        this.logRequest(r, status, bytes)
      },
      onError: (error: Error) => {
        release()
        if (taken) return
        if (res.destroyed) return tap?.onAbort()
        const {code} = (error as {code?: string})
        if (status !== 0 || res.headersSent) {
          tap?.onAbort()
          this.logError(r, code === 'UND_ERR_BODY_TIMEOUT' ? H15 : H18, bytes)
          res.destroy()
          return
        }

        if (code === 'UND_ERR_HEADERS_TIMEOUT') {
          this.fail(r, H12)
          return
        }

        // a refused connection never reached the dyno (its body unread: any request may go
        // again); a reset one may be a kept-alive connection the dyno had just closed (safe
        // methods without a body only)
        const refused = code === 'ECONNREFUSED'
        const reset = code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
        const safe = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS'
        if ((refused && !req.destroyed) || (reset && safe && !withBody)) {
          const tried = [...failed, backend]
          const again = this.retryTarget(app.appId, tried, reset)
          if (again) {
            res.removeListener('close', onClientGone)
            if (onClientIdle) res.removeListener('timeout', onClientIdle)
            this.forward(r, again, tried)
            return
          }
        }

        this.fail(r, H13)
      },
    })
  }

  private fail(r: RoutedRequest, error: RouterError): void {
    const {req, res, tap} = r
    // stale-if-error: a stored response instead of the error page (the error is still logged)
    if (tap && !res.headersSent && tap.onFailure()) {
      if (!req.complete) req.resume()
      this.logError(r, error, tap.servedBytes, tap.servedStatus)
      return
    }

    this.sendError(req, res, error, r.requestId, r.app)
    this.logError(r, error)
  }

  /** The error's page (or, once a response started, the connection closed); `app` undefined: no such app. */
  private sendError(req: IncomingMessage, res: ServerResponse, error: RouterError, requestId: string, app: AppEntry | undefined): void {
    if (res.headersSent) {
      res.destroy()
    } else {
      // H80: the app's MAINTENANCE_PAGE_URL page once fetched, else the built-in one
      const custom = error.code === 'H80' && app ? this.maintenancePages.page(app.appId) : undefined
      const page = custom?.body ?? errorPage(error)
      res.writeHead(error.status, {
        'Content-Type': custom?.contentType ?? 'text/html; charset=utf-8',
        'Content-Length': Buffer.byteLength(page),
        'Cache-Control': 'no-cache, no-store',
        'X-Request-Id': requestId,
        ...(error.code === 'H80' ? {'Retry-After': '60'} : {}),
      })
      res.end(req.method === 'HEAD' ? undefined : page)
    }

    // draining an unread request body keeps the client's connection usable
    if (!req.complete) req.resume()
  }

  /** `bytes`, `status`: what the client got (a stale response served: not the error's status) */
  private logError(r: LoggedRequest, error: RouterError, bytes = 0, status = error.status): void {
    const {req} = r
    const connect = r.connected - r.start
    const cache = r.tap?.outcome
    const line = `at=error code=${error.code} desc="${error.desc}" method=${req.method} path="${logPath(req.url)}" host=${hostOnly(req.headers.host)} request_id=${r.requestId} fwd="${r.fwd}" dyno=${r.dyno ?? ''} connect=${connect}ms service=${Date.now() - r.start - connect}ms status=${status} bytes=${bytes} protocol=${protocolOf(req)}${cache === undefined ? '' : ` cache=${cache}`}`
    this.o.logs.write({appId: r.app.appId, source: 'heroku', dyno: 'router', message: line})
  }

  /** `cache`: what the cache did (hit, miss, stale, revalidated, bypass); absent without a cache */
  private logRequest(r: LoggedRequest, status: number, bytes: number, cache = r.tap?.outcome): void {
    const {req} = r
    const connect = r.connected - r.start
    const line = `at=info method=${req.method} path="${logPath(req.url)}" host=${hostOnly(req.headers.host)} request_id=${r.requestId} fwd="${r.fwd}" dyno=${r.dyno ?? ''} connect=${connect}ms service=${Date.now() - r.start - connect}ms status=${status} bytes=${bytes} protocol=${protocolOf(req)}${cache === undefined ? '' : ` cache=${cache}`}`
    this.o.logs.write({appId: r.app.appId, source: 'heroku', dyno: 'router', message: line})
  }

  // --- WebSocket and other upgrades -------------------------------------------------------

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const start = Date.now()
    const requestId = requestIdOf(req.headers)
    const app = this.appFor(req.headers.host)
    const refuse = (error: RouterError) => {
      const page = errorPage(error)
      socket.end(`HTTP/1.1 ${error.status} ${error.title}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(page)}\r\nConnection: close\r\n\r\n${page}`)
      if (app && error.code) {
        this.o.logs.write({appId: app.appId, source: 'heroku', dyno: 'router', message: `at=error code=${error.code} desc="${error.desc}" method=${req.method} path="${logPath(req.url)}" host=${hostOnly(req.headers.host)} request_id=${requestId} fwd="${forwardedFor(req)}" dyno= connect=0ms service=0ms status=${error.status} bytes=0 protocol=${protocolOf(req)}`})
      }
    }

    if (app === null) return refuse(NO_SUCH_APP)
    if (app.maintenance) return refuse(H80)
    const pool = this.o.pools.webPool(app.appId)
    const backend = pool && this.pick(pool)
    if (!backend) return refuse(this.unavailable(pool) ?? H20)
    backend.inflight++
    backend.upgraded = (backend.upgraded ?? 0) + 1
    let released = false
    const release = () => {
      if (!released) {
        released = true
        backend.inflight--
        backend.upgraded!--
      }
    }

    const headers = forwardHeaders(req, requestId, start, this.listenPort, true)
    const upstream: Socket = netConnect({host: '127.0.0.1', port: backend.port})
    this.upgraded.add(socket)
    upstream.setNoDelay(true);
    (socket as Socket).setNoDelay?.(true)
    upstream.once('connect', () => {
      let head1 = `${req.method} ${req.url} HTTP/1.1\r\n`
      for (const [name, value] of Object.entries(headers)) {
        if (value === undefined) continue
        for (const v of Array.isArray(value) ? value : [value]) head1 += `${name}: ${v}\r\n`
      }

      upstream.write(`${head1}\r\n`)
      if (head.length > 0) upstream.write(head)
      upstream.pipe(socket)
      socket.pipe(upstream)
      this.logRequest({req, app, requestId, start, fwd: forwardedFor(req), tap: undefined, dyno: backend.name, connected: Date.now()}, 101, 0)
    })
    const done = () => {
      release()
      this.upgraded.delete(socket)
      upstream.destroy()
      socket.destroy()
    }

    upstream.once('error', () => {
      if (!upstream.readyState || upstream.connecting) refuse(H13)
      done()
    })
    upstream.once('close', done)
    socket.once('error', done)
    socket.once('close', done)
  }

  // --- apps by host -----------------------------------------------------------------------

  /**
   * A custom domain with an SNI endpoint gets the certificate uploaded for it; any other name what
   * the platform's certificates give (tls/certificates.ts). One Map lookup per handshake once seen.
   */
  private readonly sniCallback = (servername: string, callback: (error: Error | null, context?: SecureContext) => void): void => {
    const name = servername.toLowerCase()
    let context = this.sniContexts.get(name)
    if (context === undefined && !name.endsWith('.localhost')) {
      context = null
      const served = servedCertificate(this.o.store, name)
      if (served) {
        try {
          context = createSecureContext({cert: served.certificate_chain, key: served.private_key})
        } catch (error) {
          this.o.log?.(`router: the certificate uploaded for ${name} cannot be served: ${(error as Error).message}`)
        }
      }

      if (this.sniContexts.size > 10_000) this.sniContexts.clear()
      this.sniContexts.set(name, context)
    }

    if (context) callback(null, context)
    else this.o.tls!.sniCallback(servername, callback)
  }

  private appFor(hostHeader: string | undefined): AppEntry | null {
    const seen = hostHeader === undefined ? undefined : this.hostHeaders.get(hostHeader)
    if (seen !== undefined) return seen
    const entry = this.appForHost(hostOnly(hostHeader).toLowerCase())
    if (hostHeader !== undefined) {
      if (this.hostHeaders.size > 10_000) this.hostHeaders.clear()
      this.hostHeaders.set(hostHeader, entry)
    }

    return entry
  }

  private appForHost(host: string): AppEntry | null {
    const cached = this.hosts.get(host)
    if (cached !== undefined) return cached
    const row = findRoutedAppByHostname(this.o.store, host)
      ?? (host.endsWith('.localhost') ? findRoutedAppByName(this.o.store, host.slice(0, -'.localhost'.length)) : undefined)
    const entry = row ? {appId: row.id, name: row.name, maintenance: row.maintenance === 1, cacheHeader: cacheHeaderOn(row.config)} : null
    if (this.hosts.size > 10_000) this.hosts.clear()
    this.hosts.set(host, entry)
    return entry
  }
}

function cacheHeaderOn(config: string): boolean {
  try {
    const value = (JSON.parse(config) as Record<string, unknown>)[CACHE_HEADER_VAR]
    return typeof value !== 'string' || !/^(off|false|0|no)$/i.test(value.trim())
  } catch {
    return true
  }
}

function hostOnly(host: string | undefined): string {
  if (!host) return ''
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1)
  const colon = host.indexOf(':')
  return colon === -1 ? host : host.slice(0, colon)
}

function requestIdOf(headers: IncomingHttpHeaders): string {
  const given = headers['x-request-id']
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
}

function forwardedFor(req: IncomingMessage): string {
  const remote = req.socket?.remoteAddress ?? ''
  return remote.startsWith('::ffff:') ? remote.slice(7) : remote
}

function logPath(url: string | undefined): string {
  return (url ?? '/').replaceAll('"', '%22')
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined
}

/** The request's headers as a raw [name, value, …] array, hop-by-hop ones dropped, ours added. */
/** what the client spoke to the router: https over TLS */
function protocolOf(req: IncomingMessage): 'http' | 'https' {
  return (req.socket as TLSSocket | undefined)?.encrypted === true ? 'https' : 'http'
}

function forwardRawHeaders(req: IncomingMessage, requestId: string, start: number, port: string, client: string): string[] {
  const raw = req.rawHeaders
  const out: string[] = []
  let fwd: string | undefined
  let via: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase()
    if (HOP_BY_HOP.has(name)) continue
    if (OURS.has(name)) {
      if (name === 'x-forwarded-for') fwd = fwd ? `${fwd}, ${raw[i + 1]}` : raw[i + 1]
      else if (name === 'via') via = via ? `${via}, ${raw[i + 1]}` : raw[i + 1]
      continue
    }

    out.push(raw[i], raw[i + 1])
  }

  out.push(
    'X-Request-Id', requestId,
    'X-Forwarded-For', fwd ? `${fwd}, ${client}` : client,
    'X-Forwarded-Proto', protocolOf(req),
    'X-Forwarded-Port', port,
    'X-Request-Start', String(start),
    'Via', via ? `${via}, 1.1 heroku-toolbelt` : '1.1 heroku-toolbelt',
  )
  return out
}

function forwardHeaders(req: IncomingMessage, requestId: string, start: number, port: number, upgrade = false): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {...req.headers}
  if (!upgrade) {
    // the router talks keep-alive to the dyno whatever the client does
    delete headers.connection
    delete headers['keep-alive']
    delete headers['proxy-connection']
  }

  const client = forwardedFor(req)
  const fwd = headers['x-forwarded-for']
  headers['x-forwarded-for'] = fwd ? `${fwd}, ${client}` : client
  headers['x-forwarded-proto'] = protocolOf(req)
  headers['x-forwarded-port'] = String(port)
  headers['x-request-start'] = String(start)
  headers['x-request-id'] = requestId
  headers.via = headers.via ? `${headers.via}, 1.1 heroku-toolbelt` : '1.1 heroku-toolbelt'
  return headers
}
