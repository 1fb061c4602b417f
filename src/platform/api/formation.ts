// Formation: how many dynos of each process type, at which size. Types come from the released
// slug's process types; scaling emits formation.changed for the dyno supervisor.

import type {AppRow} from '../store/apps.js'
import type {ApiRoute, RequestContext} from './context.js'

import {commitChange} from '../changes.js'
import {type FieldCheck, isObject, isQuantity, isString, parseBody} from '../http/body.js'
import {invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {nameBasedId} from '../ids.js'
import {findFormation, type FormationRow, listFormations, updateFormation} from '../store/formations.js'
import {appRef, requireApp, requireParam} from './resolve.js'

export const DYNO_SIZES = ['eco', 'basic', 'standard-1X', 'standard-2X', 'performance-M', 'performance-L'] as const
export const MAX_QUANTITY = 100

export const dynoSizeRef = (size: string): {id: string, name: string} => ({id: nameBasedId('dyno-size', size), name: size})

export function serializeFormation(app: AppRow, formation: FormationRow): object {
  return {
    app: appRef(app),
    command: formation.command,
    created_at: formation.created_at,
    dyno_size: dynoSizeRef(formation.size),
    id: formation.id,
    quantity: formation.quantity,
    size: formation.size,
    type: formation.type,
    updated_at: formation.updated_at,
  }
}

const checkSize: FieldCheck<string> = (value, field) => {
  const size = isString(value, field)
  const known = DYNO_SIZES.find(s => s.toLowerCase() === size.toLowerCase())
  if (known === undefined) throw invalidParams(`Unknown dyno size ${size}: use one of ${DYNO_SIZES.join(', ')}.`)
  return known
}

const checkDynoSize: FieldCheck<string> = (value, field) => {
  if (typeof value === 'string') return checkSize(value, field)
  const ref = isObject({id: isString, name: isString})(value, field)
  const size = ref.name ?? DYNO_SIZES.find(s => dynoSizeRef(s).id === ref.id)
  if (size === undefined) throw invalidParams(`Unknown dyno size in "${field}".`)
  return checkSize(size, field)
}

const changeSpec = {quantity: isQuantity(0, MAX_QUANTITY), size: checkSize, dyno_size: checkDynoSize}
const batchItem = isObject({...changeSpec, type: isString}, ['type'])

type Change = {quantity?: number, size?: string, type: string}

function applyChanges(ctx: RequestContext, app: AppRow, changes: Change[]): FormationRow[] {
  const {store} = ctx.platform
  return commitChange(ctx.platform, pending => {
    const updated = changes.map(change => {
      const formation = findFormation(store, app.id, change.type)
      if (formation === undefined) throw notFound(`Couldn't find that process type (${change.type}).`)
      return updateFormation(store, formation.id, {quantity: change.quantity, size: change.size})
    })
    pending.add('formation.changed', {appId: app.id, appName: app.name, changes: updated.map(f => ({type: f.type, quantity: f.quantity, size: f.size}))})
    return updated
  })
}

export const formationRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/apps/{app}/formation',
    handler(ctx) {
      const app = requireApp(ctx)
      return list(listFormations(ctx.platform.store, app.id).map(f => serializeFormation(app, f)), {fields: ['type', 'id']})
    },
  },
  {
    method: 'GET',
    path: '/apps/{app}/formation/{formation}',
    handler(ctx) {
      const app = requireApp(ctx)
      const formation = findFormation(ctx.platform.store, app.id, requireParam(ctx, 'formation'))
      if (formation === undefined) throw notFound("Couldn't find that formation.")
      return json(serializeFormation(app, formation))
    },
  },
  {
    method: 'PATCH',
    path: '/apps/{app}/formation',
    handler(ctx) {
      const app = requireApp(ctx)
      const body = parseBody(ctx.body, {
        updates(value: unknown, field: string) {
          if (!Array.isArray(value) || value.length === 0) throw invalidParams(`"${field}" must be a non-empty array of {type, quantity, size}.`)
          return value.map((item, i) => batchItem(item, `${field}[${i}]`))
        },
      }, ['updates'])
      const changes = body.updates!.map(u => ({type: u.type!, quantity: u.quantity, size: u.dyno_size ?? u.size}))
      return json(applyChanges(ctx, app, changes).map(f => serializeFormation(app, f)))
    },
  },
  {
    method: 'PATCH',
    path: '/apps/{app}/formation/{formation}',
    handler(ctx) {
      const app = requireApp(ctx)
      const body = parseBody(ctx.body, changeSpec)
      const formation = findFormation(ctx.platform.store, app.id, requireParam(ctx, 'formation'))
      if (formation === undefined) throw notFound("Couldn't find that formation.")
      const [updated] = applyChanges(ctx, app, [{type: formation.type, quantity: body.quantity, size: body.dyno_size ?? body.size}])
      return json(serializeFormation(app, updated))
    },
  },
]
