// What every API handler gets: the platform's parts and the authenticated caller.
import type {IncomingHttpHeaders} from 'node:http'

import type {AddonCatalog} from '../addons/catalog.js'
import type {CapabilitySigner} from '../capability-urls.js'
import type {Supervisor} from '../dynos/supervisor.js'
import type {PlatformEvents} from '../events.js'
import type {Route} from '../http/router.js'
import type {LogRouter} from '../logs/log-router.js'
import type {AccountRow} from '../store/accounts.js'
import type {AuthorizationRow} from '../store/authorizations.js'
import type {Store} from '../store/database.js'

export interface PlatformUrls {
  /** an add-on's dashboard on the platform (its web_url; addons/dashboards/) */
  addonDashboardUrl(addonId: string): string
  /** e.g. http://127.0.0.1:5400 (https://… with TLS), no trailing slash */
  readonly api: string
  /** the `cname` custom domains should point at */
  appHostname(appName: string): string
  appWebUrl(appName: string): string
  buildOutputUrl(buildId: string): string
  gitUrl(appName: string): string
  logSessionUrl(secret: string): string
  /** a release's release-phase output (output_stream_url) */
  releaseOutputUrl(releaseId: string): string
  slugBlobUrl(slugId: string): string
}

export interface PlatformContext {
  /** how long addons:create waits for a provider before answering `provisioning` (addons/lifecycle.ts) */
  readonly addonAnswerWaitMs?: number
  /** with TLS: the local CA's certificate (tls/), for the platform's own helpers that call its URLs (the git hook) */
  readonly caPath?: string
  readonly catalog: AddonCatalog
  readonly dataDir: string
  /** the dyno supervisor; absent when the platform runs no dynos */
  readonly dynos?: Supervisor
  readonly events: PlatformEvents
  readonly log: (line: string) => void
  /** the log router: log sessions read from it (absent in unit tests that build a context by hand) */
  readonly logs?: LogRouter
  /** release commands running now: their output so far */
  readonly releaseOutput?: (releaseId: string) => string | undefined
  readonly signer: CapabilitySigner
  readonly store: Store
  readonly urls: PlatformUrls
}

export interface RequestContext {
  readonly account: AccountRow
  /** null when the caller authenticated with email and password */
  readonly authorization: AuthorizationRow | null
  /** the parsed JSON body, undefined when there was none */
  readonly body: unknown
  readonly headers: IncomingHttpHeaders
  readonly params: Readonly<Record<string, string>>
  readonly platform: PlatformContext
  /** the request's query string (filters such as eq[status]) */
  readonly query?: URLSearchParams
}

export type ApiRoute = Route<RequestContext>

/** Apps' default hostnames are APP.localhost: that namespace is the platform's, not a custom domain's. */
export const DEFAULT_DOMAIN = 'localhost'

/**
 * `scheme`: what the router's web_url uses, https when the platform speaks TLS (then apiBase is
 * https:// too, and so is every URL made from it: git, log sessions, build and release output,
 * slug blobs; one-off attach URLs are the supervisor's, from the same base).
 */
export function createUrls(apiBase: string, routerPort: number, signer: CapabilitySigner, scheme: 'http' | 'https' = 'http'): PlatformUrls {
  return {
    api: apiBase,
    appWebUrl: name => `${scheme}://${name}.localhost:${routerPort}/`,
    gitUrl: name => `${apiBase}/${name}.git`,
    logSessionUrl: secret => `${apiBase}/log-sessions/${secret}`,
    buildOutputUrl: id => `${apiBase}/build-outputs/${id}/${signer.sign('build-output', id)}`,
    releaseOutputUrl: id => `${apiBase}/release-outputs/${id}/${signer.sign('release-output', id)}`,
    slugBlobUrl: id => `${apiBase}/slug-blobs/${id}/${signer.sign('slug-blob', id)}`,
    appHostname: name => `${name}.${DEFAULT_DOMAIN}`,
    addonDashboardUrl: id => `${apiBase}/addon-dashboards/${encodeURIComponent(id)}/`,
  }
}
