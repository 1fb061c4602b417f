// Add-ons: provision through a provider, list (per app, per account), info, change plan, destroy.

import type {ApiRoute, PlatformContext, RequestContext} from './context.js'

import {issueSsoUrl, mayManage} from '../addons/dashboards/session.js'
import {attachmentConfigVars, changeAddonPlan, createAddon, destroyAddon, renameAddonChecked} from '../addons/lifecycle.js'
import {isIdentity, isNullableString, isObject, isString, isStringMap, parseBody} from '../http/body.js'
import {forbidden, invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {type AddonRow, findAddonById, findAppAttachment, findVisibleAddon, listAccountAddons, listAddonAttachments, listAppAddons} from '../store/addons.js'
import {type AppRow, findAppById} from '../store/apps.js'
import {requireSelf} from './account.js'
import {appRef, requireApp, requireParam} from './resolve.js'

/** `billingApp` is passed for a destroyed add-on, whose app may be going away with it. */
export function serializeAddon(platform: PlatformContext, addon: AddonRow, billingApp: AppRow = findAppById(platform.store, addon.app_id)!): object {
  const found = platform.catalog.findPlan(addon.plan)
  const attachments = listAddonAttachments(platform.store, addon.id)
  const primary = attachments.find(t => t.app_id === addon.app_id) ?? attachments[0]
  return {
    actions: [],
    addon_service: {id: found?.service.id ?? null, name: addon.service},
    billing_entity: {id: billingApp.id, name: billingApp.name, type: 'app'},
    app: appRef(billingApp),
    billed_price: {cents: found?.plan.definition.priceCents ?? 0, contract: false, unit: 'month'},
    config_vars: primary === undefined ? [] : Object.keys(attachmentConfigVars(addon, primary.name, found?.service.provider.service)),
    created_at: addon.created_at,
    id: addon.id,
    name: addon.name,
    plan: {id: found?.plan.id ?? null, name: addon.plan},
    provider_id: addon.provider_id,
    provision_message: addon.provision_message,
    state: addon.state,
    updated_at: addon.updated_at,
    // the platform's dashboard (addons/dashboards/); a partner's is reached from there by its SSO
    web_url: platform.urls.addonDashboardUrl(addon.id),
  }
}

export function requireVisibleAddon(ctx: RequestContext, param = 'addon'): AddonRow {
  const addon = findVisibleAddon(ctx.platform.store, ctx.account.id, requireParam(ctx, param))
  if (addon === undefined) throw notFound("Couldn't find that add-on.")
  return addon
}

/**
 * An add-on addressed through an app — billed to it or attached to it — by id, by name, or by
 * the name of its attachment there (DATABASE), as Heroku resolves add-ons in an app's context.
 */
function requireAppAddon(ctx: RequestContext, app: AppRow): AddonRow {
  const {store} = ctx.platform
  const identity = requireParam(ctx, 'addon')
  const addon = findVisibleAddon(store, ctx.account.id, identity)
  if (addon !== undefined && (addon.app_id === app.id || listAddonAttachments(store, addon.id).some(t => t.app_id === app.id))) return addon
  const attachment = findAppAttachment(store, app.id, identity.toUpperCase())
  if (attachment !== undefined) return findAddonById(store, attachment.addon_id)!
  throw notFound("Couldn't find that add-on.")
}

function requirePlan(ctx: RequestContext, identity: string) {
  const found = ctx.platform.catalog.findPlan(identity)
  if (found === undefined) throw notFound(`Couldn't find either the add-on service or the add-on plan of ${JSON.stringify(identity)}.`)
  return found
}

const createBody = {
  attachment: isObject({name: isString}),
  config: isStringMap,
  confirm: isString,
  plan: isIdentity,
  name: isString,
}

async function create(ctx: RequestContext) {
  const app = requireApp(ctx)
  const body = parseBody(ctx.body, createBody, ['plan'])
  if (body.confirm !== undefined && body.confirm !== app.name) throw invalidParams(`Confirmation ${body.confirm} does not match the app name ${app.name}.`)
  const {service, plan} = requirePlan(ctx, body.plan!)
  const addon = await createAddon(ctx.platform, {
    account: ctx.account, app, service, plan, name: body.name, attachmentName: body.attachment?.name, options: body.config ?? {},
  })
  return json(serializeAddon(ctx.platform, addon), 201)
}

async function update(ctx: RequestContext) {
  const app = requireApp(ctx)
  const addon = requireAppAddon(ctx, app)
  if (addon.app_id !== app.id) throw invalidParams(`${addon.name} is billed to another app; change its plan there.`)
  const body = parseBody(ctx.body, {plan: isIdentity, name: isNullableString}, ['plan'])
  const {service, plan} = requirePlan(ctx, body.plan!)
  let updated = await changeAddonPlan(ctx.platform, {account: ctx.account, addon, plan, service})
  if (body.name) updated = renameAddonChecked(ctx.platform, updated, body.name, ctx.account.id)
  return json(serializeAddon(ctx.platform, updated))
}

async function destroy(ctx: RequestContext) {
  const app = requireApp(ctx)
  const addon = requireAppAddon(ctx, app)
  if (addon.app_id !== app.id) throw invalidParams(`${addon.name} is billed to another app; detach it from ${app.name} instead (heroku addons:detach).`)
  const destroyed = await destroyAddon(ctx.platform, ctx.account, addon)
  return json(serializeAddon(ctx.platform, destroyed, app))
}

/**
 * Single sign-on to the add-on's dashboard (what `addons:open` opens): a link that works once,
 * within a minute, for this add-on only, and starts a browser session for it. The app's owner and collaborators only.
 */
function sso(ctx: RequestContext, addon: AddonRow) {
  if (!mayManage(ctx.platform, ctx.account.id, addon)) throw forbidden(`Only the owner of ${addon.name}'s app and its collaborators can open its dashboard.`)
  return json({method: 'get', action: issueSsoUrl(ctx.platform, ctx.account, addon)})
}

const listOf = (ctx: RequestContext, addons: AddonRow[]) => list(addons.map(a => serializeAddon(ctx.platform, a)), {fields: ['id', 'name']})

export const addonRoutes: ApiRoute[] = [
  {method: 'GET', path: '/addons', handler: ctx => listOf(ctx, listAccountAddons(ctx.platform.store, ctx.account.id))},
  {
    method: 'GET',
    path: '/users/{user}/addons',
    handler(ctx) {
      requireSelf(ctx)
      return listOf(ctx, listAccountAddons(ctx.platform.store, ctx.account.id))
    },
  },
  {method: 'GET', path: '/addons/{addon}', handler: ctx => json(serializeAddon(ctx.platform, requireVisibleAddon(ctx)))},
  {method: 'POST', path: '/apps/{app}/addons', handler: create},
  {method: 'GET', path: '/apps/{app}/addons', handler: ctx => listOf(ctx, listAppAddons(ctx.platform.store, requireApp(ctx).id))},
  {method: 'GET', path: '/apps/{app}/addons/{addon}', handler: ctx => json(serializeAddon(ctx.platform, requireAppAddon(ctx, requireApp(ctx))))},
  {method: 'PATCH', path: '/apps/{app}/addons/{addon}', handler: update},
  {method: 'DELETE', path: '/apps/{app}/addons/{addon}', handler: destroy},
  {method: 'GET', path: '/apps/{app}/addons/{addon}/sso', handler: ctx => sso(ctx, requireAppAddon(ctx, requireApp(ctx)))},
  {method: 'GET', path: '/addons/{addon}/sso', handler: ctx => sso(ctx, requireVisibleAddon(ctx))},
]
