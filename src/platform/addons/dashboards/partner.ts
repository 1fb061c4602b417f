// A partner add-on's dashboard is the provider's own, reached with the Add-on Partner API's single
// sign-on: the browser POSTs a signed form to the manifest's api.production.sso_url with
//
//   resource_id, resource_token = sha1(resource_id:sso_salt:timestamp)         (v3)
//   user_scoped_resource_token = sha256(resource_id:sso_salt:timestamp:user_id:email)
//   id, token = sha1(id:sso_salt:timestamp)  (the legacy fields; id = the provider's own id)
//   timestamp (seconds), nav-data, email, user_id, app, context_app
//
// The provider checks the token and that the timestamp is recent (Heroku: within 5 minutes).
// The form is submitted by a nonce'd one-line script, or by its button without script.
import {createHash} from 'node:crypto'

import type {PartnerProvider} from '../partner.js'
import type {DashboardRequest, ServiceDashboard} from './view.js'

import {html} from './html.js'

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex')
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

/** The fields of the signed SSO POST for this add-on and user, at `now` (ms). */
export function partnerSsoFields(provider: PartnerProvider, d: Pick<DashboardRequest, 'account' | 'addon' | 'app'>, now = Date.now()): Record<string, string> | undefined {
  const salt = provider.manifest.api.sso_salt
  if (salt === undefined || provider.manifest.api.production.sso_url === undefined) return undefined
  const timestamp = String(Math.floor(now / 1000))
  const resourceId = d.addon.id
  const legacyId = d.addon.provider_id || d.addon.id
  const navData = Buffer.from(JSON.stringify({addon: provider.manifest.name, appname: d.app.name, addons: [], timestamp: Number(timestamp)})).toString('base64')
  return {
    resource_id: resourceId,
    resource_token: sha1(`${resourceId}:${salt}:${timestamp}`),
    user_scoped_resource_token: sha256(`${resourceId}:${salt}:${timestamp}:${d.account.id}:${d.account.email}`),
    id: legacyId,
    token: sha1(`${legacyId}:${salt}:${timestamp}`),
    timestamp,
    'nav-data': navData,
    email: d.account.email,
    user_id: d.account.id,
    app: d.app.name,
    context_app: d.app.name,
  }
}

export function partnerDashboard(provider: PartnerProvider): ServiceDashboard {
  return {
    async render(d: DashboardRequest) {
      const ssoUrl = provider.manifest.api.production.sso_url
      const fields = partnerSsoFields(provider, d)
      if (fields === undefined || ssoUrl === undefined) {
        return {body: html`<p>${provider.manifest.name} offers no dashboard: its manifest has no <code>api.production.sso_url</code> and <code>api.sso_salt</code>.</p>`}
      }

      return {
        csp: {'form-action': `'self' ${new URL(ssoUrl).origin}`, 'script-src': `'nonce-${d.nonce}'`},
        body: html`
          <p>${provider.manifest.name}'s dashboard is on the provider's site; you are signed in there as ${d.account.email} for this add-on.</p>
          <form id="sso" method="post" action="${ssoUrl}">
            ${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
            <button type="submit">Open the ${provider.manifest.name} dashboard</button>
          </form>
          <script nonce="${d.nonce}">document.getElementById('sso').submit()</script>
        `,
      }
    },
  }
}
