// Partner add-on providers: a service the platform does not run itself (MongoDB, a mail relay,
// a log service …) offered through Heroku's Add-on Partner API v3. The partner registers its
// add-on manifest (POST /platform/addon-providers); the platform then calls its base_url:
//
//   provision    POST   {base_url}         {uuid, name, heroku_id, plan, region, callback_url, options, …}
//                → 200/201 {id, config, message}   done: the config reaches the apps
//                → 202     {id, message}           async: the partner later sends
//                                                  PATCH /addons/{uuid}/config and
//                                                  POST /addons/{uuid}/actions/provision
//   plan change  PUT    {base_url}/{uuid}  {plan, heroku_id} → {config?, message}
//   deprovision  DELETE {base_url}/{uuid}
//
// each with HTTP Basic auth id:api.password and a 30 s timeout (as Heroku's). See
// docs/addons/partners.md.
//
// Config var names: a partner sets full names (MONGOHQ_URL), all beginning with its
// config_vars_prefix (by default the id upper-cased, dashes as underscores) and a "_", as Heroku
// requires of partners. The platform keeps add-on config by suffix and names each attachment's
// vars ATTACHMENT_SUFFIX, so the service's primary attachment name is that prefix: the first
// attachment is MONGOHQ and the app sees MONGOHQ_URL, as the partner said; a second attachment
// (--as BACKUP) sees BACKUP_URL, as on Heroku. A var outside the prefix, or not declared in the
// manifest's api.config_vars, is refused: it could not be named consistently on every attachment.
import {createHash, timingSafeEqual} from 'node:crypto'

import type {PlatformContext} from '../api/context.js'
import type {Store} from '../store/database.js'

import {commitChange, releaseApp} from '../changes.js'
import {assertConfigFits} from '../config-limits.js'
import {notFound} from '../http/errors.js'
import {type AddonProviderRow, clearPendingPartnerConfig, listAddonProviders, pendingPartnerConfig, setPendingPartnerConfig} from '../store/addon-providers.js'
import {type AddonRow, findAddonById, listAddonAttachments, updateAddonPlan} from '../store/addons.js'
import {findAppById, parseConfig} from '../store/apps.js'
import {attachmentConfigVars} from './lifecycle.js'
import {
  type AddonPlanDefinition, type AddonProvider, type AddonServiceDefinition, type Availability, ProviderError,
  type ProviderRuntime, type ProvisionContext, type ProvisionedAddon, type ProvisionResult,
} from './provider.js'

/** Heroku's limit for a partner's answer; the Partner API asks for 3 s and allows up to 30. */
export const PARTNER_TIMEOUT_MS = 30_000

/** The platform's only region, as the manifest's api.regions names regions. */
const PLATFORM_REGION = 'us'
/** what the provision request's `region` says (Heroku sends e.g. amazon-web-services::us-east-1) */
const PROVISION_REGION = 'local::us'

export interface PartnerPlan {
  default?: boolean
  description?: string
  humanName?: string
  name: string
  price?: {cents: number, unit: string}
}

/** Heroku's add-on manifest (v3), plus `plans`, which Heroku keeps outside the manifest. */
export interface PartnerManifest {
  api: {
    config_vars: string[]
    config_vars_prefix: string
    password: string
    production: {base_url: string, sso_url?: string}
    regions: string[]
    requires: string[]
    sso_salt?: string
    version: '3'
  }
  id: string
  name: string
  plans: PartnerPlan[]
}

/** A manifest the platform refuses (422 with this message). */
export class ManifestError extends ProviderError {}

const SLUG = /^[a-z][a-z0-9-]{1,49}$/
const PLAN_SLUG = /^[a-z0-9][a-z0-9-]{0,49}$/
const PREFIX = /^[A-Z][A-Z0-9_]{0,49}$/
const CONFIG_VAR = /^[A-Z][A-Z0-9_]*$/
const KNOWN_REQUIRES = new Set(['log_input', 'syslog_drain', 'many_per_app'])

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function stringField(object: Record<string, unknown>, field: string, where: string, optional = false): string | undefined {
  const value = object[field]
  if (value === undefined || value === null) {
    if (optional) return undefined
    throw new ManifestError(`The manifest has no ${where}${field}.`)
  }

  if (typeof value !== 'string' || value.trim() === '') throw new ManifestError(`The manifest's ${where}${field} must be a non-empty string.`)
  return value
}

function stringList(object: Record<string, unknown>, field: string, where: string, optional = false): string[] {
  const value = object[field]
  if (value === undefined && optional) return []
  if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) throw new ManifestError(`The manifest's ${where}${field} must be a list of strings.`)
  return value as string[]
}

function httpUrl(value: string, what: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ManifestError(`The manifest's ${what} is not a URL: ${JSON.stringify(value)}.`)
  }

  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ManifestError(`The manifest's ${what} must be an https (or, on this machine, http) URL.`)
  // the platform authenticates with the manifest's id and password, never with URL credentials
  if (url.username !== '' || url.password !== '') throw new ManifestError(`The manifest's ${what} must not carry credentials; the platform sends id:api.password in an Authorization header.`)
  return value.replace(/\/+$/, '')
}

function parsePlans(raw: unknown): PartnerPlan[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new ManifestError('The manifest needs "plans": a non-empty list of {name, humanName?, price?: {cents, unit}, description?, default?}.')
  const plans = raw.map((plan, i): PartnerPlan => {
    if (!isRecord(plan)) throw new ManifestError(`plans[${i}] must be an object.`)
    const name = stringField(plan, 'name', `plans[${i}].`)!
    if (!PLAN_SLUG.test(name)) throw new ManifestError(`plans[${i}].name ${JSON.stringify(name)} must be a slug: lowercase letters, digits and dashes.`)
    let price: PartnerPlan['price']
    if (plan.price !== undefined) {
      if (!isRecord(plan.price) || !Number.isInteger(plan.price.cents) || (plan.price.cents as number) < 0 || typeof plan.price.unit !== 'string') {
        throw new ManifestError(`plans[${i}].price must be {cents: a whole number ≥ 0, unit: "month"}.`)
      }

      price = {cents: plan.price.cents as number, unit: plan.price.unit}
    }

    if (plan.default !== undefined && typeof plan.default !== 'boolean') throw new ManifestError(`plans[${i}].default must be true or false.`)
    return {
      name,
      humanName: stringField(plan, 'humanName', `plans[${i}].`, true),
      description: stringField(plan, 'description', `plans[${i}].`, true),
      price,
      default: plan.default as boolean | undefined,
    }
  })
  const names = new Set<string>()
  for (const plan of plans) {
    if (names.has(plan.name)) throw new ManifestError(`The plan ${plan.name} is listed twice.`)
    names.add(plan.name)
  }

  if (plans.filter(p => p.default).length > 1) throw new ManifestError('At most one plan may be the default.')
  return plans
}

/** The default config var prefix, as Heroku derives it from the slug: fast-db → FAST_DB. */
export const defaultConfigVarsPrefix = (id: string): string => id.toUpperCase().replaceAll('-', '_')

/** Checks a manifest as registered and returns it normalized (unknown top-level fields dropped). */
export function parseManifest(raw: unknown): PartnerManifest {
  if (!isRecord(raw)) throw new ManifestError('The manifest must be a JSON object (Heroku\'s add-on manifest format, plus "plans").')
  const id = stringField(raw, 'id', '')!
  if (!SLUG.test(id)) throw new ManifestError(`The manifest's id ${JSON.stringify(id)} must be a slug: a lowercase letter, then lowercase letters, digits or dashes (2–50).`)
  const name = stringField(raw, 'name', '')!
  if (!isRecord(raw.api)) throw new ManifestError('The manifest has no "api" object.')
  const {api} = raw
  const {version} = api
  if (version !== '3' && version !== 3) throw new ManifestError(`This platform speaks version 3 of the Add-on Partner API: set api.version to "3" (it is ${JSON.stringify(version ?? null)}).`)
  const password = stringField(api, 'password', 'api.')!
  const regions = stringList(api, 'regions', 'api.')
  if (regions.length === 0) throw new ManifestError('The manifest\'s api.regions must not be empty.')
  if (!regions.includes(PLATFORM_REGION) && !regions.includes('*')) {
    throw new ManifestError(`This platform runs its apps in region ${PLATFORM_REGION}; api.regions (${regions.join(', ')}) does not include it.`)
  }

  const requires = stringList(api, 'requires', 'api.', true)
  const unknown = requires.filter(r => !KNOWN_REQUIRES.has(r))
  if (unknown.length > 0) throw new ManifestError(`Unknown api.requires: ${unknown.join(', ')} (known: ${[...KNOWN_REQUIRES].join(', ')}).`)
  const prefix = stringField(api, 'config_vars_prefix', 'api.', true) ?? defaultConfigVarsPrefix(id)
  if (!PREFIX.test(prefix)) throw new ManifestError(`api.config_vars_prefix ${JSON.stringify(prefix)} must be upper-case letters, digits and underscores.`)
  const configVars = stringList(api, 'config_vars', 'api.')
  for (const variable of configVars) {
    if (!variable.startsWith(`${prefix}_`) || !CONFIG_VAR.test(variable) || variable.length === prefix.length + 1) {
      throw new ManifestError(`api.config_vars: ${JSON.stringify(variable)} must begin with the prefix ${prefix}_ (api.config_vars_prefix), then letters, digits or underscores.`)
    }
  }

  if (!isRecord(api.production)) throw new ManifestError('The manifest has no api.production {base_url, sso_url}.')
  const baseUrl = httpUrl(stringField(api.production, 'base_url', 'api.production.')!, 'api.production.base_url')
  const ssoUrl = stringField(api.production, 'sso_url', 'api.production.', true)
  return {
    id,
    name,
    api: {
      password,
      sso_salt: stringField(api, 'sso_salt', 'api.', true),
      regions,
      requires,
      config_vars_prefix: prefix,
      config_vars: configVars,
      production: {base_url: baseUrl, ...(ssoUrl === undefined ? {} : {sso_url: httpUrl(ssoUrl, 'api.production.sso_url')})},
      version: '3',
    },
    plans: parsePlans(raw.plans),
  }
}

/** The manifest without its secrets (api.password, api.sso_salt), as the API shows it. */
export function publicManifest(manifest: PartnerManifest): object {
  const api: Partial<PartnerManifest['api']> = {...manifest.api}
  delete api.password
  delete api.sso_salt
  return {...manifest, api}
}

function serviceDefinition(manifest: PartnerManifest): AddonServiceDefinition {
  const prefix = manifest.api.config_vars_prefix
  return {
    name: manifest.id,
    humanName: manifest.name,
    primaryAttachmentName: prefix,
    attachmentNamePrefix: prefix,
    plans: manifest.plans.map((plan): AddonPlanDefinition => ({
      name: plan.name,
      humanName: plan.humanName ?? plan.name,
      description: plan.description ?? '',
      default: plan.default,
      priceCents: plan.price?.cents ?? 0,
    })),
  }
}

/** the add-on's identity in the Partner API's heroku_id field (an email-like id, as Heroku's) */
const herokuId = (addonId: string): string => `${addonId}@addons.localhost`

/** "mongohq:sandbox" → "sandbox": the Partner API names plans without the service. */
const planSlug = (plan: string): string => plan.slice(plan.indexOf(':') + 1)

type PartnerAnswer = {body: Record<string, unknown>, status: number}

export interface PartnerProviderOptions {
  timeoutMs?: number
}

export class PartnerProvider implements AddonProvider {
  readonly service: AddonServiceDefinition
  private runtime?: ProviderRuntime

  constructor(readonly manifest: PartnerManifest, private readonly options: PartnerProviderOptions = {}) {
    this.service = serviceDefinition(manifest)
  }

  get id(): string {
    return this.manifest.id
  }

  async start(runtime: ProviderRuntime): Promise<void> {
    this.runtime = runtime
  }

  availability(): Availability {
    return {available: true}
  }

  async provision(ctx: ProvisionContext): Promise<ProvisionResult> {
    const callbackUrl = `${this.apiUrl()}/addons/${ctx.addonId}`
    const answer = await this.call('POST', '', 'provision the add-on', {
      uuid: ctx.addonId,
      name: ctx.addonName,
      heroku_id: herokuId(ctx.addonId),
      plan: planSlug(ctx.plan),
      region: PROVISION_REGION,
      callback_url: callbackUrl,
      options: ctx.options,
      // the local platform issues partners no OAuth grant (their callbacks authenticate with the
      // manifest's id:password) and takes no log input from add-ons
      oauth_grant: null,
      log_input_url: null,
      log_drain_token: null,
    })
    const providerId = answer.body.id
    // (on a throw the platform deprovisions: DELETE {base_url}/{uuid})
    if ((typeof providerId !== 'string' && typeof providerId !== 'number') || String(providerId) === '') {
      throw new ProviderError(`The ${this.manifest.name} add-on provider answered the provisioning without an "id".`)
    }

    const message = typeof answer.body.message === 'string' ? answer.body.message : null
    if (answer.status === 202) return {providerId: String(providerId), pending: true, configVars: {}, message}
    return {providerId: String(providerId), configVars: this.suffixes(configEntries(answer.body.config)), message}
  }

  async deprovision(addon: ProvisionedAddon): Promise<void> {
    // a resource the partner no longer knows (404, 410) is gone already
    await this.call('DELETE', `/${addon.addonId}`, 'deprovision the add-on', undefined, [404, 410])
  }

  async changePlan(addon: ProvisionedAddon, toPlan: string): Promise<{configVars?: Record<string, string>, message?: null | string}> {
    const answer = await this.call('PUT', `/${addon.addonId}`, `change the plan to ${planSlug(toPlan)}`, {
      plan: planSlug(toPlan),
      heroku_id: herokuId(addon.addonId),
    })
    const message = typeof answer.body.message === 'string' ? answer.body.message : null
    if (answer.body.config === undefined || answer.body.config === null) return {message}
    return {configVars: {...addon.configVars, ...this.suffixes(configEntries(answer.body.config))}, message}
  }

  /**
   * The partner's vars (MONGOHQ_URL) by suffix (URL); null values remove a var. Throws a
   * ProviderError naming each var that does not begin with the prefix or is not in the manifest.
   */
  suffixes(entries: {name: string, value: null | string}[]): Record<string, string> {
    const prefix = `${this.manifest.api.config_vars_prefix}_`
    const wrong = entries.filter(e => !e.name.startsWith(prefix) || !CONFIG_VAR.test(e.name) || e.name.length === prefix.length)
    if (wrong.length > 0) {
      throw new ProviderError(`The ${this.manifest.name} add-on provider set config vars outside its prefix ${prefix}: ${wrong.map(e => e.name).join(', ')}. Partner config vars must begin with api.config_vars_prefix and "_".`)
    }

    const undeclared = entries.filter(e => !this.manifest.api.config_vars.includes(e.name))
    if (undeclared.length > 0) {
      throw new ProviderError(`The ${this.manifest.name} add-on provider set config vars its manifest does not declare in api.config_vars: ${undeclared.map(e => e.name).join(', ')}.`)
    }

    const vars: Record<string, string> = {}
    for (const entry of entries) if (entry.value !== null) vars[entry.name.slice(prefix.length)] = entry.value
    return vars
  }

  /** Whether `id:password` are this manifest's credentials (compared in constant time). */
  verifies(id: string, password: string): boolean {
    const digest = (text: string) => createHash('sha256').update(text).digest()
    return id === this.manifest.id && timingSafeEqual(digest(password), digest(this.manifest.api.password))
  }

  /** The runtime the platform gave at start; partner callbacks act through it. */
  requireRuntime(): ProviderRuntime {
    if (this.runtime === undefined) throw new ProviderError(`The ${this.manifest.name} add-on provider is not started on this platform yet.`)
    return this.runtime
  }

  private apiUrl(): string {
    return this.requireRuntime().apiUrl.replace(/\/+$/, '')
  }

  /** One call to the partner; every failure is a ProviderError a user can read (never with the password). */
  private async call(method: string, path: string, what: string, body: unknown, alsoOk: readonly number[] = []): Promise<PartnerAnswer> {
    const base = this.manifest.api.production.base_url
    const timeoutMs = this.options.timeoutMs ?? PARTNER_TIMEOUT_MS
    const who = `the ${this.manifest.name} add-on provider`
    let response: Response
    try {
      response = await fetch(base + path, {
        method,
        headers: {
          Accept: 'application/json',
          Authorization: `Basic ${Buffer.from(`${this.manifest.id}:${this.manifest.api.password}`).toString('base64')}`,
          ...(body === undefined ? {} : {'Content-Type': 'application/json'}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      const err = error as Error & {cause?: {code?: string, message?: string}}
      if (err.name === 'TimeoutError' || err.name === 'AbortError') {
        throw new ProviderError(`Could not ${what}: ${who} did not answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`} (${new URL(base).origin}).`)
      }

      const reason = err.cause?.code ?? err.cause?.message ?? err.message
      throw new ProviderError(`Could not ${what}: ${who} is unreachable at ${new URL(base).origin} (${reason}).`)
    }

    let text: string
    try {
      text = await response.text()
    } catch (error) {
      throw new ProviderError(`Could not ${what}: ${who} did not finish its answer (${(error as Error).message}).`)
    }

    let parsed: unknown
    try {
      parsed = text === '' ? {} : JSON.parse(text)
    } catch {
      parsed = undefined
    }

    if (alsoOk.includes(response.status)) return {status: response.status, body: isRecord(parsed) ? parsed : {}}
    if (response.status < 200 || response.status > 299) {
      const said = isRecord(parsed) && typeof parsed.message === 'string'
        ? parsed.message
        : (isRecord(parsed) && typeof parsed.error === 'string' ? parsed.error : undefined)
      const status = response.status === 401 || response.status === 403 ? `HTTP ${response.status}: it refused the platform's credentials (the manifest's id and api.password)` : `HTTP ${response.status}`
      throw new ProviderError(`Could not ${what}: ${who} answered ${status}${said === undefined ? '' : `: ${said.slice(0, 500)}`}.`)
    }

    if (!isRecord(parsed)) {
      if (method === 'DELETE') return {status: response.status, body: {}}
      throw new ProviderError(`Could not ${what}: ${who} answered HTTP ${response.status} without a JSON object.`)
    }

    return {status: response.status, body: parsed}
  }
}

/** A partner's config as it sends it: {NAME: value} (provision answers) or [{name, value}] (PATCH …/config). */
export function configEntries(config: unknown): {name: string, value: null | string}[] {
  if (config === undefined || config === null) return []
  if (Array.isArray(config)) {
    return config.map((entry, i) => {
      if (!isRecord(entry) || typeof entry.name !== 'string' || (entry.value !== null && typeof entry.value !== 'string')) {
        throw new ProviderError(`config[${i}] must be {"name": STRING, "value": STRING or null}.`)
      }

      return {name: entry.name, value: entry.value as null | string}
    })
  }

  if (isRecord(config)) {
    return Object.entries(config).map(([name, value]) => {
      if (value !== null && typeof value !== 'string') throw new ProviderError(`The config var ${name} must be a string.`)
      return {name, value}
    })
  }

  throw new ProviderError('"config" must be a list of {name, value} (or an object of names and values).')
}

/** The providers the store has: what the platform adds to its catalog at start. */
export function partnerProviders(store: Store, options: PartnerProviderOptions = {}): PartnerProvider[] {
  return listAddonProviders(store).map(row => partnerProviderOf(row, options))
}

export function partnerProviderOf(row: AddonProviderRow, options: PartnerProviderOptions = {}): PartnerProvider {
  return new PartnerProvider(JSON.parse(row.manifest) as PartnerManifest, options)
}

// --- what a partner reports back (the callbacks of api/addon-providers.ts) -----------------

/** The add-on's vars as a partner sees them: full names (MONGOHQ_URL). */
export function partnerConfigView(provider: PartnerProvider, store: Store, addon: AddonRow): {name: string, value: string}[] {
  const config = addon.state === 'provisioning' ? pendingPartnerConfig(store, addon.id) : parseConfig(addon.config)
  const prefix = provider.manifest.api.config_vars_prefix
  return Object.entries(config).filter(([suffix]) => !suffix.startsWith('@')).map(([suffix, value]) => ({name: `${prefix}_${suffix}`, value}))
}

/**
 * PATCH /addons/{addon}/config from the partner: while provisioning, the vars wait for the
 * provision action (the app is not released); once provisioned, every attached app gets them in
 * one new release.
 */
export function updatePartnerConfig(platform: PlatformContext, provider: PartnerProvider, given: AddonRow, entries: {name: string, value: null | string}[], ownerId: string): AddonRow {
  const {store} = platform
  // as it is now: it may have changed while the request's body arrived
  const addon = findAddonById(store, given.id)
  if (addon === undefined || addon.state === 'deprovisioned') throw notFound("Couldn't find that add-on.")
  // validate names (throws), then apply values and removals
  provider.suffixes(entries)
  const prefix = provider.manifest.api.config_vars_prefix
  const apply = (config: Record<string, string>) => {
    const next = {...config}
    for (const entry of entries) {
      const suffix = entry.name.slice(prefix.length + 1)
      if (entry.value === null) delete next[suffix]
      else next[suffix] = entry.value
    }

    return next
  }

  if (addon.state === 'provisioning') {
    store.transaction(() => setPendingPartnerConfig(store, addon.id, apply(pendingPartnerConfig(store, addon.id))))
    return findAddonById(store, addon.id)!
  }

  return commitChange(platform, pending => {
    const current = findAddonById(store, addon.id)!
    const config = apply(parseConfig(current.config))
    updateAddonPlan(store, current.id, current.plan, config, null)
    const updated = findAddonById(store, current.id)!
    for (const attachment of listAddonAttachments(store, current.id)) {
      const app = findAppById(store, attachment.app_id)!
      const appConfig = parseConfig(app.config)
      for (const key of Object.keys(attachmentConfigVars(current, attachment.name, provider.service))) delete appConfig[key]
      Object.assign(appConfig, attachmentConfigVars(updated, attachment.name, provider.service))
      assertConfigFits(appConfig)
      releaseApp(store, pending, app, {userId: ownerId, description: `Update config of ${attachment.name} (@ref:${current.name}) by ${provider.manifest.id}`, config: appConfig})
    }

    return updated
  })
}

/** POST /addons/{addon}/actions/provision: the vars the partner sent reach the apps. */
export async function completePartnerProvisioning(platform: PlatformContext, provider: PartnerProvider, given: AddonRow): Promise<AddonRow> {
  const addon = findAddonById(platform.store, given.id) ?? given
  // at least once: a repeated provision action answers the add-on as it is
  if (addon.state !== 'provisioning') return addon
  const configVars = pendingPartnerConfig(platform.store, addon.id)
  await provider.requireRuntime().completeProvisioning(addon.id, {configVars})
  platform.store.transaction(() => clearPendingPartnerConfig(platform.store, addon.id))
  return findAddonById(platform.store, addon.id) ?? addon
}

/** POST /addons/{addon}/actions/deprovision while provisioning: the partner gave up. */
export async function failPartnerProvisioning(platform: PlatformContext, provider: PartnerProvider, addon: AddonRow): Promise<AddonRow> {
  await provider.requireRuntime().failProvisioning(addon.id, `The ${provider.manifest.name} add-on provider could not provision ${addon.name}.`)
  const after = findAddonById(platform.store, addon.id)
  return after ?? {...addon, state: 'deprovisioned'}
}
