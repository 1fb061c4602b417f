// Log drains: every log line of an app (app, router, build, platform) delivered to a syslog
// (syslog://, syslog+tls://) or HTTPS (https://) receiver (/apps/{app}/log-drains).
import type {LogDrain} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'

/** GET /apps/{app}/log-drains: `URL (TOKEN)` a line, as the Heroku CLI prints them. */
export async function listDrains(opts: {api: ApiClient, app: string, out: Output}): Promise<LogDrain[]> {
  const {api, out, app} = opts
  const drains = await api.list<LogDrain>(paths.app(app).logDrain())
  if (drains.length === 0) {
    out.log(`${app} has no log drains. Add one with heroku drains:add URL.`)
    return drains
  }

  const own = drains.filter(d => !d.addon)
  const addons = drains.filter(d => d.addon)
  if (own.length > 0) {
    out.heading('Drains')
    for (const d of own) out.log(`${d.url ?? ''} (${d.token ?? ''})`)
  }

  if (addons.length > 0) {
    out.heading('Add-on Drains')
    for (const d of addons) out.log(`${d.addon?.name ?? ''} (${d.token ?? ''})`)
  }

  return drains
}

export async function addDrain(opts: {api: ApiClient, app: string, out: Output, url: string}): Promise<LogDrain> {
  const drain = await opts.api.post<LogDrain>(paths.app(opts.app).logDrain(), {url: opts.url})
  opts.out.log(`Successfully added drain ${drain.url ?? opts.url}`)
  return drain
}

/** DELETE /apps/{app}/log-drains/{url, token or id}. */
export async function removeDrain(opts: {api: ApiClient, app: string, drain: string, out: Output}): Promise<LogDrain> {
  const drain = await opts.api.delete<LogDrain>(paths.app(opts.app).logDrain(opts.drain))
  opts.out.log(`Successfully removed drain ${drain.url ?? opts.drain}`)
  return drain
}
