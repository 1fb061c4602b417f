// POST /actions/addons/resolve and /actions/addon-attachments/resolve: what a user typed
// (an add-on id or name, an attachment name, "app::ATTACHMENT") to the add-ons or attachments
// it means, within the caller's apps. Heroku's CLI resolves add-on arguments this way.

import type {ApiRoute, RequestContext} from './context.js'

import {isIdentity, isString, parseBody} from '../http/body.js'
import {notFound} from '../http/errors.js'
import {json} from '../http/router.js'
import {type AddonRow, type AttachmentRow, findAddonById, findAppAttachment, findVisibleAddon, listAccountAttachments, listAddonAttachments} from '../store/addons.js'
import {type AppRow, findUsableApp} from '../store/apps.js'
import {serializeAttachment} from './addon-attachments.js'
import {serializeAddon} from './addons.js'

const body = {app: isIdentity, addon_service: isIdentity}

function appOf(ctx: RequestContext, identity: string | undefined): AppRow | undefined {
  if (identity === undefined) return undefined
  const app = findUsableApp(ctx.platform.store, ctx.account.id, identity)
  if (app === undefined) throw notFound("Couldn't find that app.", 'app')
  return app
}

/** "app::ATTACHMENT" names an attachment of another app. */
function splitScoped(ctx: RequestContext, identifier: string, app: AppRow | undefined): {app: AppRow | undefined, name: string} {
  const scoped = /^([^:]+)::(.+)$/.exec(identifier)
  return scoped ? {app: appOf(ctx, scoped[1]), name: scoped[2]} : {app, name: identifier}
}

function resolveAttachments(ctx: RequestContext, identifier: string, app: AppRow | undefined): AttachmentRow[] {
  const {store} = ctx.platform
  const target = splitScoped(ctx, identifier, app)
  const upper = target.name.toUpperCase()
  const candidates = target.app === undefined
    ? listAccountAttachments(store, ctx.account.id).filter(t => t.name === upper || t.id === target.name.toLowerCase())
    : [findAppAttachment(store, target.app.id, upper) ?? findAppAttachment(store, target.app.id, target.name)].filter(t => t !== undefined)
  if (candidates.length > 0) return candidates
  const addon = findVisibleAddon(store, ctx.account.id, target.name)
  if (addon === undefined) return []
  return listAddonAttachments(store, addon.id).filter(t => target.app === undefined || t.app_id === target.app.id)
}

function resolveAddons(ctx: RequestContext, identifier: string, app: AppRow | undefined): AddonRow[] {
  const addon = findVisibleAddon(ctx.platform.store, ctx.account.id, splitScoped(ctx, identifier, app).name)
  if (addon !== undefined) return [addon]
  const ids = new Set(resolveAttachments(ctx, identifier, app).map(t => t.addon_id))
  return [...ids].map(id => findAddonById(ctx.platform.store, id)!)
}

export const resolveActionRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/actions/addons/resolve',
    handler(ctx) {
      const input = parseBody(ctx.body, {...body, addon: isString}, ['addon'])
      const found = resolveAddons(ctx, input.addon!, appOf(ctx, input.app)).filter(a => input.addon_service === undefined || a.service === input.addon_service)
      if (found.length === 0) throw notFound(`Couldn't find that add-on (${input.addon}).`)
      return json(found.map(a => serializeAddon(ctx.platform, a)))
    },
  },
  {
    method: 'POST',
    path: '/actions/addon-attachments/resolve',
    handler(ctx) {
      const input = parseBody(ctx.body, {...body, addon_attachment: isString}, ['addon_attachment'])
      const found = resolveAttachments(ctx, input.addon_attachment!, appOf(ctx, input.app))
        .filter(t => input.addon_service === undefined || findAddonById(ctx.platform.store, t.addon_id)?.service === input.addon_service)
      if (found.length === 0) throw notFound(`Couldn't find that add-on attachment (${input.addon_attachment}).`)
      return json(found.map(t => serializeAttachment(ctx.platform, t)))
    },
  },
]
