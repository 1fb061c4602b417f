// What a service's dashboard module gets for one request, and what it gives back.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {PlatformContext} from '../../api/context.js'
import type {AccountRow} from '../../store/accounts.js'
import type {AddonRow} from '../../store/addons.js'
import type {AppRow} from '../../store/apps.js'
import type {AddonProvider} from '../provider.js'
import type {DashboardSession} from './session.js'

import {type Html, html} from './html.js'

export interface DashboardRequest {
  account: AccountRow
  addon: AddonRow
  /** the app the add-on is billed to */
  app: AppRow
  /** the add-on's dashboard path, /addon-dashboards/{id}/ */
  base: string
  /** the session's CSRF token, for every form the page has */
  csrf: string
  /** the request's form, once read (POST) */
  form?: URLSearchParams
  nonce: string
  platform: PlatformContext
  provider: AddonProvider
  req: IncomingMessage
  res: ServerResponse
  /** path segments after the base */
  rest: readonly string[]
  session: DashboardSession
}

export interface DashboardPage {
  body: Html
  /** CSP directives this page needs beyond the defaults (the partner SSO form posts elsewhere) */
  csp?: Record<string, string>
  status?: number
  title?: string
}

export interface ServiceDashboard {
  /** the add-on's main page */
  render(d: DashboardRequest): Promise<DashboardPage>
  /**
   * a page or action below the base (GET, or a POST whose CSRF token was checked); undefined when
   * it is none of this service's (404). true: the module answered the response itself.
   */
  route?(d: DashboardRequest): Promise<DashboardPage | true | undefined>
}

/** A hidden CSRF field for a form. */
export const csrfField = (d: Pick<DashboardRequest, 'csrf'>): Html => html`<input type="hidden" name="csrf" value="${d.csrf}">`

/** A POST form made of one button. */
export function postButton(d: Pick<DashboardRequest, 'csrf'>, action: string, label: string, className = ''): Html {
  return html`<form class="inline" method="post" action="${action}">${csrfField(d)}<button type="submit" class="${className}">${label}</button></form>`
}

/** A value shown only once revealed (details/summary: no script, keyboard-usable). */
export function secret(value: string, label = 'Reveal'): Html {
  return html`<details><summary>${label}</summary><code class="mono">${value}</code></details>`
}

/** A failure reading the live service, shown in place of its figures. */
export function unavailable(error: unknown): Html {
  return html`<p class="error" role="alert">Live data is unavailable: ${(error as Error).message ?? String(error)}</p>`
}
