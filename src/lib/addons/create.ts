import type {AddOn, Release} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {newestRelease} from '../releases/newest.js'
import {formatPrice} from './services.js'
import {withServicesHint} from './unknown-service.js'
import {waitForAddon} from './wait.js'

export interface CreateAddonOptions {
  api: ApiClient
  app: string
  /** name of the initial attachment (sets NAME_URL etc.) */
  as?: string
  /** provider options */
  config?: Record<string, string>
  /** globally unique name of the add-on */
  name?: string
  out: Output
  /** SERVICE or SERVICE:PLAN */
  plan: string
  sleep?: (ms: number) => Promise<void>
  wait?: boolean
  waitIntervalMs?: number
}

/** What the add-on costs, as the plans list says it: `free`, `$5/month`; billed_price first, else the plan's. */
export function addonPrice(addon: AddOn): string {
  const plan = addon.plan as {price?: AddOn['billed_price']}
  return formatPrice(addon.billed_price ?? plan.price ?? undefined)
}

/**
 * The release the add-on made: the app's newest one once it is provisioned. Only for the line a
 * person reads, so a failure to fetch it leaves the version out instead of failing a created add-on.
 */
async function releaseAfter(api: ApiClient, app: string): Promise<Release | undefined> {
  try {
    return await newestRelease(api, app)
  } catch {
    return undefined
  }
}

/** `done, v8 (free)`: the outcome, the release when known, the price when known. */
function outcome(state: string, release: Release | undefined, price: string): string {
  const parts = [state]
  if (release?.version !== undefined) parts.push(`v${release.version}`)
  return parts.join(', ') + (price ? ` (${price})` : '')
}

/**
 * POST /apps/{app}/addons, reported as the Heroku CLI's pitch shows it:
 *
 *     Adding sendgrid on intu-jokes... done, v8 (free)
 *     Created sendgrid-shiny-1 as SENDGRID_API_KEY
 *     Use `heroku addons:docs sendgrid` to view documentation.
 *
 * An add-on still provisioning says so (`done, provisioning`) and how to wait for it; with `wait`
 * it is waited for and its release shown then. The provider's message is shown when it sends one.
 * An unknown service or plan fails with a hint naming heroku addons:services.
 */
export async function createAddon(opts: CreateAddonOptions): Promise<AddOn> {
  const {api, out, app} = opts
  const body: Record<string, unknown> = {plan: opts.plan}
  if (opts.as) body.attachment = {name: opts.as}
  if (opts.name) body.name = opts.name
  if (opts.config && Object.keys(opts.config).length > 0) body.config = opts.config

  const spinner = await out.spinner(`Adding ${opts.plan} on ${app}`)
  let addon: AddOn
  try {
    addon = await api.post<AddOn>(paths.app(app).addons(), body)
  } catch (error) {
    spinner.fail()
    throw withServicesHint(error, opts.plan)
  }

  const price = addonPrice(addon)
  // --json prints the add-on only: the release is for the person reading stderr
  const provisioning = addon.state === 'provisioning'
  const release = provisioning || out.json ? undefined : await releaseAfter(api, app)
  spinner.succeed(outcome(provisioning ? 'done, provisioning' : 'done', release, price))
  if (addon.provision_message) out.info(addon.provision_message)
  if (provisioning) {
    if (opts.wait) {
      addon = await waitForAddon({
        addon, api, doneText: async () => outcome('done', out.json ? undefined : await releaseAfter(api, app), ''), intervalMs: opts.waitIntervalMs, out, sleep: opts.sleep,
      })
    } else {
      out.info(`${addon.name} is being created in the background; the app restarts when it is ready.`)
      out.info(`Run heroku addons:wait ${addon.name} -a ${app} to wait for it.`)
    }
  }

  const vars = addon.config_vars ?? []
  out.log(`Created ${addon.name}${vars.length > 0 ? ` as ${vars.join(', ')}` : ''}`)
  out.log(`Use \`heroku addons:docs ${addon.addon_service?.name ?? opts.plan.split(':')[0]}\` to view documentation.`)
  return addon
}
