// Dynos: what the dyno supervisor runs (state, release, command …), and one-off dynos
// (POST: `heroku run`). Restart and stop requests are announced as events the supervisor acts
// on. A platform started without dynos (dynos: false) reports the dynos the formation implies,
// honestly "down".

import type {DynoSnapshot} from '../dynos/supervisor.js'
import type {AppRow} from '../store/apps.js'
import type {ApiRoute, RequestContext} from './context.js'

import {ATTACH_UPGRADE} from '../../lib/run/attach-frames.js'
import {assertCommand, assertConfigVarName, assertConfigVarValue} from '../config-limits.js'
import {rendezvousUrlFor} from '../dynos/rendezvous.js'
import {isBoolean, isQuantity, isString, isStringMap, parseBody} from '../http/body.js'
import {ApiError, invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {nameBasedId} from '../ids.js'
import {listFormations} from '../store/formations.js'
import {currentRelease} from '../store/releases.js'
import {DYNO_SIZES} from './formation.js'
import {appRef, requireApp, requireParam} from './resolve.js'

interface DynoView {
  [key: string]: unknown
  id: string
  name: string
  type: string
}

/**
 * The request header by which a client says it speaks our own attach protocol: `Attach-Upgrade:
 * heroku-run/1` (our CLI sends it). Over TLS everyone else gets Heroku's `rendezvous://` URL, as
 * on Heroku (the official CLI speaks nothing else); both name the same single-use session.
 */
export const ATTACH_UPGRADE_HEADER = 'attach-upgrade'

/** rendezvous://… over TLS unless the client asked for the upgrade; http(s)://…/dyno-attach/… otherwise. */
function attachUrlFor(ctx: RequestContext, d: DynoSnapshot): null | string {
  if (d.attachUrl === null) return null
  const asked = String(ctx.headers[ATTACH_UPGRADE_HEADER] ?? '').toLowerCase().split(',').map(p => p.trim())
  return asked.includes(ATTACH_UPGRADE) ? d.attachUrl : rendezvousUrlFor(d.attachUrl) ?? d.attachUrl
}

function view(ctx: RequestContext, app: AppRow, d: DynoSnapshot): DynoView {
  return serializeDyno(app, d, attachUrlFor(ctx, d))
}

/** A dyno as the API shows it; `attachUrl` depends on who asks (attachUrlFor), null for no one. */
export function serializeDyno(app: AppRow, d: DynoSnapshot, attachUrl: null | string): DynoView {
  return {
    attach_url: attachUrl, command: d.command, created_at: d.createdAt, id: d.id, name: d.name, release: d.release,
    app: appRef(app), size: d.size, state: d.state, type: d.type, updated_at: d.updatedAt,
  }
}

function dynosOf(ctx: RequestContext, app: AppRow): DynoView[] {
  const supervisor = ctx.platform.dynos
  if (supervisor) return supervisor.list(app.id).map(d => view(ctx, app, d))
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
  const found = ctx.platform.dynos?.find(app.id, identity)
  if (found) return view(ctx, app, found)
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

// A one-off dyno that could never start (a NUL in its command or env, a name no file or shell
// takes) is refused here, not accepted and then "crashed" for good.
const createBody = {
  command(value: unknown, field: string) {
    const command = isString(value, field)
    assertCommand(command, `"${field}"`)
    return command
  },
  attach: isBoolean,
  env(value: unknown, field: string) {
    const env = isStringMap(value, field)
    for (const [name, text] of Object.entries(env)) {
      assertConfigVarName(name, 'environment variable')
      assertConfigVarValue(name, text, 'environment variable')
    }

    return env
  },
  force_no_tty: (value: unknown, field: string) => (value === null ? false : isBoolean(value, field)),
  size(value: unknown, field: string) {
    const size = isString(value, field)
    const known = DYNO_SIZES.find(s => s.toLowerCase() === size.toLowerCase())
    if (known === undefined) throw invalidParams(`Unknown dyno size ${size}: use one of ${DYNO_SIZES.join(', ')}.`)
    return known
  },
  type(value: unknown, field: string) {
    const type = isString(value, field)
    if (type !== 'run') throw invalidParams(`"${field}" must be "run": one-off dynos are of type run.`)
    return type
  },
  time_to_live: isQuantity(1, 86_400),
}

async function createOneOff(ctx: RequestContext) {
  const app = requireApp(ctx)
  const body = parseBody(ctx.body, createBody, ['command'])
  const {dynos} = ctx.platform
  if (dynos === undefined) throw new ApiError(503, 'service_unavailable', 'This platform runs no dynos (it was started without them).')
  const slugId = currentRelease(ctx.platform.store, app.id)?.slug_id
  if (slugId === undefined || slugId === null) throw invalidParams('The app has no release with code yet: deploy it first (git push).')
  const dyno = await dynos.runOneOff(app, {
    command: body.command!, env: body.env, attach: body.attach, forceNoTty: body.force_no_tty, size: body.size, timeToLive: body.time_to_live,
  })
  return json(view(ctx, app, dyno), 201)
}

export const dynoRoutes: ApiRoute[] = [
  {method: 'POST', path: '/apps/{app}/dynos', handler: createOneOff},
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
