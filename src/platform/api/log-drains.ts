// Log drains (the schema's log-drain): an app's drains by id, URL or token. Delivery is the log
// router's (logs/drains.ts), told of each change. Add-on drains (/addons/{addon}/log-drains) are
// not offered: no add-on here creates one.

import type {AppRow} from '../store/apps.js'
import type {ApiRoute, RequestContext} from './context.js'

import {parseBody} from '../http/body.js'
import {conflict, invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {drainUrlProblem} from '../logs/drain-transports.js'
import {deleteLogDrain, findLogDrain, insertLogDrain, listLogDrains, type LogDrainRow, logDrainUrlTaken} from '../store/log-drains.js'
import {appRef, requireApp, requireParam} from './resolve.js'

/** how many drains an app may have (Heroku's limit is 5 per app for most) */
export const MAX_DRAINS_PER_APP = 10

export function serializeLogDrain(app: AppRow, drain: LogDrainRow): object {
  return {
    addon: null,
    app: appRef(app),
    created_at: drain.created_at,
    id: drain.id,
    token: drain.token,
    updated_at: drain.updated_at,
    url: drain.url,
  }
}

function requireDrain(ctx: RequestContext, app: AppRow): LogDrainRow {
  const drain = findLogDrain(ctx.platform.store, app.id, requireParam(ctx, 'drain'))
  if (drain === undefined) throw notFound('Couldn\'t find that log drain.', 'log_drain')
  return drain
}

const createBody = {
  url(value: unknown, field: string) {
    if (typeof value !== 'string' || value.trim() === '') throw invalidParams(`"${field}" must be a drain URL (syslog://HOST:PORT, syslog+tls://HOST:PORT or https://…).`)
    const url = value.trim()
    const problem = drainUrlProblem(url)
    if (problem) throw invalidParams(`"${field}" is invalid: ${problem}`)
    return url
  },
}

export const logDrainRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/apps/{app}/log-drains',
    handler(ctx) {
      const app = requireApp(ctx)
      return list(listLogDrains(ctx.platform.store, app.id).map(d => serializeLogDrain(app, d)), {fields: ['id', 'url']})
    },
  },
  {
    method: 'POST',
    path: '/apps/{app}/log-drains',
    handler(ctx) {
      const app = requireApp(ctx)
      const {url} = parseBody(ctx.body, createBody, ['url'])
      const {store} = ctx.platform
      const drain = store.transaction(() => {
        if (logDrainUrlTaken(store, app.id, url!)) throw conflict(`${url} is already a log drain of ${app.name}.`)
        if (listLogDrains(store, app.id).length >= MAX_DRAINS_PER_APP) throw invalidParams(`${app.name} already has ${MAX_DRAINS_PER_APP} log drains, the most an app may have.`)
        return insertLogDrain(store, {appId: app.id, url: url!})
      })
      ctx.platform.logs?.drainsChanged(app.id)
      return json(serializeLogDrain(app, drain), 201)
    },
  },
  {method: 'GET', path: '/apps/{app}/log-drains/{drain}', handler: ctx => (app => json(serializeLogDrain(app, requireDrain(ctx, app))))(requireApp(ctx))},
  {
    method: 'DELETE',
    path: '/apps/{app}/log-drains/{drain}',
    handler(ctx) {
      const app = requireApp(ctx)
      const drain = requireDrain(ctx, app)
      deleteLogDrain(ctx.platform.store, drain.id)
      ctx.platform.logs?.drainsChanged(app.id)
      return json(serializeLogDrain(app, drain))
    },
  },
]
