// The add-on catalog: services and plans, straight from the registered providers.

import type {ApiRoute, RequestContext} from './context.js'

import {type CatalogPlan, type CatalogService, catalogTimestamp} from '../addons/catalog.js'
import {notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {GENERATION} from './regions-stacks.js'
import {requireParam} from './resolve.js'

export function serializeService(service: CatalogService): object {
  const definition = service.provider.service
  return {
    cli_plugin_name: null,
    created_at: catalogTimestamp(),
    human_name: definition.humanName,
    id: service.id,
    name: definition.name,
    // release status, not availability: an unconfigured provider says why when provisioning
    state: 'ga',
    supports_multiple_installations: true,
    supports_sharing: true,
    updated_at: catalogTimestamp(),
    supported_generations: [GENERATION],
  }
}

export function serializePlan(service: CatalogService, plan: CatalogPlan): object {
  return {
    addon_service: {id: service.id, name: service.provider.service.name},
    created_at: catalogTimestamp(),
    compliance: null,
    default: plan.isDefault,
    description: plan.definition.description,
    human_name: plan.definition.humanName,
    id: plan.id,
    installable_inside_private_network: false,
    installable_outside_private_network: true,
    name: plan.name,
    price: {cents: plan.definition.priceCents ?? 0, contract: false, metered: false, unit: 'month'},
    space_default: false,
    state: 'public',
    updated_at: catalogTimestamp(),
    visible: true,
  }
}

export function requireService(ctx: RequestContext, param = 'service'): CatalogService {
  const service = ctx.platform.catalog.findService(requireParam(ctx, param))
  if (service === undefined) throw notFound("Couldn't find that add-on service.")
  return service
}

function findPlanOf(service: CatalogService, identity: string): CatalogPlan {
  const plan = service.plans.find(p => p.id === identity.toLowerCase() || p.name === identity || p.definition.name === identity)
  if (plan === undefined) throw notFound("Couldn't find that add-on plan.")
  return plan
}

export const addonServiceRoutes: ApiRoute[] = [
  {method: 'GET', path: '/addon-services', handler: ctx => list(ctx.platform.catalog.listServices().map(service => serializeService(service)), {fields: ['id', 'name']})},
  {method: 'GET', path: '/addon-services/{service}', handler: ctx => json(serializeService(requireService(ctx)))},
  {
    method: 'GET',
    path: '/addon-services/{service}/plans',
    handler(ctx) {
      const service = requireService(ctx)
      return list(service.plans.map(p => serializePlan(service, p)), {fields: ['id', 'name']})
    },
  },
  {
    method: 'GET',
    path: '/addon-services/{service}/plans/{plan}',
    handler(ctx) {
      const service = requireService(ctx)
      return json(serializePlan(service, findPlanOf(service, requireParam(ctx, 'plan'))))
    },
  },
  {
    method: 'GET',
    path: '/plans/{plan}',
    handler(ctx) {
      const found = ctx.platform.catalog.findPlan(requireParam(ctx, 'plan'))
      if (found === undefined) throw notFound("Couldn't find that add-on plan.")
      return json(serializePlan(found.service, found.plan))
    },
  },
]
