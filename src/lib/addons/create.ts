import type {AddOn} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'
import {waitForAddon} from './wait.js'

export interface CreateAddonOptions {
  api: ApiClient
  out: Output
  app: string
  /** SERVICE or SERVICE:PLAN */
  plan: string
  /** name of the initial attachment (sets NAME_URL etc.) */
  as?: string
  /** globally unique name of the add-on */
  name?: string
  /** provider options */
  config?: Record<string, string>
  wait?: boolean
  waitIntervalMs?: number
  sleep?: (ms: number) => Promise<void>
}

/** POST /apps/{app}/addons; reports the config vars it set and the provider's message. */
export async function createAddon(opts: CreateAddonOptions): Promise<AddOn> {
  const {api, out, app} = opts
  const body: Record<string, unknown> = {plan: opts.plan}
  if (opts.as) body.attachment = {name: opts.as}
  if (opts.name) body.name = opts.name
  if (opts.config && Object.keys(opts.config).length > 0) body.config = opts.config

  const spinner = await out.spinner(`Creating ${opts.plan} on ${app}`)
  let addon: AddOn
  try {
    addon = await api.post<AddOn>(`/apps/${encodeURIComponent(app)}/addons`, body)
  } catch (error) {
    spinner.fail()
    throw error
  }

  spinner.succeed(addon.state === 'provisioning' ? 'provisioning' : 'done')
  if (addon.provision_message) out.info(addon.provision_message)
  if (addon.state === 'provisioning') {
    if (opts.wait) {
      addon = await waitForAddon({addon, api, intervalMs: opts.waitIntervalMs, out, sleep: opts.sleep})
    } else {
      out.info(`${addon.name} is being created in the background; the app restarts when it is ready.`)
      out.info(`Run heroku addons:wait ${addon.name} -a ${app} to wait for it.`)
    }
  }

  const vars = addon.config_vars ?? []
  out.log(`Created ${addon.name}${vars.length > 0 ? ` as ${vars.join(', ')}` : ''}`)
  out.log(`Use heroku addons:docs ${addon.addon_service?.name ?? opts.plan.split(':')[0]} to view documentation`)
  return addon
}
