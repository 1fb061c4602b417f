// Partner add-on providers (addons/partner.ts), outside the v3 schema:
//   POST   /platform/addon-providers        register a manifest (any account; it then owns the provider)
//   GET    /platform/addon-providers        every registered provider, secrets left out
//   GET    /platform/addon-providers/{id}
//   DELETE /platform/addon-providers/{id}   its owner only, once it has no add-ons left
// and the Partner API's calls back from a partner (in the v3 schema: add-on-config, add-on-action),
// authenticated with the manifest's id:api.password (HTTP Basic), not with a user's token:
//   GET/PATCH /addons/{addon}/config
//   POST      /addons/{addon}/actions/provision     async provisioning is done
//   POST      /addons/{addon}/actions/deprovision   async provisioning failed
// The partner calls arrive before the routes (handleAddonPartnerCallback, a PlatformHttpHandler);
// the same paths with a user's token reach the routes below: customers may read the config only.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {ApiRoute, PlatformContext, RequestContext} from './context.js'

import {attachmentConfigVars} from '../addons/lifecycle.js'
import {
  completePartnerProvisioning, configEntries, failPartnerProvisioning, parseManifest, partnerConfigView, PartnerProvider,
  partnerProviderOf, publicManifest, updatePartnerConfig,
} from '../addons/partner.js'
import {readJsonBody} from '../http/body.js'
import {ApiError, conflict, forbidden, invalidParams, notFound, unauthorized} from '../http/errors.js'
import {sendJson} from '../http/respond.js'
import {json, list} from '../http/router.js'
import {isUuid} from '../ids.js'
import {findAccountById} from '../store/accounts.js'
import {
  type AddonProviderRow, countServiceAddons, deleteAddonProvider, findAddonProvider, insertAddonProvider, listAddonProviders,
  updateAddonProviderManifest,
} from '../store/addon-providers.js'
import {type AddonRow, findAddonById, findAddonByName, listAddonAttachments} from '../store/addons.js'
import {requireVisibleAddon, serializeAddon} from './addons.js'
import {requireParam} from './resolve.js'

function serializeProvider(ctx: RequestContext, row: AddonProviderRow): object {
  const provider = partnerProviderOf(row)
  const owner = row.owner_id === ctx.account.id ? findAccountById(ctx.platform.store, row.owner_id) : undefined
  return {
    id: row.id,
    name: provider.manifest.name,
    // someone else's provider shows no owner: accounts do not see each other
    owner: owner === undefined ? null : {id: owner.id, email: owner.email},
    addon_service: {id: ctx.platform.catalog.findService(row.id)?.id ?? null, name: row.id},
    addons: countServiceAddons(ctx.platform.store, row.id),
    manifest: publicManifest(provider.manifest),
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

function requireProvider(ctx: RequestContext): AddonProviderRow {
  const row = findAddonProvider(ctx.platform.store, requireParam(ctx, 'provider'))
  if (row === undefined) throw notFound("Couldn't find that add-on provider.")
  return row
}

function requireOwnProvider(ctx: RequestContext, action: string): AddonProviderRow {
  const row = requireProvider(ctx)
  if (row.owner_id !== ctx.account.id) throw forbidden(`Only the account that registered ${row.id} may ${action} it.`)
  return row
}

async function register(ctx: RequestContext) {
  const {store, catalog} = ctx.platform
  const manifest = parseManifest(ctx.body)
  const existing = findAddonProvider(store, manifest.id)
  if (existing === undefined && catalog.findService(manifest.id) !== undefined) {
    throw conflict(`${manifest.id} is a service this platform provides itself; choose another id.`)
  }

  if (existing !== undefined && existing.owner_id !== ctx.account.id) throw conflict(`The add-on provider ${manifest.id} is registered by another account.`)
  if (existing === undefined) {
    const row = store.transaction(() => insertAddonProvider(store, {id: manifest.id, ownerId: ctx.account.id, manifest}))
    try {
      await catalog.register(new PartnerProvider(manifest))
    } catch (error) {
      store.transaction(() => deleteAddonProvider(store, manifest.id))
      throw error
    }

    return json(serializeProvider(ctx, row), 201)
  }

  // a new manifest for the same provider (new password, plans, URL): its add-ons stay
  const before = partnerProviderOf(existing).manifest
  if (before.api.config_vars_prefix !== manifest.api.config_vars_prefix && countServiceAddons(store, manifest.id) > 0) {
    throw invalidParams(`${manifest.id} has add-ons whose config vars begin with ${before.api.config_vars_prefix}_: keep api.config_vars_prefix while they exist.`)
  }

  const row = store.transaction(() => updateAddonProviderManifest(store, manifest.id, manifest))
  await catalog.unregister(manifest.id)
  await catalog.register(new PartnerProvider(manifest))
  return json(serializeProvider(ctx, row))
}

async function unregister(ctx: RequestContext) {
  const {store, catalog} = ctx.platform
  const row = requireOwnProvider(ctx, 'remove')
  const remaining = countServiceAddons(store, row.id)
  if (remaining > 0) {
    throw invalidParams(`${row.id} still has ${remaining} add-on${remaining === 1 ? '' : 's'}; destroy ${remaining === 1 ? 'it' : 'them'} first (heroku addons:destroy), so that nothing is left unprovisioned.`)
  }

  const body = serializeProvider(ctx, row)
  await catalog.unregister(row.id)
  store.transaction(() => deleteAddonProvider(store, row.id))
  return json(body)
}

/** GET /addons/{addon}/config for a customer: the vars as the add-on's first attachment names them. */
function customerConfig(ctx: RequestContext) {
  const addon = requireVisibleAddon(ctx)
  const service = ctx.platform.catalog.findService(addon.service)
  if (service?.provider instanceof PartnerProvider) return list(partnerConfigView(service.provider, ctx.platform.store, addon), {fields: ['name']})
  const attachments = listAddonAttachments(ctx.platform.store, addon.id)
  const primary = attachments.find(t => t.app_id === addon.app_id) ?? attachments[0]
  const vars = primary === undefined ? {} : attachmentConfigVars(addon, primary.name, service?.provider.service)
  return list(Object.entries(vars).map(([name, value]) => ({name, value})), {fields: ['name']})
}

const partnerOnly = (what: string) => (): never => {
  throw forbidden(`Only the add-on's provider may ${what}, authenticated with its manifest's id and api.password (HTTP Basic).`)
}

export const addonProviderRoutes: ApiRoute[] = [
  {method: 'POST', path: '/platform/addon-providers', handler: register},
  {method: 'GET', path: '/platform/addon-providers', handler: ctx => list(listAddonProviders(ctx.platform.store).map(r => serializeProvider(ctx, r)), {fields: ['id']})},
  {method: 'GET', path: '/platform/addon-providers/{provider}', handler: ctx => json(serializeProvider(ctx, requireProvider(ctx)))},
  {method: 'DELETE', path: '/platform/addon-providers/{provider}', handler: unregister},
  {method: 'GET', path: '/addons/{addon}/config', handler: customerConfig},
  {method: 'PATCH', path: '/addons/{addon}/config', handler: partnerOnly("update an add-on's config")},
  {method: 'POST', path: '/addons/{addon}/actions/provision', handler: partnerOnly('mark an add-on provisioned')},
  {method: 'POST', path: '/addons/{addon}/actions/deprovision', handler: partnerOnly('mark an add-on deprovisioned')},
]

// --- the partner's calls -------------------------------------------------------------------

function basicCredentials(header: string | undefined): undefined | {password: string, user: string} {
  const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
  if (match === null) return undefined
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon === -1 ? undefined : {user: decoded.slice(0, colon), password: decoded.slice(colon + 1)}
}

/**
 * The partner calling with its manifest's credentials, or undefined when the request is not a
 * partner's (no Basic auth, or a user that is no registered provider: a token as the password).
 * Wrong credentials for a provider's id are refused here, as a 401.
 */
export function authenticateAddonPartner(platform: PlatformContext, header: string | undefined): PartnerProvider | undefined {
  const credentials = basicCredentials(header)
  if (credentials === undefined || findAddonProvider(platform.store, credentials.user) === undefined) return undefined
  const provider = platform.catalog.findService(credentials.user)?.provider
  if (!(provider instanceof PartnerProvider) || !provider.verifies(credentials.user, credentials.password)) {
    throw unauthorized('Invalid credentials provided: use the id and api.password of your add-on manifest.')
  }

  return provider
}

/** The add-on by id (the uuid of the provision request) or name, if it is one of this provider's. */
function requirePartnerAddon(platform: PlatformContext, provider: PartnerProvider, identity: string): AddonRow {
  const {store} = platform
  const addon = isUuid(identity)
    ? findAddonById(store, identity.toLowerCase())
    : findAddonByName(store, identity)
  // another provider's add-on is not found, as anything an account does not own
  if (addon === undefined || addon.service !== provider.id || addon.state === 'deprovisioned') throw notFound("Couldn't find that add-on.")
  return addon
}

const PARTNER_PATHS = new Set(['config', 'actions/provision', 'actions/deprovision'])

/**
 * A PlatformHttpHandler (server.ts tries these before the routes) for the partner's calls:
 * /addons/{addon}/config and /addons/{addon}/actions/{provision,deprovision} with HTTP Basic
 * id:api.password of a registered provider. Anything else falls through to the routes.
 */
export async function handleAddonPartnerCallback(platform: PlatformContext, req: IncomingMessage, res: ServerResponse, segments: readonly string[]): Promise<boolean> {
  if (segments[0] !== 'addons' || segments.length < 3 || !PARTNER_PATHS.has(segments.slice(2).join('/'))) return false
  const provider = authenticateAddonPartner(platform, req.headers.authorization)
  if (provider === undefined) return false
  const addon = requirePartnerAddon(platform, provider, segments[1])
  const action = segments.slice(2).join('/')
  const method = req.method ?? 'GET'
  const owner = findAddonProvider(platform.store, provider.id)!.owner_id
  let body: unknown
  if (action === 'config' && method === 'GET') {
    body = partnerConfigView(provider, platform.store, addon)
  } else if (action === 'config' && method === 'PATCH') {
    const raw = await readJsonBody(req)
    // fields beyond the schema's are ignored, as everywhere in the API
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !('config' in raw)) {
      throw invalidParams('The body must be {"config": [{"name": "PREFIX_NAME", "value": "…"}]}.')
    }

    const entries = configEntries((raw as {config?: unknown}).config)
    const updated = updatePartnerConfig(platform, provider, addon, entries, owner)
    body = partnerConfigView(provider, platform.store, updated)
  } else if (action === 'actions/provision' && method === 'POST') {
    body = serializeAddon(platform, await completePartnerProvisioning(platform, provider, addon))
  } else if (action === 'actions/deprovision' && method === 'POST') {
    if (addon.state !== 'provisioning') {
      throw invalidParams(`${addon.name} is provisioned: the deprovision action reports a failed (async) provisioning; its customer removes it with heroku addons:destroy.`)
    }

    body = serializeAddon(platform, await failPartnerProvisioning(platform, provider, addon))
  } else {
    throw new ApiError(405, 'method_not_allowed', `${method} is not supported on ${req.url}.`)
  }

  sendJson(req, res, 200, JSON.stringify(body))
  return true
}
