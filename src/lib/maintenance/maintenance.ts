// Maintenance mode: the app's `maintenance` attribute (PATCH /apps/{app}). While it is on, the
// router answers every request with a 503 (H80) page: the built-in one, or the page at the app's
// MAINTENANCE_PAGE_URL config var.
import type {App} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'

/** GET /apps/{app}: prints `on` or `off`, as the Heroku CLI does; --json prints the app (its `maintenance`). */
export async function maintenanceStatus(opts: {api: ApiClient, app: string, out: Output}): Promise<App> {
  const app = await opts.api.get<App>(paths.app(opts.app).self)
  opts.out.log(app.maintenance === true ? 'on' : 'off')
  return app
}

/** PATCH /apps/{app} {maintenance}: returns the app as the API answers it. */
export async function setMaintenance(opts: {api: ApiClient, app: string, on: boolean, out: Output}): Promise<App> {
  const {api, out, app, on} = opts
  const spinner = await out.spinner(`${on ? 'Enabling' : 'Disabling'} maintenance mode for ${app}`)
  try {
    const updated = await api.patch<App>(paths.app(app).self, {maintenance: on})
    spinner.succeed()
    return updated
  } catch (error) {
    spinner.fail()
    throw error
  }
}
