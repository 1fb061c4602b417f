import type {App} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'

/** GET /apps: the apps of the account, by name. */
export async function listApps(opts: {api: ApiClient, out: Output}): Promise<App[]> {
  const apps = await opts.api.list<App>(paths.apps())
  apps.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))
  if (apps.length === 0) {
    opts.out.log('You have no apps.')
    return apps
  }

  opts.out.heading('Apps')
  for (const app of apps) opts.out.log(`${app.name}${app.region?.name && app.region.name !== 'us' ? ` (${app.region.name})` : ''}`)
  return apps
}
