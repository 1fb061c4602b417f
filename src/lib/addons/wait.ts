import type {AddOn} from '@heroku-cli/schema'

import {setTimeout as realSleep} from 'node:timers/promises'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {UserError} from '../errors.js'

export interface WaitOptions {
  addon: AddOn
  api: ApiClient
  /** what the wait line ends with once provisioned (`done` when absent), e.g. the release it made */
  doneText?: (addon: AddOn) => Promise<string>
  /** between polls; 5 s by default */
  intervalMs?: number
  out: Output
  sleep?: (ms: number) => Promise<void>
}

/** Polls an add-on until it is no longer provisioning; fails if it ends deprovisioned. */
export async function waitForAddon(opts: WaitOptions): Promise<AddOn> {
  let {addon} = opts
  if (addon.state !== 'provisioning') return addon
  const sleep = opts.sleep ?? realSleep
  const spinner = await opts.out.spinner(`Waiting for ${addon.name}`)
  const path = paths.app(addon.app.name ?? addon.app.id ?? '').addon(addon.id).self
  while (addon.state === 'provisioning') {
    await sleep(opts.intervalMs ?? 5000)

    addon = await opts.api.get<AddOn>(path)
  }

  if (addon.state === 'deprovisioned') {
    spinner.fail('failed')
    throw new UserError(`The add-on ${addon.name} could not be provisioned: it is deprovisioned.`, {hint: `See heroku addons:info ${addon.name}, or try heroku addons:create again.`})
  }

  spinner.succeed(opts.doneText ? await opts.doneText(addon) : 'done')
  return addon
}

/** Waits for one add-on, or for every provisioning add-on of the app. */
export async function waitForAddons(opts: {addon?: string, api: ApiClient, app: string, intervalMs?: number, out: Output, sleep?: (ms: number) => Promise<void>}): Promise<AddOn[]> {
  const {api, out, app} = opts
  const addons = opts.addon ? [await api.get<AddOn>(paths.app(app).addon(opts.addon).self)] : await api.list<AddOn>(paths.app(app).addons())
  const done: AddOn[] = []
  for (const addon of addons) {
    done.push(await waitForAddon({addon, api, intervalMs: opts.intervalMs, out, sleep: opts.sleep}))
  }

  const pending = addons.filter(a => a.state === 'provisioning').length
  if (pending === 0) out.log(opts.addon ? `${addons[0].name} is ${addons[0].state}.` : `No add-ons of ${app} are provisioning.`)
  return done
}
