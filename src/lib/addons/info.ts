import type {AddOn, AddOnAttachment} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {findAddon} from './resolve.js'

/** GET the add-on (in the app's context if known) and its attachments; returns the add-on as the API gave it. */
export async function addonInfo(opts: {addon: string, api: ApiClient, app?: string, out: Output}): Promise<AddOn> {
  const {api, out} = opts
  const addon = await findAddon(api, opts.addon, opts.app)
  const attachments = await api.list<AddOnAttachment>(paths.addonAttachments(addon.id))
  out.heading(addon.name)
  out.keyValues([
    ['Plan', addon.plan?.name],
    ['Owning app', addon.app?.name],
    ['Attachments', attachments.map(t => `${t.app?.name}::${t.name}`).join(', ') || '(none)'],
    ['Config vars', (addon.config_vars ?? []).join(', ')],
    ['State', addon.state],
    ['Installed at', addon.created_at],
  ])
  return addon
}
