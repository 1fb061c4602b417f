// Looking up the resources a path names, scoped to the caller: an app you may not use is not
// found. Two notions, one place: the apps an account may use (owner or collaborator: requireApp,
// for everything else) and the apps it owns (requireOwnedApp: destroy, rename, transfer,
// managing collaborators). Both read the store on every request: nothing is cached.

import type {RequestContext} from './context.js'

import {forbidden, notFound} from '../http/errors.js'
import {findAccountById} from '../store/accounts.js'
import {type AppRow, findUsableApp, isAppOwner} from '../store/apps.js'

export function requireParam(ctx: RequestContext, name: string): string {
  const value = ctx.params[name]
  if (value === undefined) throw new Error(`route has no {${name}} parameter`)
  return value
}

/** An app the caller may use: it owns it or is one of its collaborators; else 404. */
export function requireApp(ctx: RequestContext, param = 'app'): AppRow {
  const app = findUsableApp(ctx.platform.store, ctx.account.id, requireParam(ctx, param))
  if (app === undefined) throw notFound("Couldn't find that app.", 'app')
  return app
}

/** A collaborator trying what only the owner may do: 403 that says who can. */
export function ownerOnly(ctx: RequestContext, app: AppRow, action: string): never {
  const owner = findAccountById(ctx.platform.store, app.owner_id)
  throw forbidden(`Only the owner of ${app.name}${owner ? ` (${owner.email})` : ''} can ${action}; you are a collaborator on it.`)
}

/** An app the caller owns; 403 for its collaborators (naming `action`), 404 for anyone else. */
export function requireOwnedApp(ctx: RequestContext, action: string, param = 'app'): AppRow {
  const app = requireApp(ctx, param)
  if (!isAppOwner(app, ctx.account.id)) ownerOnly(ctx, app, action)
  return app
}

export const appRef = (app: AppRow): {id: string, name: string} => ({id: app.id, name: app.name})
