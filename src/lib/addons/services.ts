import type {AddOnService, Plan} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {withServicesHint} from './unknown-service.js'

/** GET /addon-services */
export async function listServices(opts: {api: ApiClient, out: Output}): Promise<AddOnService[]> {
  const services = await opts.api.list<AddOnService>(paths.addonService())
  services.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))
  await opts.out.table(services, [
    {get: s => s.name, header: 'Slug'},
    {get: s => s.human_name, header: 'Name'},
    {get: s => s.state, header: 'State'},
  ])
  return services
}

export function formatPrice(price: Plan['price'] | undefined): string {
  if (!price || typeof price.cents !== 'number') return ''
  if (price.cents === 0) return 'free'
  const amount = (price.cents / 100).toFixed(price.cents % 100 === 0 ? 0 : 2)
  return `$${amount}/${price.unit ?? 'month'}`
}

/** GET /addon-services/{service}/plans */
export async function listPlans(opts: {api: ApiClient, out: Output, service: string}): Promise<Plan[]> {
  const plans = await opts.api.list<Plan>(paths.addonServicePlans(opts.service)).catch((error: unknown) => {
    throw withServicesHint(error, opts.service)
  })
  plans.sort((a, b) => ((a.price?.cents ?? 0) - (b.price?.cents ?? 0)) || (a.name ?? '').localeCompare(b.name ?? ''))
  await opts.out.table(plans, [
    {get: p => (p.default ? 'default' : ''), header: ''},
    {get: p => p.name, header: 'Slug'},
    {get: p => p.human_name, header: 'Name'},
    {get: p => formatPrice(p.price), header: 'Price'},
  ])
  return plans
}
