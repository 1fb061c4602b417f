// The add-on dashboards, served on the API port under /addon-dashboards/ (every add-on's web_url):
//
//   GET  /addon-dashboards/                      the signed-in account's add-ons
//   GET  /addon-dashboards/sign-in?next=PATH     email + password form;  POST: signs in
//   GET  /addon-dashboards/{id}/sso?token=T      follows an SSO link (GET /apps/{app}/addons/{addon}/sso)
//   GET  /addon-dashboards/{id}/                 the add-on's dashboard (its service's module)
//   POST /addon-dashboards/{id}/sign-out         ends the session
//   …    /addon-dashboards/{id}/…                the service's own pages and actions (mail: messages)
//
// A browser without a session for the add-on is sent to the sign-in page; a session of an account
// that may not see it gets 403. Every POST needs the session's CSRF token and a same-origin request.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {PlatformContext} from '../../api/context.js'
import type {LoginThrottle} from '../../auth/login-throttle.js'
import type {PlatformHttpHandler} from '../../server.js'
import type {AddonProvider} from '../provider.js'
import type {DashboardPage, DashboardRequest, ServiceDashboard} from './view.js'

import {isUuid} from '../../ids.js'
import {findAccountById} from '../../store/accounts.js'
import {type AddonRow, findAddonById, listAccountAddons} from '../../store/addons.js'
import {findAppById} from '../../store/apps.js'
import {MailProvider} from '../mail.js'
import {MemcacheProvider} from '../memcache.js'
import {PartnerProvider} from '../partner.js'
import {PostgresqlProvider} from '../postgresql.js'
import {RedisProvider} from '../redis.js'
import {type Html, html, newNonce, page, redirect, sendHtml, table} from './html.js'
import {mailDashboard} from './mail.js'
import {memcacheDashboard} from './memcache.js'
import {partnerDashboard} from './partner.js'
import {postgresDashboard} from './postgresql.js'
import {redisDashboard} from './redis.js'
import {
  accountSession, addonPath, clearCookie, crossSite, csrfToken, DASHBOARD_ROOT, type DashboardSession, endSession, FormError, mayManage, readForm,
  redeemSso, sameToken, SESSION_COOKIE, sessionFor, startSession,
} from './session.js'
import {handleSignIn, showSignIn, signInUrl} from './sign-in.js'

export {issueSsoUrl, mayManage} from './session.js'

const ROOT = DASHBOARD_ROOT.slice(1)

export interface DashboardOptions {
  /** the API's login throttle, so that password guesses here and there count together */
  throttle: LoginThrottle
}

/** The service module for an add-on's provider (undefined: the service has no dashboard here). */
export function serviceDashboard(provider: AddonProvider): ServiceDashboard | undefined {
  if (provider instanceof PostgresqlProvider) return postgresDashboard(provider)
  if (provider instanceof RedisProvider) return redisDashboard(provider)
  if (provider instanceof MemcacheProvider) return memcacheDashboard(provider)
  if (provider instanceof MailProvider) return mailDashboard(provider)
  if (provider instanceof PartnerProvider) return partnerDashboard(provider)
  return undefined
}

/** The dashboards' HTTP handler, for the platform's httpHandlers (server.ts). */
export function dashboardHandler(options: DashboardOptions): PlatformHttpHandler {
  return async (platform, req, res, segments) => {
    if (segments[0] !== ROOT) return false
    try {
      await route(platform, options, req, res, segments.slice(1))
    } catch (error) {
      if (res.headersSent) {
        res.destroy()
        return true
      }

      if (error instanceof FormError) {
        errorPage(res, error.status, 'Refused', error.message)
        return true
      }

      platform.log(`dashboard ${req.method} ${req.url?.split('?')[0]}: ${(error as Error).stack ?? String(error)}`)
      errorPage(res, 500, 'Something went wrong', 'The dashboard failed to answer; the platform log has the details.')
    }

    return true
  }
}

async function route(platform: PlatformContext, options: DashboardOptions, req: IncomingMessage, res: ServerResponse, rest: string[]): Promise<void> {
  const method = req.method ?? 'GET'
  const read = method === 'GET' || method === 'HEAD'
  const path = (req.url ?? '/').split('?', 1)[0]
  if (rest.length === 0) {
    if (!read) return methodNotAllowed(res)
    if (!path.endsWith('/')) return redirect(res, `${DASHBOARD_ROOT}/`)
    return accountIndex(platform, req, res)
  }

  if (rest.length === 1 && rest[0] === 'sign-in') {
    if (read) return showSignIn(req, res)
    if (method === 'POST') return handleSignIn(platform, options.throttle, req, res)
    return methodNotAllowed(res)
  }

  if (rest.length === 1 && rest[0] === 'sign-out') {
    // the account-wide session's sign-out (an SSO session signs out under its add-on's path)
    if (method !== 'POST') return methodNotAllowed(res)
    const session = accountSession(platform, req)
    const form = await readForm(req)
    if (session === undefined) return redirect(res, signInUrl(`${DASHBOARD_ROOT}/`))
    if (crossSite(req) || !sameToken(form.get('csrf') ?? undefined, csrfToken(session))) return errorPage(res, 403, 'Refused', 'This form did not come from this dashboard (its CSRF token is missing or wrong).')
    return signOut(req, res, platform, session)
  }

  const [addonId, ...sub] = rest
  if (!isUuid(addonId)) return errorPage(res, 404, 'Not found', 'There is no such page.')
  const id = addonId.toLowerCase()
  const addon = findAddonById(platform.store, id)
  if (sub.length === 1 && sub[0] === 'sso') {
    // GET only: a HEAD (a link preview, a checker) must not use up the one-time token
    if (method !== 'GET') return methodNotAllowed(res)
    return followSso(platform, req, res, id, addon)
  }

  if (sub.length === 0 && !path.endsWith('/')) return redirect(res, addonPath(id))
  const {session, other} = addon === undefined ? {session: undefined, other: accountSession(platform, req)} : sessionFor(platform, req, addon)
  if (session === undefined || addon === undefined) {
    if (other !== undefined || (addon === undefined && accountSession(platform, req) !== undefined)) {
      return errorPage(res, 403, 'Not your add-on', `You are signed in as ${other?.account.email ?? 'another account'}, which may not see this add-on's dashboard.`, html`<p><a href="${signInUrl(addonPath(id))}">Sign in as someone else</a></p>`)
    }

    if (!read) return errorPage(res, 403, 'Not signed in', 'Sign in to use this dashboard.')
    return redirect(res, signInUrl(addonPath(id)))
  }

  const app = findAppById(platform.store, addon.app_id)!
  const provider = platform.catalog.findService(addon.service)?.provider
  const d: DashboardRequest = {
    platform, req, res, addon, app, provider: provider!, account: session.account, session, csrf: csrfToken(session), nonce: newNonce(), base: addonPath(id), rest: sub,
  }
  if (!read) {
    if (method !== 'POST') return methodNotAllowed(res)
    d.form = await readForm(req)
    if (crossSite(req) || !sameToken(d.form.get('csrf') ?? undefined, d.csrf)) {
      return errorPage(res, 403, 'Refused', 'This form did not come from this dashboard (its CSRF token is missing or wrong). Reload the page and try again.')
    }

    if (sub.length === 1 && sub[0] === 'sign-out') return signOut(req, res, platform, session)
  }

  const service = provider === undefined ? undefined : serviceDashboard(provider)
  let result: DashboardPage | true | undefined
  if (sub.length === 0 && read) {
    result = addon.state !== 'provisioned' || service === undefined
      ? {body: html`<p>${addon.state === 'provisioned' ? 'This service has no dashboard on this platform.' : `This add-on is ${addon.state}: there is nothing live to show.`}</p>`}
      : await service.render(d)
  } else if (service?.route !== undefined && addon.state === 'provisioned') {
    result = await service.route(d)
  }

  if (result === true) return
  if (result === undefined) return errorPage(res, 404, 'Not found', 'There is no such page for this add-on.', html`<p><a href="${d.base}">Back to the dashboard</a></p>`)
  renderAddonPage(d, result)
}

function renderAddonPage(d: DashboardRequest, result: DashboardPage): void {
  const serviceName = d.provider?.service.humanName ?? d.addon.service
  const body = html`
    <h1>${d.addon.name}</h1>
    <p class="sub">${serviceName} · <code>${d.addon.plan}</code> · billed to <strong>${d.app.name}</strong> · ${d.addon.state}</p>
    ${result.body}`
  sendHtml(d.res, page({
    title: `${result.title === undefined ? '' : `${result.title} · `}${d.addon.name} · ${serviceName}`,
    nonce: d.nonce,
    header: signedInAs(d.session, d.csrf, `${d.base}sign-out`),
    body,
  }), {status: result.status, nonce: d.nonce, csp: result.csp})
}

function signedInAs(session: DashboardSession, csrf: string, signOutAction: string): Html {
  return html`<span>${session.account.email}${session.row.addon_id === null ? '' : ' (via single sign-on)'}</span>
    <form class="inline" method="post" action="${signOutAction}"><input type="hidden" name="csrf" value="${csrf}"><button type="submit" class="quiet">Sign out</button></form>`
}

async function followSso(platform: PlatformContext, req: IncomingMessage, res: ServerResponse, id: string, addon: AddonRow | undefined): Promise<void> {
  const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? ''
  const redeemed = redeemSso(platform, token, id)
  const account = redeemed.ok ? findAccountById(platform.store, redeemed.token.account_id) : undefined
  // the owner may have changed since the link was made: checked again when it is followed
  if (!redeemed.ok || addon === undefined || account === undefined || !mayManage(platform, account.id, addon)) {
    const why = !redeemed.ok && redeemed.reason === 'used' ? 'was used already' : (!redeemed.ok && redeemed.reason === 'expired' ? 'has expired' : 'is not valid')
    return errorPage(res, 403, 'Sign-in link refused', `This single sign-on link ${why}: each link works once, within a minute. Run \`heroku addons:open\` again for a new one, or sign in.`, html`<p><a href="${signInUrl(addonPath(id))}">Sign in</a></p>`)
  }

  // the token stays behind: the browser lands on the dashboard's own URL
  redirect(res, addonPath(id), {'Set-Cookie': startSession(platform, req, account, id)})
}

function signOut(req: IncomingMessage, res: ServerResponse, platform: PlatformContext, session: DashboardSession): void {
  endSession(platform, session)
  const path = session.row.addon_id === null ? `${DASHBOARD_ROOT}/` : addonPath(session.row.addon_id)
  redirect(res, signInUrl(session.row.addon_id === null ? `${DASHBOARD_ROOT}/` : addonPath(session.row.addon_id)), {'Set-Cookie': clearCookie(req, SESSION_COOKIE, path)})
}

function accountIndex(platform: PlatformContext, req: IncomingMessage, res: ServerResponse): void {
  const session = accountSession(platform, req)
  if (session === undefined) return redirect(res, signInUrl(`${DASHBOARD_ROOT}/`))
  const nonce = newNonce()
  const addons = listAccountAddons(platform.store, session.account.id).filter(a => a.state !== 'deprovisioned')
  const rows = addons.map(a => [html`<a href="${addonPath(a.id)}">${a.name}</a>`, a.service, a.plan, findAppById(platform.store, a.app_id)?.name ?? '', a.state])
  const body = html`<h1>Your add-ons</h1>${table(['Add-on', 'Service', 'Plan', 'App', 'State'], rows, 'You have no add-ons yet.')}`
  sendHtml(res, page({title: 'Your add-ons', nonce, header: signedInAs(session, csrfToken(session), `${DASHBOARD_ROOT}/sign-out`), body}), {nonce})
}

function errorPage(res: ServerResponse, status: number, title: string, message: string, extra?: Html): void {
  const nonce = newNonce()
  sendHtml(res, page({title, nonce, body: html`<div class="narrow"><h1>${title}</h1><p>${message}</p>${extra}</div>`}), {status, nonce})
}

function methodNotAllowed(res: ServerResponse): void {
  res.setHeader('Allow', 'GET, POST')
  errorPage(res, 405, 'Method not allowed', 'This page does not take that request.')
}
