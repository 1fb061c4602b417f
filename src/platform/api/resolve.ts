// Looking up the resources a path names, scoped to the caller: what you do not own is not found.
import {notFound} from '../http/errors.js'
import {type AppRow, findOwnedApp} from '../store/apps.js'
import type {RequestContext} from './context.js'

export function requireParam(ctx: RequestContext, name: string): string {
  const value = ctx.params[name]
  if (value === undefined) throw new Error(`route has no {${name}} parameter`)
  return value
}

export function requireApp(ctx: RequestContext, param = 'app'): AppRow {
  const app = findOwnedApp(ctx.platform.store, ctx.account.id, requireParam(ctx, param))
  if (app === undefined) throw notFound("Couldn't find that app.", 'app')
  return app
}

export const appRef = (app: AppRow): {id: string, name: string} => ({id: app.id, name: app.name})
