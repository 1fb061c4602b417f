// The local platform's API server: node:http, one request pipeline, routes from src/platform/api.
//
//   request id → route → Accept → authenticate → rate limit → body → handler → JSON + headers
//
// Every write commits in SQLite before its response is written (see store/database.ts).

import type {AddressInfo} from 'node:net'

import {randomUUID} from 'node:crypto'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {createServer as createHttpsServer} from 'node:https'
import {performance} from 'node:perf_hooks'

import type {LogSink} from './logs/log-sink.js'
import type {TlsCertificates} from './tls/certificates.js'

import {builtinProviders} from './addons/builtin.js'
import {AddonCatalog} from './addons/catalog.js'
import {dashboardHandler} from './addons/dashboards/index.js'
import {resumeProvisioning} from './addons/lifecycle.js'
import {partnerProviders} from './addons/partner.js'
import {providerRuntime} from './addons/provider-runtime.js'
import {type AddonProvider, ProviderError} from './addons/provider.js'
import {handleAddonPartnerCallback} from './api/addon-providers.js'
import {handleCapabilityUrl} from './api/capability-urls.js'
import {createUrls, type PlatformContext, type RequestContext} from './api/context.js'
import {apiRoutes} from './api/index.js'
import {authenticate} from './auth/authenticate.js'
import {clientKey, DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleOptions} from './auth/login-throttle.js'
import {Deployer} from './build/deployer.js'
import {ReleasePhase} from './build/release-phase.js'
import {CapabilitySigner} from './capability-urls.js'
import {RENDEZVOUS_REFUSED, routeRendezvous} from './dynos/rendezvous.js'
import {Supervisor, type SupervisorOptions} from './dynos/supervisor.js'
import {PlatformEvents} from './events.js'
import {GitHttp} from './git/smart-http.js'
import {readJsonBody} from './http/body.js'
import {constraintError} from './http/constraint-errors.js'
import {ApiError, badRequest, notFound} from './http/errors.js'
import {paginate} from './http/pagination.js'
import {DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitOptions} from './http/rate-limit.js'
import {sendError, sendJson} from './http/respond.js'
import {Router} from './http/router.js'
import {LogRouter, type LogRouterOptions} from './logs/log-router.js'
import {logPlatformEvents} from './logs/platform-lines.js'
import {HttpRouter, type RouterOptions} from './router/router.js'
import {detectSandbox, type SandboxStatus} from './sandbox/sandbox.js'
import {appNameTaken} from './store/apps.js'
import {openStore, type Store} from './store/database.js'
import {urlSigningKey} from './store/settings.js'
import {refusePlainHttp, type SniffingListener, sniffingListener} from './tls/listener.js'
import {WebhookDeliverer, type WebhookDeliveryOptions} from './webhooks/deliverer.js'

export interface PlatformOptions {
  /** how long addons:create waits for its provider before answering `provisioning`; 20 s by default */
  addonAnswerWaitMs?: number
  /** add-on providers; defaults to the built-in ones (addons/builtin.ts) */
  addonProviders?: readonly AddonProvider[]
  dataDir: string
  /** the dyno supervisor's tuning (ports, grace period, timeouts); false runs no dynos at all */
  dynos?: false | Partial<Pick<SupervisorOptions, 'afterPrepare' | 'attachTimeoutMs' | 'backoffInitialMs' | 'backoffMaxMs' | 'bootPollMs' | 'bootTimeoutMs' | 'crashResetMs' | 'drainMs' | 'portRange' | 'stopGraceMs'>>
  /** interface to listen on; 127.0.0.1 unless you mean to expose the platform */
  host?: string
  /**
   * Handlers for paths outside the API on the API port (git smart HTTP comes here), tried in
   * order before the API routes. Each answers the request and returns true, or returns false.
   */
  httpHandlers?: readonly PlatformHttpHandler[]
  log?: (line: string) => void
  /** failed password logins allowed per client and email and window; defaults to 10 per 15 minutes */
  loginThrottle?: LoginThrottleOptions
  /** the log router's tuning: lines kept, the bounds of each app's log on disk, drain delivery */
  logs?: Omit<LogRouterOptions, 'dataDir' | 'log' | 'store'>
  /** where build output lines go (source app, dyno build); the log router, or nowhere */
  logSink?: LogSink
  /** 0 picks a free port */
  port: number
  /** per-token request budget; defaults to Heroku's 4500 per hour */
  rateLimit?: RateLimitOptions
  /** how long a release command may run (the release phase); default an hour, as on Heroku */
  releasePhaseTimeoutMs?: number
  /** the HTTP router's tuning; false starts no router (web_url still names routerPort) */
  router?: false | Partial<Pick<RouterOptions, 'bootWaitMs' | 'requestTimeoutMs'>>
  /** where the HTTP router (a later part) listens; apps' web_url points there */
  routerPort: number
  /**
   * how dynos and builds are confined: 'auto' (bubblewrap when it works here, announced when not;
   * the default, or HEROKU_PLATFORM_SANDBOX) or 'off'
   */
  sandbox?: 'auto' | 'off'
  /**
   * HTTPS (tls/): the API/git port speaks TLS only (plain HTTP gets a 400 naming the https URL),
   * the router speaks both; certificates from the local CA in DATA/tls/ (made at the first start).
   * Off by default.
   */
  tls?: boolean
  /** app webhook delivery: retry window (72 h), backoff, 10 s attempt timeout (webhooks/deliverer.ts) */
  webhooks?: Partial<WebhookDeliveryOptions>
}

/** Serves a non-API path; ApiErrors it throws are answered in the API's error shape. */
export type PlatformHttpHandler = (platform: PlatformContext, req: IncomingMessage, res: ServerResponse, segments: readonly string[]) => boolean | Promise<boolean>

export interface RunningPlatform {
  /** with tls: absolute path of the local CA's certificate (PEM), what clients are to trust */
  caPath?: string
  close(): Promise<void>
  /** what API handlers see (store, events, catalog, URLs), for parts that live beside the API */
  context: PlatformContext
  /** the dyno supervisor; undefined with dynos: false */
  dynos?: Supervisor
  /** subscribe to changes (releases, formation, app deletion …) */
  events: PlatformEvents
  /** every app's log lines (dynos, router, builds, platform events) */
  logs: LogRouter
  port: number
  routerPort?: number
  /** the HTTP router's base URL (http://127.0.0.1:PORT) and port; undefined with router: false */
  routerUrl?: string
  /** how dynos and builds are confined */
  sandbox: SandboxStatus
  store: Store
  /** with tls: the certificates served (tls/certificates.ts) */
  tls?: TlsCertificates
  /** the API's base URL, e.g. http://127.0.0.1:5400 (https:// with tls) */
  url: string
  /** sends app webhooks' deliveries */
  webhooks: WebhookDeliverer
}

const REQUEST_ID = /^[\w.,:-]{1,200}$/

export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const host = options.host ?? '127.0.0.1'
  const log = options.log ?? (() => {})
  const sandboxMode = options.sandbox ?? (process.env.HEROKU_PLATFORM_SANDBOX === 'off' ? 'off' : 'auto')
  const sandbox = await detectSandbox(sandboxMode)
  // said once, at start: running unconfined is never silent
  if (!sandbox.enabled) log(`warning: no sandbox for dynos and builds: ${sandbox.reason}`)
  const store = openStore(options.dataDir)
  const signer = new CapabilitySigner(urlSigningKey(store))
  const events = new PlatformEvents((event, error) => log(`event listener for ${event} failed: ${(error as Error).stack ?? String(error)}`))
  // the built-in services, then the partners registered through the API (addons/partner.ts)
  const providers = options.addonProviders ?? builtinProviders()
  const taken = new Set(providers.map(p => p.service.name))
  const partners = partnerProviders(store).filter(p => {
    if (!taken.has(p.service.name)) return true
    log(`registered add-on provider ${p.service.name} is not offered: a built-in service has its name`)
    return false
  })
  const catalog = new AddonCatalog([...providers, ...partners])
  const limiter = new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT)
  const router = new Router<RequestContext>().add(...apiRoutes)
  const throttle = new LoginThrottle(options.loginThrottle ?? DEFAULT_LOGIN_THROTTLE)
  const pipeline: Pipeline = {
    router,
    limiter,
    throttle,
    // git smart HTTP and the deploy path first: it also streams running builds' output_stream_url;
    // the add-on dashboards (/addon-dashboards/…) share the API's login throttle
    httpHandlers: [
      (_p, req, res, segments) => git?.handle(req, res, segments) ?? false,
      handleCapabilityUrl,
      handleAddonPartnerCallback,
      dashboardHandler({throttle}),
      ...(options.httpHandlers ?? []),
    ],
  }

  // eslint-disable-next-line prefer-const -- the server listens before this is assigned and its handlers read it as undefined till then; a const there would be in its TDZ and throw
  let platform: PlatformContext | undefined
  // eslint-disable-next-line prefer-const -- the server listens before this is assigned and its handlers read it as undefined till then; a const there would be in its TDZ and throw
  let git: GitHttp | undefined
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handleRequest(platform!, pipeline, req, res).catch(error => {
      log(`request handling failed: ${(error as Error).stack ?? String(error)}`)
      if (!res.headersSent) res.writeHead(500).end()
    })
  }

  // with TLS: the local CA and its certificates (loaded only then), one https server behind a
  // listener that answers plain HTTP with a 400 (tls/listener.ts)
  const tls = options.tls
    ? await openTls(options.dataDir, host, store, log).catch(error => {
      store.close()
      throw error
    })
    : undefined
  const server: Server = tls
    ? createHttpsServer({...tls.serverOptions(false), keepAliveTimeout: 65_000}, onRequest)
    : createServer({keepAliveTimeout: 65_000}, onRequest)
  if (tls) tls.track(server as unknown as import('node:tls').Server)
  // with TLS, after the handshake: Heroku's rendezvous (a secret line, the official CLI's
  // `heroku run`) or HTTP (dynos/rendezvous.ts)
  if (tls) {
    routeRendezvous(server as unknown as import('node:tls').Server, {
      timeoutMs: () => server.headersTimeout,
      rendezvous: (socket, secret, rest) => (dynos ? dynos.handleRendezvous(socket, secret, rest) : socket.end(RENDEZVOUS_REFUSED)),
    })
  }

  let sniffing: SniffingListener | undefined
  server.headersTimeout = 30_000
  server.requestTimeout = 5 * 60_000
  const logs = new LogRouter({...options.logs, dataDir: options.dataDir, store, log})
  // eslint-disable-next-line prefer-const -- the server listens before this is assigned and its handlers read it as undefined till then; a const there would be in its TDZ and throw
  let dynos: Supervisor | undefined
  // attach URLs of one-off dynos (heroku run) upgrade to the attach protocol on the API port
  server.on('upgrade', (req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
    if (!dynos?.handleUpgrade(req, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
  })

  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : (host.includes(':') ? `[${host}]` : host)
  const scheme = tls ? 'https' : 'http'
  let port: number
  try {
    if (tls) {
      let base = ''
      sniffing = sniffingListener({tls: server as unknown as import('node:tls').Server, plain: socket => refusePlainHttp(socket, base), firstByteTimeoutMs: server.headersTimeout})
      port = await sniffing.listen(options.port, host)
      base = `https://${urlHost}:${port}`
    } else {
      port = await listen(server, host, options.port)
    }
  } catch (error) {
    tls?.close()
    store.close()
    throw error
  }

  const url = `${scheme}://${urlHost}:${port}`
  dynos = options.dynos === false ? undefined : new Supervisor({...options.dynos, dataDir: options.dataDir, store, events, logs, log, apiUrl: url, sandbox})
  const httpRouter = options.router === false
    ? undefined
    : new HttpRouter({
      ...options.router, store, events, logs, log, host, port: options.routerPort, tls,
      pools: dynos ?? {webPool: () => undefined, poolChanged: () => Promise.resolve()},
    })
  const routerPort = httpRouter
    ? await httpRouter.listen().catch(async error => {
      await (sniffing ? sniffing.close() : new Promise(resolve => server.close(resolve)))
      tls?.close()
      store.close()
      throw error
    })
    : options.routerPort
  const routerUrl = httpRouter ? `${scheme}://${urlHost}:${routerPort}` : undefined
  const stopLogging = logPlatformEvents(events, store, logs)
  platform = {
    store, events, catalog, signer, dataDir: options.dataDir, log, urls: createUrls(url, routerPort, signer, scheme), logs, dynos,
    addonAnswerWaitMs: options.addonAnswerWaitMs, releaseOutput: id => releasePhase?.liveOutput(id), caPath: tls?.caPath,
  }
  if (httpRouter) log(`router listening on ${routerUrl}`)
  await dynos?.start()
  // add-on servers after the supervisor ended what an earlier run left (dynos/service-processes.ts)
  await catalog.start(provider => providerRuntime(platform!, provider, dynos?.services, sandbox), log)
  resumeProvisioning(platform)
  // app webhooks: deliveries an earlier run left pending are resumed
  const webhooks = new WebhookDeliverer(platform, options.webhooks)
  webhooks.start()
  const logSink = options.logSink ?? logs
  // git push → build → release (src/platform/git, src/platform/build)
  // the release phase: a release command runs before its release goes live (build/release-phase.ts)
  const releasePhase = new ReleasePhase({store, events, logs, dynos, log, timeoutMs: options.releasePhaseTimeoutMs})
  const deployer = await Deployer.start({...platform, logSink, sandbox, releasePhase})
  git = new GitHttp(platform, deployer, logSink)
  log(`platform API listening on ${url}`)

  let closing: Promise<void> | undefined
  return {
    url,
    port,
    events,
    store,
    context: platform,
    routerUrl,
    routerPort: httpRouter ? routerPort : undefined,
    logs,
    dynos,
    sandbox,
    caPath: tls?.caPath,
    tls,
    webhooks,
    close() {
      closing ??= (async () => {
        stopLogging()
        await webhooks.close()
        logs.close()
        await httpRouter?.close()
        await dynos?.close()
        releasePhase.close()
        await deployer.close()
        if (sniffing) {
          const closed = sniffing.close()
          server.closeIdleConnections()
          await closed
        } else {
          await new Promise<void>(resolve => {
            server.close(() => resolve())
            server.closeIdleConnections()
          })
        }

        tls?.close()
        await catalog.close()
        logs.closeStorage()
        store.close()
      })()
      return closing
    },
  }
}

/** The local CA and the certificates it issues; APP.localhost ones only for apps that exist. */
async function openTls(dataDir: string, host: string, store: Store, log: (line: string) => void): Promise<TlsCertificates> {
  const {defaultNames, TlsCertificates, withinConstraints} = await import('./tls/certificates.js')
  const outside = defaultNames(host).filter(name => !withinConstraints(name))
  if (outside.length > 0) log(`warning: the local CA vouches for loopback names only (docs/tls.md): clients reaching the platform as ${outside.join(', ')} will refuse its certificate`)
  return TlsCertificates.open({
    dataDir, host, log,
    appExists: name => appNameTaken(store, name),
  })
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

interface Pipeline {
  httpHandlers: readonly PlatformHttpHandler[]
  limiter: RateLimiter
  router: Router<RequestContext>
  throttle: LoginThrottle
}

async function handleRequest(platform: PlatformContext, {router, limiter, throttle, httpHandlers}: Pipeline, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const incomingId = req.headers['request-id']
  const requestId = typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : randomUUID()
  res.setHeader('Request-Id', requestId)
  const method = req.method ?? 'GET'
  const started = performance.now()
  // One line a request for the platform log: never headers or bodies (they carry secrets), and
  // only the path's first segments (capability URLs carry a secret after them).
  res.once('finish', () => {
    platform.log(`[${requestId}] ${method} ${loggablePath(req.url ?? '/')} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms`)
  })
  try {
    const segments = pathSegments(req.url ?? '/')
    for (const handler of httpHandlers) {
      if (await handler(platform, req, res, segments)) return
    }

    const matched = router.match(method, segments)
    if (matched === undefined) {
      throw router.hasPath(segments)
        ? new ApiError(405, 'method_not_allowed', `${method} is not supported on ${req.url}.`)
        : notFound(`The requested API endpoint ${method} ${req.url?.split('?')[0]} was not found.`)
    }

    checkAcceptHeader(req.headers.accept)
    const login = matched.route.auth === 'password' ? {throttle, client: clientKey(req.socket.remoteAddress)} : undefined
    const caller = await authenticate(platform.store, req.headers.authorization, login)
    const budget = limiter.take(caller.authorization?.id ?? `account:${caller.account.id}`)
    res.setHeader('RateLimit-Remaining', String(budget.remaining))
    if (!budget.allowed) throw new ApiError(429, 'rate_limit', 'Your account reached the API rate limit. Please wait a few minutes before making new requests.')
    const body = method === 'GET' || method === 'HEAD' ? undefined : await readJsonBody(req)
    const ctx: RequestContext = {platform, account: caller.account, authorization: caller.authorization, params: matched.params, body, headers: req.headers, query: new URL(req.url ?? '/', 'http://localhost').searchParams}
    const result = await matched.route.handler(ctx)
    switch (result.kind) {
      case 'json': {
        sendJson(req, res, result.status, JSON.stringify(result.body), result.headers)
        break
      }

      case 'raw-json': {
        sendJson(req, res, result.status, result.text)
        break
      }

      case 'list': {
        const page = paginate(result.items, headerValue(req.headers.range), result.page)
        sendJson(req, res, page.status, JSON.stringify(page.items), page.headers)
        break
      }
    }
  } catch (error) {
    if (error instanceof ApiError) {
      if (error.status === 413) res.setHeader('Connection', 'close')
      sendError(req, res, error)
    } else if (error instanceof ProviderError) {
      sendError(req, res, new ApiError(422, 'invalid_params', error.message))
    } else {
      platform.log(`[${requestId}] ${method} ${req.url}: ${(error as Error).stack ?? String(error)}`)
      // a constraint no check caught is still the client's conflict (logged above: a check is missing)
      sendError(req, res, constraintError(error) ?? new ApiError(500, 'internal_server_error', `Internal server error (request id ${requestId}). The platform log has the details.`))
    }
  }
}

const CAPABILITY_PREFIXES = new Set(['log-sessions', 'build-outputs', 'slug-blobs', 'git-hooks'])

function loggablePath(rawUrl: string): string {
  const path = rawUrl.split('?', 1)[0]
  const first = path.split('/').find(Boolean)
  return first !== undefined && CAPABILITY_PREFIXES.has(first) ? `/${first}/…` : path
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function pathSegments(rawUrl: string): string[] {
  const path = rawUrl.split('?', 1)[0]
  try {
    return path.split('/').filter(Boolean).map(segment => decodeURIComponent(segment))
  } catch {
    throw badRequest('Malformed percent-encoding in the request path.')
  }
}

/** Version 3 (and its variants such as 3.sdk) only; no Accept at all means 3, as on Heroku. */
function checkAcceptHeader(accept: string | undefined): void {
  if (accept === undefined) return
  const version = /version=([\w.-]+)/i.exec(accept)
  if (version === null) return
  if (version[1] !== '3' && !version[1].startsWith('3.')) {
    throw new ApiError(406, 'not_acceptable', `This platform speaks Platform API version 3 only (Accept: application/vnd.heroku+json; version=3), not version ${version[1]}.`)
  }
}

