// The add-on catalog (services and plans) as derived from the registered providers.
import {nameBasedId} from '../ids.js'
import type {AddonPlanDefinition, AddonProvider} from './provider.js'

export interface CatalogPlan {
  id: string
  /** "service:plan" */
  name: string
  definition: AddonPlanDefinition
  isDefault: boolean
}

export interface CatalogService {
  id: string
  provider: AddonProvider
  plans: CatalogPlan[]
}

// Catalog ids are derived from names so they survive restarts without being stored.
const CATALOG_EPOCH = '2024-01-01T00:00:00Z'
export const catalogTimestamp = (): string => CATALOG_EPOCH

export class AddonCatalog {
  private readonly services = new Map<string, CatalogService>()

  constructor(providers: readonly AddonProvider[]) {
    for (const provider of providers) {
      const name = provider.service.name
      if (this.services.has(name)) throw new Error(`Two add-on providers registered for ${name}`)
      const defaultPlan = provider.service.plans.find(p => p.default) ?? provider.service.plans[0]
      if (defaultPlan === undefined) throw new Error(`Add-on provider ${name} has no plans`)
      this.services.set(name, {
        id: nameBasedId('addon-service', name),
        provider,
        plans: provider.service.plans.map(definition => ({
          id: nameBasedId('plan', `${name}:${definition.name}`),
          name: `${name}:${definition.name}`,
          definition,
          isDefault: definition === defaultPlan,
        })),
      })
    }
  }

  listServices(): CatalogService[] {
    return [...this.services.values()]
  }

  findService(identity: string): CatalogService | undefined {
    return this.services.get(identity) ?? this.listServices().find(s => s.id === identity.toLowerCase())
  }

  /** A plan by "service:plan", by "service" (its default plan) or by plan id. */
  findPlan(identity: string): {service: CatalogService, plan: CatalogPlan} | undefined {
    for (const service of this.services.values()) {
      for (const plan of service.plans) {
        if (plan.name === identity || plan.id === identity.toLowerCase() || (identity === service.provider.service.name && plan.isDefault)) {
          return {service, plan}
        }
      }
    }
    return undefined
  }

  async close(): Promise<void> {
    await Promise.all(this.listServices().map(s => s.provider.close?.()))
  }
}
