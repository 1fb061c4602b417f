// The local platform has one region and one stack.

import type {ApiRoute, RequestContext} from './context.js'

import {notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {nameBasedId} from '../ids.js'
import {requireApp, requireParam} from './resolve.js'

const SINCE = '2024-01-01T00:00:00Z'

export const REGION = {id: nameBasedId('region', 'us'), name: 'us'} as const
export const STACK = {id: nameBasedId('stack', 'heroku-24'), name: 'heroku-24'} as const
export const GENERATION = {id: nameBasedId('generation', 'cedar'), name: 'cedar'} as const

const region = {
  country: 'Local machine',
  created_at: SINCE,
  description: 'This machine (the local platform)',
  id: REGION.id,
  locale: 'localhost',
  name: REGION.name,
  private_capable: false,
  // provider.region is an enum of AWS regions; this substrate has none, so it is left out.
  provider: {name: 'local'},
  updated_at: SINCE,
}

const stack = {default: true, created_at: SINCE, id: STACK.id, name: STACK.name, state: 'supported', updated_at: SINCE}

const matches = (ctx: RequestContext, param: string, ref: {id: string, name: string}): boolean => {
  const identity = requireParam(ctx, param).toLowerCase()
  return identity === ref.id || identity === ref.name
}

export const regionStackRoutes: ApiRoute[] = [
  {method: 'GET', path: '/regions', handler: () => list([region], {fields: ['id', 'name']})},
  {
    method: 'GET',
    path: '/regions/{region}',
    handler(ctx) {
      if (!matches(ctx, 'region', REGION)) throw notFound("Couldn't find that region.")
      return json(region)
    },
  },
  {method: 'GET', path: '/stacks', handler: () => list([stack], {fields: ['id', 'name']})},
  {
    method: 'GET',
    path: '/apps/{app}/available-stacks',
    handler(ctx) {
      requireApp(ctx)
      return list([stack], {fields: ['id', 'name']})
    },
  },
  {
    method: 'GET',
    path: '/stacks/{stack}',
    handler(ctx) {
      if (!matches(ctx, 'stack', STACK)) throw notFound("Couldn't find that stack.")
      return json(stack)
    },
  },
]
