import type {AddOn, AddOnAttachment} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'

export interface ListAddonsOptions {
  api: ApiClient
  /** the app whose add-ons and attachments to list; all the account's add-ons when absent */
  app?: string
  out: Output
}

/**
 * An app's add-ons (GET /apps/{app}/addons) with the attachments each has on the app
 * (GET /apps/{app}/addon-attachments); or every add-on of the account (GET /addons). Returns the
 * add-ons as the API listed them: the attachments are for the table only.
 */
export async function listAddons(opts: ListAddonsOptions): Promise<AddOn[]> {
  const {api, out, app} = opts
  if (!app) {
    const addons = await api.list<AddOn>(paths.addon())
    const rows = addons.map(a => ({...a, attachments: []}))
    await out.table(rows, [
      {get: a => a.name, header: 'Add-on'},
      {get: a => a.plan?.name, header: 'Plan'},
      {get: a => a.app?.name, header: 'Owning app'},
      {get: a => a.state, header: 'State'},
    ])
    if (rows.length === 0) out.log('No add-ons.')
    return addons
  }

  const [addons, attachments] = await Promise.all([
    api.list<AddOn>(paths.app(app).addons()),
    api.list<AddOnAttachment>(paths.app(app).attachments()),
  ])
  const rows = addons.map(a => ({...a, attachments: attachments.filter(t => t.addon?.id === a.id)}))
  if (rows.length === 0) {
    out.log(`${app} has no add-ons.`)
    return addons
  }

  await out.table(rows, [
    {get: a => a.name + (a.app?.name && a.app.name !== app ? ` (from ${a.app.name})` : ''), header: 'Add-on'},
    {get: a => a.plan?.name, header: 'Plan'},
    {get: a => a.state, header: 'State'},
    {get: a => a.attachments.map(t => `as ${t.name}`).join(', '), header: 'Attached'},
  ])
  return addons
}
