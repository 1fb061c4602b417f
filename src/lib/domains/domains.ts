import type {Domain} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'

/** GET /apps/{app}/domains: the platform's own domain and the custom ones with their DNS targets. */
export async function listDomains(opts: {api: ApiClient, app: string, out: Output}): Promise<Domain[]> {
  const {api, out, app} = opts
  const domains = await api.list<Domain>(paths.app(app).domain())
  const platform = domains.filter(d => d.kind === 'heroku')
  const custom = domains.filter(d => d.kind !== 'heroku')
  out.heading(`${app} Heroku Domain`)
  for (const d of platform) out.log(d.hostname ?? '')
  out.log()
  if (custom.length === 0) {
    out.log(`${app} has no custom domains. Add one with heroku domains:add HOSTNAME.`)
    return domains
  }

  out.heading(`${app} Custom Domains`)
  await out.table(custom, [
    {get: d => d.hostname, header: 'Domain Name'},
    {get: d => d.cname, header: 'DNS Target'},
    {get: d => d.status, header: 'Status'},
  ])
  return domains
}

export async function addDomain(opts: {api: ApiClient, app: string, hostname: string, out: Output}): Promise<Domain> {
  const {api, out, app} = opts
  const spinner = await out.spinner(`Adding ${opts.hostname} to ${app}`)
  let domain: Domain
  try {
    domain = await api.post<Domain>(paths.app(app).domain(), {hostname: opts.hostname, sni_endpoint: null})
  } catch (error) {
    spinner.fail()
    throw error
  }

  spinner.succeed()
  if (domain.cname) {
    out.log(`Configure your app's DNS provider to point to the DNS Target ${domain.cname}`)
  }

  return domain
}

export async function removeDomain(opts: {api: ApiClient, app: string, hostname: string, out: Output}): Promise<Domain> {
  const {api, out, app} = opts
  const spinner = await out.spinner(`Removing ${opts.hostname} from ${app}`)
  try {
    const domain = await api.delete<Domain>(paths.app(app).domain(opts.hostname))
    spinner.succeed()
    return domain
  } catch (error) {
    spinner.fail()
    throw error
  }
}
