import type {AddOn} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'
import type {Prompter} from '../ui/prompter.js'

import {paths} from '../api/paths.js'
import {confirmDestructive} from '../apps/confirm.js'
import {findAddon} from './resolve.js'

export interface DestroyAddonOptions {
  addon: string
  api: ApiClient
  app?: string
  confirm?: string
  out: Output
  prompter: Prompter
}

/** Finds the add-on, confirms with its owning app's name, then DELETE /apps/{app}/addons/{id}. */
export async function destroyAddon(opts: DestroyAddonOptions): Promise<AddOn> {
  const {api, out} = opts
  const addon = await findAddon(api, opts.addon, opts.app)
  const owner = addon.app?.name ?? opts.app ?? ''
  await confirmDestructive({action: `destroy ${addon.name} on ${owner} and all its data`, app: owner, confirm: opts.confirm, out, prompter: opts.prompter})
  const spinner = await out.spinner(`Destroying ${addon.name} on ${owner}`)
  try {
    const destroyed = await api.delete<AddOn>(paths.app(owner).addon(addon.id).self)
    spinner.succeed()
    return destroyed
  } catch (error) {
    spinner.fail()
    throw error
  }
}
