// Add-on attachments: attaching an add-on to any app of the account puts its config vars there
// (prefixed by the attachment name) and releases that app; detaching removes them.

import type {ApiRoute, PlatformContext, RequestContext} from './context.js'

import {attachAddon, attachmentConfigVars, detachAttachment} from '../addons/lifecycle.js'
import {isIdentity, isNullable, isString, isText, MAX_LABEL_LENGTH, parseBody} from '../http/body.js'
import {invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {
  type AddonRow, type AttachmentRow, findAddonById, findAppAttachment, findVisibleAddon, findVisibleAttachment, listAccountAttachments,
  listAddonAttachments, listAppAttachments,
} from '../store/addons.js'
import {findAppById, findUsableApp} from '../store/apps.js'
import {requireVisibleAddon} from './addons.js'
import {appRef, requireApp, requireParam} from './resolve.js'

/**
 * What a client asked to be included beyond the schema's shape (`Accept-Inclusion`, as Heroku
 * offers it on attachments): `addon:plan` (the add-on's plan), `config_vars` (the attachment's).
 */
export function inclusions(ctx: RequestContext): Set<string> {
  const header = ctx.headers['accept-inclusion']
  const value = Array.isArray(header) ? header.join(',') : header ?? ''
  return new Set(value.split(',').map(s => s.trim()).filter(Boolean))
}

/** `addon` is passed for a detached attachment whose add-on may be gone with it. */
export function serializeAttachment(platform: PlatformContext, attachment: AttachmentRow, include: ReadonlySet<string> = new Set(), given?: AddonRow): object {
  const addon = given ?? findAddonById(platform.store, attachment.addon_id)!
  const billingApp = findAppById(platform.store, addon.app_id)!
  const app = findAppById(platform.store, attachment.app_id)!
  const service = platform.catalog.findService(addon.service)
  const extra: Record<string, unknown> = {}
  if (include.has('config_vars')) extra.config_vars = Object.keys(attachmentConfigVars(addon, attachment.name, service?.provider.service))
  const plan = include.has('addon:plan') ? {plan: {id: platform.catalog.findPlan(addon.plan)?.plan.id ?? null, name: addon.plan}} : {}
  return {
    ...extra,
    addon: {id: addon.id, name: addon.name, app: appRef(billingApp), ...plan},
    app: appRef(app),
    created_at: attachment.created_at,
    id: attachment.id,
    name: attachment.name,
    namespace: attachment.namespace,
    updated_at: attachment.updated_at,
    web_url: platform.urls.addonDashboardUrl(addon.id),
    log_input_url: null,
  }
}

function requireAttachment(ctx: RequestContext): AttachmentRow {
  const attachment = findVisibleAttachment(ctx.platform.store, ctx.account.id, requireParam(ctx, 'attachment'))
  if (attachment === undefined) throw notFound("Couldn't find that add-on attachment.")
  return attachment
}

const createBody = {
  addon: isIdentity,
  app: isIdentity,
  confirm: isString,
  name: isString,
  namespace: isNullable(isText(MAX_LABEL_LENGTH)),
  namespace_config(): never {
    throw invalidParams('namespace_config is not supported by this platform.')
  },
}

function create(ctx: RequestContext) {
  const body = parseBody(ctx.body, createBody, ['addon', 'app'])
  const {store} = ctx.platform
  const app = findUsableApp(store, ctx.account.id, body.app!)
  if (app === undefined) throw notFound("Couldn't find that app.", 'app')
  if (body.confirm !== undefined && body.confirm !== app.name) throw invalidParams(`Confirmation ${body.confirm} does not match the app name ${app.name}.`)
  const addon = findVisibleAddon(store, ctx.account.id, body.addon!)
  if (addon === undefined) throw notFound("Couldn't find that add-on.")
  const attachment = attachAddon(ctx.platform, {account: ctx.account, addon, app, name: body.name, namespace: body.namespace})
  return json(serializeAttachment(ctx.platform, attachment), 201)
}

const listOf = (ctx: RequestContext, attachments: AttachmentRow[]) => list(attachments.map(t => serializeAttachment(ctx.platform, t, inclusions(ctx))), {fields: ['id', 'name']})

export const addonAttachmentRoutes: ApiRoute[] = [
  {method: 'POST', path: '/addon-attachments', handler: create},
  {method: 'GET', path: '/addon-attachments', handler: ctx => listOf(ctx, listAccountAttachments(ctx.platform.store, ctx.account.id))},
  {method: 'GET', path: '/addon-attachments/{attachment}', handler: ctx => json(serializeAttachment(ctx.platform, requireAttachment(ctx), inclusions(ctx)))},
  {
    method: 'DELETE',
    path: '/addon-attachments/{attachment}',
    handler(ctx) {
      const attachment = requireAttachment(ctx)
      const body = serializeAttachment(ctx.platform, attachment)
      detachAttachment(ctx.platform, ctx.account, attachment)
      return json(body)
    },
  },
  {method: 'GET', path: '/addons/{addon}/addon-attachments', handler: ctx => listOf(ctx, listAddonAttachments(ctx.platform.store, requireVisibleAddon(ctx).id))},
  {method: 'GET', path: '/apps/{app}/addon-attachments', handler: ctx => listOf(ctx, listAppAttachments(ctx.platform.store, requireApp(ctx).id))},
  {
    method: 'GET',
    path: '/apps/{app}/addon-attachments/{attachment}',
    handler(ctx) {
      const attachment = findAppAttachment(ctx.platform.store, requireApp(ctx).id, requireParam(ctx, 'attachment'))
      if (attachment === undefined) throw notFound("Couldn't find that add-on attachment.")
      return json(serializeAttachment(ctx.platform, attachment, inclusions(ctx)))
    },
  },
]
