// Dynos as the formation implies them. Until the dyno supervisor exists nothing runs, so every
// dyno is reported "down"; restart and stop requests are accepted and announced as events for
// the supervisor to act on.
import {notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {nameBasedId} from '../ids.js'
import type {AppRow} from '../store/apps.js'
import {listFormations} from '../store/formations.js'
import {currentRelease} from '../store/releases.js'
import type {ApiRoute, RequestContext} from './context.js'
import {appRef, requireApp, requireParam} from './resolve.js'

interface DynoView {
  [key: string]: unknown
  id: string
  name: string
  type: string
}

function dynosOf(ctx: RequestContext, app: AppRow): DynoView[] {
  const release = currentRelease(ctx.platform.store, app.id)
  const dynos: DynoView[] = []
  for (const formation of listFormations(ctx.platform.store, app.id)) {
    for (let i = 1; i <= formation.quantity; i++) {
      const name = `${formation.type}.${i}`
      dynos.push({
        attach_url: null,
        command: formation.command,
        created_at: formation.updated_at,
        id: nameBasedId('dyno', `${app.id}/${name}`),
        name,
        release: release ? {id: release.id, version: release.version} : null,
        app: appRef(app),
        size: formation.size,
        state: 'down',
        type: formation.type,
        updated_at: formation.updated_at,
      })
    }
  }
  return dynos
}

function requireDyno(ctx: RequestContext, app: AppRow): DynoView {
  const identity = requireParam(ctx, 'dyno')
  const dyno = dynosOf(ctx, app).find(d => d.name === identity || d.id === identity.toLowerCase())
  if (dyno === undefined) throw notFound(`Couldn't find dyno ${identity}.`)
  return dyno
}

function requireProcessType(ctx: RequestContext, app: AppRow): string {
  const type = requireParam(ctx, 'type')
  if (!listFormations(ctx.platform.store, app.id).some(f => f.type === type)) throw notFound(`Couldn't find that process type (${type}).`)
  return type
}

const accepted = () => json({}, 202)

export const dynoRoutes: ApiRoute[] = [
  {method: 'GET', path: '/apps/{app}/dynos', handler: ctx => list(dynosOf(ctx, requireApp(ctx)), {fields: ['name', 'id']})},
  {method: 'GET', path: '/apps/{app}/dynos/{dyno}', handler: ctx => json(requireDyno(ctx, requireApp(ctx)))},
  {
    method: 'DELETE',
    path: '/apps/{app}/dynos',
    handler(ctx) {
      const app = requireApp(ctx)
      ctx.platform.events.emit('dynos.restart', {appId: app.id, appName: app.name})
      return accepted()
    },
  },
  {
    method: 'DELETE',
    path: '/apps/{app}/dynos/{dyno}',
    handler(ctx) {
      const app = requireApp(ctx)
      const dyno = requireDyno(ctx, app)
      ctx.platform.events.emit('dynos.restart', {appId: app.id, appName: app.name, dyno: dyno.name})
      return accepted()
    },
  },
  {
    method: 'DELETE',
    path: '/apps/{app}/formations/{type}',
    handler(ctx) {
      const app = requireApp(ctx)
      ctx.platform.events.emit('dynos.restart', {appId: app.id, appName: app.name, type: requireProcessType(ctx, app)})
      return accepted()
    },
  },
  {
    method: 'POST',
    path: '/apps/{app}/dynos/{dyno}/actions/stop',
    handler(ctx) {
      const app = requireApp(ctx)
      const dyno = requireDyno(ctx, app)
      ctx.platform.events.emit('dynos.stop', {appId: app.id, appName: app.name, dyno: dyno.name})
      return accepted()
    },
  },
  {
    method: 'POST',
    path: '/apps/{app}/formations/{type}/actions/stop',
    handler(ctx) {
      const app = requireApp(ctx)
      ctx.platform.events.emit('dynos.stop', {appId: app.id, appName: app.name, type: requireProcessType(ctx, app)})
      return accepted()
    },
  },
]
