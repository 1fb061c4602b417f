// Who the browser is: dashboard sessions (a cookie whose secret the store keeps as a sha256),
// the single-use SSO tokens that start one for a single add-on, CSRF tokens, and form bodies.
//
//   sign-in (email + password)   cookie Path=/addon-dashboards/        every add-on the account may see
//   SSO link (API token holder)  cookie Path=/addon-dashboards/{id}/   that add-on only
//
// Cookies: HttpOnly; SameSite=Lax; Secure when the platform is served over TLS; Max-Age = the
// session's lifetime. Several cookies of the same name can reach a path (an SSO session for this
// add-on and a signed-in one): each is tried.

import type {IncomingMessage} from 'node:http'

import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto'

import type {PlatformContext} from '../../api/context.js'
import type {AddonRow} from '../../store/addons.js'

import {hashToken} from '../../auth/secrets.js'
import {type AccountRow, findAccountById} from '../../store/accounts.js'
import {findUsableApp} from '../../store/apps.js'
import {
  type DashboardSessionRow, deleteDashboardSession, findLiveDashboardSession, insertDashboardSession, insertSsoToken, redeemSsoToken,
  type SsoRedemption, sweepDashboardSessions,
} from '../../store/dashboard-sessions.js'

/** every dashboard path starts here */
export const DASHBOARD_ROOT = '/addon-dashboards'
export const SESSION_COOKIE = 'hk_dashboard_session'
export const SIGN_IN_CSRF_COOKIE = 'hk_dashboard_csrf'
/** how long an SSO link works (the brief's and Heroku's bound: a minute) */
export const SSO_TOKEN_TTL_MS = 60_000
/** how long a dashboard session lasts (not extended by use) */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000

export const addonPath = (addonId: string): string => `${DASHBOARD_ROOT}/${addonId}/`

/** Whether the request came over TLS (then cookies are Secure). */
export function overTls(req: IncomingMessage): boolean {
  return (req.socket as {encrypted?: boolean}).encrypted === true
}

export function parseCookies(req: IncomingMessage): {name: string, value: string}[] {
  const header = req.headers.cookie
  if (header === undefined) return []
  return header.split(';').map(part => {
    const eq = part.indexOf('=')
    return eq === -1 ? undefined : {name: part.slice(0, eq).trim(), value: part.slice(eq + 1).trim()}
  }).filter((c): c is {name: string, value: string} => c !== undefined && c.name !== '')
}

export function cookieValues(req: IncomingMessage, name: string): string[] {
  return parseCookies(req).filter(c => c.name === name).map(c => c.value)
}

export function setCookie(req: IncomingMessage, name: string, value: string, {path, maxAgeSeconds}: {maxAgeSeconds: number, path: string}): string {
  return [`${name}=${value}`, `Path=${path}`, `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax', ...(overTls(req) ? ['Secure'] : [])].join('; ')
}

export const clearCookie = (req: IncomingMessage, name: string, path: string): string => setCookie(req, name, '', {path, maxAgeSeconds: 0})

const newSecret = (): string => randomBytes(32).toString('base64url')
const TOKEN_SHAPE = /^[\w-]{43}$/

export interface DashboardSession {
  account: AccountRow
  row: DashboardSessionRow
  /** the cookie's secret (CSRF tokens derive from it) */
  token: string
}

/** Starts a session: returns the Set-Cookie header for it. */
export function startSession(platform: PlatformContext, req: IncomingMessage, account: AccountRow, addonId: null | string, now = Date.now()): string {
  const token = newSecret()
  platform.store.transaction(() => {
    sweepDashboardSessions(platform.store, now)
    insertDashboardSession(platform.store, {tokenHash: hashToken(token), accountId: account.id, addonId, expiresAt: now + SESSION_TTL_MS, now})
  })
  return setCookie(req, SESSION_COOKIE, token, {path: addonId === null ? `${DASHBOARD_ROOT}/` : addonPath(addonId), maxAgeSeconds: SESSION_TTL_MS / 1000})
}

/** The browser's live sessions (most specific cookie first, as browsers send them). */
export function sessionsOf(platform: PlatformContext, req: IncomingMessage, now = Date.now()): DashboardSession[] {
  const sessions: DashboardSession[] = []
  for (const token of cookieValues(req, SESSION_COOKIE)) {
    if (!TOKEN_SHAPE.test(token)) continue
    const row = findLiveDashboardSession(platform.store, hashToken(token), now)
    const account = row === undefined ? undefined : findAccountById(platform.store, row.account_id)
    if (row !== undefined && account !== undefined) sessions.push({token, row, account})
  }

  return sessions
}

/** The signed-in (account-wide) session, if any. */
export function accountSession(platform: PlatformContext, req: IncomingMessage, now = Date.now()): DashboardSession | undefined {
  return sessionsOf(platform, req, now).find(s => s.row.addon_id === null)
}

/**
 * Whether an account may see an add-on's dashboard: it may use (owns, or collaborates on) the
 * app the add-on is billed to. Read from the store each time: a removed collaborator loses it at once.
 */
export function mayManage(platform: PlatformContext, accountId: string, addon: AddonRow): boolean {
  return findUsableApp(platform.store, accountId, addon.app_id) !== undefined
}

/**
 * The session that lets this browser see the add-on: an SSO session for it, or a signed-in
 * session of an account that may manage it. `other` is a signed-in session that may not (403).
 */
export function sessionFor(platform: PlatformContext, req: IncomingMessage, addon: AddonRow, now = Date.now()): {other?: DashboardSession, session?: DashboardSession} {
  const sessions = sessionsOf(platform, req, now)
  const session = sessions.find(s => (s.row.addon_id === null || s.row.addon_id === addon.id) && mayManage(platform, s.account.id, addon))
  return {session, other: session === undefined ? sessions.find(s => s.row.addon_id === null || s.row.addon_id === addon.id) : undefined}
}

export function endSession(platform: PlatformContext, session: DashboardSession): void {
  platform.store.transaction(() => deleteDashboardSession(platform.store, hashToken(session.token)))
}

// --- SSO ------------------------------------------------------------------------------

/**
 * A single-use link (≤ 60 s) that starts a session for this add-on: what
 * GET /apps/{app}/addons/{addon}/sso answers as `action`. The token is a fresh secret, stored as
 * a sha256 — never the API token.
 */
export function issueSsoUrl(platform: PlatformContext, account: AccountRow, addon: AddonRow, now = Date.now()): string {
  const token = newSecret()
  platform.store.transaction(() => {
    sweepDashboardSessions(platform.store, now)
    insertSsoToken(platform.store, {tokenHash: hashToken(token), accountId: account.id, addonId: addon.id, expiresAt: now + SSO_TOKEN_TTL_MS, now})
  })
  return `${platform.urls.addonDashboardUrl(addon.id)}sso?token=${token}`
}

export function redeemSso(platform: PlatformContext, token: string, addonId: string, now = Date.now()): SsoRedemption {
  if (!TOKEN_SHAPE.test(token)) return {ok: false, reason: 'unknown'}
  return platform.store.transaction(() => redeemSsoToken(platform.store, hashToken(token), addonId, now))
}

// --- CSRF -----------------------------------------------------------------------------

/** The session's synchronizer token: an HMAC of its secret, so the store needs to keep nothing more. */
export function csrfToken(session: DashboardSession): string {
  return createHmac('sha256', session.token).update('dashboard-csrf').digest('base64url')
}

export function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** A fresh double-submit token for the sign-in form (cookie + hidden field). */
export const newSignInCsrf = (): string => randomBytes(24).toString('base64url')

/**
 * A form from another site (or another origin of this host: an app behind the router is
 * "same-site" with the platform) is told by Sec-Fetch-Site, or without it by its Origin, and
 * refused before its token is even looked at. (The pages send no referrer, so a browser's own
 * form posts say Origin: null; Sec-Fetch-Site: same-origin is what tells them apart.) Requests
 * with neither header (curl, old clients) rely on the token alone.
 */
export function crossSite(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site']
  if (site !== undefined) return site !== 'same-origin' && site !== 'none'
  const {origin} = req.headers
  if (origin === undefined || origin === 'null') return false
  try {
    return new URL(origin).host !== req.headers.host
  } catch {
    return true
  }
}

// --- form bodies ----------------------------------------------------------------------

const MAX_FORM_BYTES = 16 * 1024

export class FormError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

/** An application/x-www-form-urlencoded body (what the dashboards' forms send), small. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = req.headers['content-type'] ?? ''
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_FORM_BYTES) throw new FormError(413, 'The form is too large.')
    chunks.push(chunk)
  }

  if (size > 0 && !/^application\/x-www-form-urlencoded\b/i.test(type)) throw new FormError(415, 'Forms are sent as application/x-www-form-urlencoded.')
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}
