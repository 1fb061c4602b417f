// The add-on catalog (services and plans) as derived from the registered providers.

import type {AddonPlanDefinition, AddonProvider, ProviderRuntime} from './provider.js'

import {nameBasedId} from '../ids.js'

export interface CatalogPlan {
  definition: AddonPlanDefinition
  id: string
  isDefault: boolean
  /** "service:plan" */
  name: string
}

export interface CatalogService {
  id: string
  plans: CatalogPlan[]
  provider: AddonProvider
}

// Catalog ids are derived from names so they survive restarts without being stored.
const CATALOG_EPOCH = '2024-01-01T00:00:00Z'
export const catalogTimestamp = (): string => CATALOG_EPOCH

export class AddonCatalog {
  private readonly services = new Map<string, CatalogService>()
  private runtimeFor?: (provider: AddonProvider) => ProviderRuntime
  private log: (line: string) => void = () => {}

  constructor(providers: readonly AddonProvider[]) {
    for (const provider of providers) this.add(provider)
  }

  private add(provider: AddonProvider): CatalogService {
    const {name} = provider.service
    if (this.services.has(name)) throw new Error(`Two add-on providers registered for ${name}`)
    const defaultPlan = provider.service.plans.find(p => p.default) ?? provider.service.plans[0]
    if (defaultPlan === undefined) throw new Error(`Add-on provider ${name} has no plans`)
    const service = {
      id: nameBasedId('addon-service', name),
      provider,
      plans: provider.service.plans.map(definition => ({
        id: nameBasedId('plan', `${name}:${definition.name}`),
        name: `${name}:${definition.name}`,
        definition,
        isDefault: definition === defaultPlan,
      })),
    }
    this.services.set(name, service)
    return service
  }

  /**
   * Starts every provider (their servers for the add-ons that exist). A provider that cannot
   * start is logged and stays in the catalog: its provisioning fails with the reason.
   */
  async start(runtimeFor: (provider: AddonProvider) => ProviderRuntime, log: (line: string) => void): Promise<void> {
    this.runtimeFor = runtimeFor
    this.log = log
    await Promise.all(this.listServices().map(s => this.startProvider(s.provider)))
  }

  private async startProvider(provider: AddonProvider): Promise<void> {
    if (!this.runtimeFor || !provider.start) return
    try {
      await provider.start(this.runtimeFor(provider))
    } catch (error) {
      this.log(`add-on service ${provider.service.name} did not start: ${(error as Error).message}`)
    }
  }

  /** Adds a provider while the platform runs (a partner registered through the API). */
  async register(provider: AddonProvider): Promise<CatalogService> {
    const service = this.add(provider)
    await this.startProvider(provider)
    return service
  }

  /** Takes a provider out of the catalog (its add-ons stay, but cannot be changed or destroyed through it). */
  async unregister(name: string): Promise<void> {
    const service = this.services.get(name)
    if (service === undefined) return
    this.services.delete(name)
    await service.provider.close?.()
  }

  listServices(): CatalogService[] {
    return [...this.services.values()]
  }

  findService(identity: string): CatalogService | undefined {
    return this.services.get(identity) ?? this.listServices().find(s => s.id === identity.toLowerCase())
  }

  /** A plan by "service:plan", by "service" (its default plan) or by plan id. */
  findPlan(identity: string): undefined | {plan: CatalogPlan, service: CatalogService} {
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
