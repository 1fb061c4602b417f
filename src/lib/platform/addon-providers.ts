// Partner add-on providers on a platform that takes them (the local platform's
// /platform/addon-providers, docs/addons/partners.md): register a manifest, list, unregister.
import {readFile} from 'node:fs/promises'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {UserError} from '../errors.js'

/** A registered provider as the platform shows it (its manifest without api.password and api.sso_salt). */
export interface AddonProviderInfo {
  addon_service: {id: null | string, name: string}
  /** how many of its add-ons exist */
  addons: number
  created_at: string
  id: string
  manifest: {
    api: {config_vars: string[], config_vars_prefix: string, production: {base_url: string, sso_url?: string}, regions: string[], requires: string[], version: string}
    id: string
    name: string
    plans: {default?: boolean, description?: string, humanName?: string, name: string, price?: {cents: number, unit: string}}[]
  }
  name: string
  /** null when another account registered it */
  owner: null | {email: string, id: string}
  updated_at: string
}

/** The manifest file as JSON; what is wrong with it, the platform says (422). */
export async function readManifest(path: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new UserError(`Cannot read the manifest ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, {
      hint: 'Pass the path of your add-on manifest, e.g. heroku platform:addons:register addon-manifest.json',
    })
  }

  try {
    return JSON.parse(text)
  } catch (error) {
    throw new UserError(`The manifest ${path} is not valid JSON: ${(error as Error).message}`)
  }
}

/** POST /platform/addon-providers: the manifest's service joins the catalog (or its manifest is replaced). */
export async function registerProvider(opts: {api: ApiClient, manifestPath: string, out: Output}): Promise<AddonProviderInfo> {
  const {api, out} = opts
  const manifest = await readManifest(opts.manifestPath)
  const id = typeof manifest === 'object' && manifest !== null && typeof (manifest as {id?: unknown}).id === 'string' ? (manifest as {id: string}).id : opts.manifestPath
  const spinner = await out.spinner(`Registering add-on provider ${id}`)
  let provider: AddonProviderInfo
  try {
    provider = await api.post<AddonProviderInfo>(paths.addonProvider(), manifest)
  } catch (error) {
    spinner.fail()
    throw error
  }

  spinner.succeed()
  const plans = provider.manifest.plans.map(p => p.name).join(', ')
  out.log(`${provider.id} (${provider.name}) is in the catalog with plans ${plans}; the platform calls ${provider.manifest.api.production.base_url}.`)
  out.log(`Create one with: heroku addons:create ${provider.id} -a APP`)
  return provider
}

/** GET /platform/addon-providers */
export async function listProviders(opts: {api: ApiClient, out: Output}): Promise<AddonProviderInfo[]> {
  const {api, out} = opts
  const providers = await api.list<AddonProviderInfo>(paths.addonProvider())
  providers.sort((a, b) => a.id.localeCompare(b.id))
  if (providers.length === 0) {
    out.log('No partner add-on providers are registered. Register one with heroku platform:addons:register MANIFEST.json')
    return providers
  }

  await out.table(providers, [
    {get: p => p.id, header: 'Slug'},
    {get: p => p.name, header: 'Name'},
    {get: p => p.manifest.plans.map(plan => plan.name).join(', '), header: 'Plans'},
    {get: p => String(p.addons), header: 'Add-ons'},
    {get: p => p.manifest.api.production.base_url, header: 'Base URL'},
    {get: p => (p.owner ? 'you' : 'another account'), header: 'Owner'},
  ])
  return providers
}

/** DELETE /platform/addon-providers/{id}: only its owner, and only once its add-ons are destroyed. */
export async function unregisterProvider(opts: {api: ApiClient, id: string, out: Output}): Promise<AddonProviderInfo> {
  const {api, out, id} = opts
  const spinner = await out.spinner(`Unregistering add-on provider ${id}`)
  try {
    const provider = await api.delete<AddonProviderInfo>(paths.addonProvider(id))
    spinner.succeed()
    return provider
  } catch (error) {
    spinner.fail()
    throw error
  }
}
