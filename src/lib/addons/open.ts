import type {ApiClient} from '../api/client.js'
import {UserError} from '../errors.js'
import {openUrl} from '../ui/browser.js'
import type {Output} from '../ui/output.js'
import {serviceDocsUrl} from './docs.js'
import {findAddon} from './resolve.js'

interface OpenOptions {
  api: ApiClient
  out: Output
  showUrl?: boolean
  env?: NodeJS.ProcessEnv
}

async function openOrShow(opts: OpenOptions, url: string): Promise<void> {
  if (opts.showUrl) opts.out.log(url)
  else await openUrl(opts.out, url, opts.env)
}

/** Opens addon.web_url (the provider's dashboard). */
export async function openAddon(opts: OpenOptions & {addon: string; app?: string}): Promise<{addon: string; url: string}> {
  const addon = await findAddon(opts.api, opts.addon, opts.app)
  if (!addon.web_url) throw new UserError(`${addon.name} has no dashboard URL.`)
  await openOrShow(opts, addon.web_url)
  return {addon: addon.name, url: addon.web_url}
}

export async function openServiceDocs(opts: OpenOptions & {service: string}): Promise<{service: string; url: string}> {
  const {service, url} = await serviceDocsUrl(opts.api, opts.service)
  await openOrShow(opts, url)
  return {service: service.name ?? opts.service, url}
}
