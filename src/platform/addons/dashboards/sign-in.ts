// The dashboards' sign-in page: email and password (checked as the API checks them, scrypt),
// CSRF-protected by a double-submit token (a cookie and a hidden field that must match, plus the
// Origin / Sec-Fetch-Site check), throttled by the platform's LoginThrottle (the API's own
// instance: failures here and on the API count together). Success starts an account-wide session.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {PlatformContext} from '../../api/context.js'

import {clientKey, type LoginThrottle} from '../../auth/login-throttle.js'
import {verifyPassword} from '../../auth/secrets.js'
import {ApiError} from '../../http/errors.js'
import {findAccountByEmail} from '../../store/accounts.js'
import {html, newNonce, page, redirect, sendHtml} from './html.js'
import {
  clearCookie, cookieValues, crossSite, DASHBOARD_ROOT, newSignInCsrf, readForm, sameToken, setCookie, SIGN_IN_CSRF_COOKIE, startSession,
} from './session.js'

export const SIGN_IN_PATH = `${DASHBOARD_ROOT}/sign-in`
const CSRF_SHAPE = /^[\w-]{32}$/
const DASHBOARD_PATH = /^\/addon-dashboards\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/)?$/

/** Where to go after signing in: a dashboard path of this platform only (never another site). */
export function safeNext(next: null | string | undefined): string {
  return next !== null && next !== undefined && DASHBOARD_PATH.test(next) ? next : `${DASHBOARD_ROOT}/`
}

export const signInUrl = (next: string): string => `${SIGN_IN_PATH}?next=${encodeURIComponent(safeNext(next))}`

function renderSignIn(req: IncomingMessage, res: ServerResponse, options: {email?: string, error?: string, next: string, status?: number}): void {
  const existing = cookieValues(req, SIGN_IN_CSRF_COOKIE).find(v => CSRF_SHAPE.test(v))
  const csrf = existing ?? newSignInCsrf()
  const nonce = newNonce()
  const body = html`
    <div class="narrow">
      <h1>Sign in</h1>
      <p class="note">Sign in with your platform account to see your add-ons' dashboards.</p>
      ${options.error === undefined ? '' : html`<p class="error" role="alert" id="sign-in-error">${options.error}</p>`}
      <form method="post" action="${SIGN_IN_PATH}">
        <input type="hidden" name="csrf" value="${csrf}">
        <input type="hidden" name="next" value="${safeNext(options.next)}">
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required autofocus value="${options.email ?? ''}">
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <p><button type="submit">Sign in</button></p>
      </form>
    </div>`
  sendHtml(res, page({title: 'Sign in · add-on dashboards', nonce, body}), {
    status: options.status ?? 200, nonce,
    headers: existing === undefined ? {'Set-Cookie': setCookie(req, SIGN_IN_CSRF_COOKIE, csrf, {path: SIGN_IN_PATH, maxAgeSeconds: 3600})} : {},
  })
}

export function showSignIn(req: IncomingMessage, res: ServerResponse): void {
  const next = new URL(req.url ?? '/', 'http://x').searchParams.get('next')
  renderSignIn(req, res, {next: safeNext(next)})
}

export async function handleSignIn(platform: PlatformContext, throttle: LoginThrottle, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = await readForm(req)
  const next = safeNext(form.get('next'))
  const email = (form.get('email') ?? '').trim().slice(0, 320)
  const cookie = cookieValues(req, SIGN_IN_CSRF_COOKIE).find(v => CSRF_SHAPE.test(v))
  if (crossSite(req) || cookie === undefined || !sameToken(form.get('csrf') ?? undefined, cookie)) {
    renderSignIn(req, res, {next, status: 403, email, error: 'This sign-in form expired or did not come from this platform. Please sign in again.'})
    return
  }

  const client = clientKey(req.socket.remoteAddress)
  try {
    throttle.check(client, email)
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    renderSignIn(req, res, {next, status: 429, email, error: error.message})
    return
  }

  const account = email === '' ? undefined : findAccountByEmail(platform.store, email)
  const ok = await verifyPassword(form.get('password') ?? '', account?.password_hash)
  if (!ok || account === undefined) {
    throttle.recordFailure(client, email)
    renderSignIn(req, res, {next, status: 401, email, error: 'Invalid email or password.'})
    return
  }

  throttle.recordSuccess(client, email)
  redirect(res, next, {'Set-Cookie': [startSession(platform, req, account, null), clearCookie(req, SIGN_IN_CSRF_COOKIE, SIGN_IN_PATH)]})
}
