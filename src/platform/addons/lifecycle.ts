// Add-on operations that span a provider (real resources) and the store (records, config,
// releases). Provider work happens outside transactions. An add-on is `provisioning` from its
// creation until its provider is done, then `provisioned` (its apps get its config vars in a
// release), or — when the provider fails — `deprovisioned` with the reason, its partial work
// undone: no add-on exists half-way.
import type {PlatformContext} from '../api/context.js'
import type {AccountRow} from '../store/accounts.js'
import type {Store} from '../store/database.js'
import type {CatalogPlan, CatalogService} from './catalog.js'
import type {AddonServiceDefinition, ProvisionedAddon, ProvisionResult} from './provider.js'

import {commitChange, type PendingEvents, releaseApp} from '../changes.js'
import {assertConfigFits} from '../config-limits.js'
import {invalidParams, notFound} from '../http/errors.js'
import {newId} from '../ids.js'
import {ADDON_NAME, ATTACHMENT_COLORS, ATTACHMENT_NAME, generateAddonName} from '../names.js'
import {
  addonNameTaken, type AddonRow, attachmentNameTaken, type AttachmentRow, deleteAddon, deleteAttachment, findAddonById,
  insertAddon, insertAttachment, listAddonAttachments, listAppAttachments, listProvisioningAddons, markAddonFailed, markAddonProvisioned,
  renameAddon, setAddonProviderId, updateAddonPlan,
} from '../store/addons.js'
import {type AppRow, findAppById, parseConfig} from '../store/apps.js'

/** Plain (full-name) config vars are kept in the add-on's config under this prefix. */
const PLAIN = '@'

/** The add-on's config as stored: vars by suffix, and plain ones (SMTP_URL) prefixed with PLAIN. */
export function storedConfig(result: {configVars: Record<string, string>, plainConfigVars?: Record<string, string>}): Record<string, string> {
  const config: Record<string, string> = {...result.configVars}
  for (const [name, value] of Object.entries(result.plainConfigVars ?? {})) config[PLAIN + name] = value
  return config
}

/**
 * The config vars an attachment puts in its app: the add-on's vars prefixed by the attachment
 * name, and its plain vars when the attachment has the service's primary name.
 */
export function attachmentConfigVars(addon: AddonRow, attachmentName: string, service?: AddonServiceDefinition): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const [key, value] of Object.entries(parseConfig(addon.config))) {
    if (!key.startsWith(PLAIN)) vars[`${attachmentName}_${key}`] = value
    else if (service === undefined || attachmentName === service.primaryAttachmentName) vars[key.slice(PLAIN.length)] = value
  }

  return vars
}

function defaultAttachmentName(store: Store, appId: string, service: AddonServiceDefinition): string {
  if (!attachmentNameTaken(store, appId, service.primaryAttachmentName)) return service.primaryAttachmentName
  for (const color of ATTACHMENT_COLORS) {
    const name = `${service.attachmentNamePrefix}_${color}`
    if (!attachmentNameTaken(store, appId, name)) return name
  }

  return `${service.attachmentNamePrefix}_${newId().slice(0, 8).toUpperCase()}`
}

function normalizeAttachmentName(name: string): string {
  if (!ATTACHMENT_NAME.test(name)) throw invalidParams(`Invalid attachment name ${JSON.stringify(name)}: use letters, digits and underscores, starting with a letter.`)
  return name.toUpperCase()
}

function assertAddonNameFree(store: Store, name: string): void {
  if (!ADDON_NAME.test(name)) throw invalidParams(`Invalid add-on name ${JSON.stringify(name)}: start with a letter, then letters, digits, dashes or underscores (2–100 chars).`)
  if (addonNameTaken(store, name)) throw invalidParams(`Name ${name} is already taken by another add-on.`)
}

const serviceOf = (platform: PlatformContext, addon: AddonRow): AddonServiceDefinition | undefined => platform.catalog.findService(addon.service)?.provider.service

/** The owner of the add-on's billing app: who a release made without a request is attributed to. */
const ownerOf = (store: Store, addon: AddonRow): string => findAppById(store, addon.app_id)?.owner_id ?? ''

/** The add-on's billing app, as its events name it. */
const billedTo = (store: Store, addon: AddonRow) => ({appId: addon.app_id, appName: findAppById(store, addon.app_id)?.name ?? ''})

/**
 * Adds the attachment's vars to its app and releases it, inside the caller's transaction. An
 * add-on still provisioning has no vars yet: its attachments are released when it is done.
 */
function attachInTransaction(platform: PlatformContext, pending: PendingEvents, userId: string, addon: AddonRow, app: AppRow, name: string, namespace: null | string): AttachmentRow {
  const {store} = platform
  if (attachmentNameTaken(store, app.id, name)) throw invalidParams(`Attachment name ${name} is already used on ${app.name}.`)
  const attachment = insertAttachment(store, {addonId: addon.id, appId: app.id, name, namespace})
  pending.add('addon-attachment.created', {appId: app.id, appName: app.name, attachmentId: attachment.id, userId})
  if (addon.state === 'provisioned') releaseAttachment(platform, pending, userId, addon, attachment, `Attach ${name} (@ref:${addon.name})`)
  return attachment
}

function releaseAttachment(platform: PlatformContext, pending: PendingEvents, userId: string, addon: AddonRow, attachment: AttachmentRow, description: string): void {
  const current = findAppById(platform.store, attachment.app_id)!
  const config = {...parseConfig(current.config), ...attachmentConfigVars(addon, attachment.name, serviceOf(platform, addon))}
  assertConfigFits(config)
  releaseApp(platform.store, pending, current, {userId, description, config})
}

function detachInTransaction(platform: PlatformContext, pending: PendingEvents, userId: string, addon: AddonRow, attachment: AttachmentRow): void {
  const {store} = platform
  const app = findAppById(store, attachment.app_id)!
  deleteAttachment(store, attachment.id)
  pending.add('addon-attachment.deleted', {appId: app.id, appName: app.name, addon, attachment, userId})
  const vars = Object.keys(attachmentConfigVars(addon, attachment.name, serviceOf(platform, addon)))
  // an add-on that never got its vars (provisioning, failed) changes nothing in its apps
  if (vars.length === 0) return
  const config = parseConfig(app.config)
  for (const key of vars) delete config[key]
  releaseApp(store, pending, app, {userId, description: `Detach ${attachment.name} (@ref:${addon.name})`, config})
}

export function provisioned(addon: AddonRow): ProvisionedAddon {
  const all = parseConfig(addon.config)
  const configVars: Record<string, string> = {}
  const plainConfigVars: Record<string, string> = {}
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(PLAIN)) plainConfigVars[key.slice(PLAIN.length)] = value
    else configVars[key] = value
  }

  return {addonId: addon.id, addonName: addon.name, providerId: addon.provider_id, plan: addon.plan, configVars, plainConfigVars, state: addon.state}
}

export interface CreateAddonInput {
  account: AccountRow
  app: AppRow
  attachmentName?: string
  name?: string
  options: Record<string, string>
  plan: CatalogPlan
  service: CatalogService
}

/**
 * How long addons:create waits for its provider before answering `provisioning` (and the
 * provider goes on in the background). Local servers are ready well within it.
 */
export const PROVISION_ANSWER_WAIT_MS = 20_000

/** Provisionings under way, per platform (its store) and add-on id: destroy waits for them. */
const provisionings = new WeakMap<Store, Map<string, Promise<void>>>()
const underWay = (platform: PlatformContext): Map<string, Promise<void>> => {
  let map = provisionings.get(platform.store)
  if (map === undefined) provisionings.set(platform.store, map = new Map())
  return map
}

/**
 * Creates the add-on (`provisioning`) with its attachment, then has its provider make the
 * resource. Answers once the provider is done or after PROVISION_ANSWER_WAIT_MS: a provider
 * that fails by then fails the request (nothing is left); one that fails later leaves the add-on
 * deprovisioned with the reason. Its apps get the config vars, in a release, when it is done.
 */
export async function createAddon(platform: PlatformContext, input: CreateAddonInput): Promise<AddonRow> {
  const {store} = platform
  const {provider} = input.service
  const availability = provider.availability()
  if (!availability.available) throw invalidParams(availability.reason)
  if (input.name !== undefined) assertAddonNameFree(store, input.name)
  const attachmentName = input.attachmentName === undefined ? undefined : normalizeAttachmentName(input.attachmentName)
  if (attachmentName !== undefined && attachmentNameTaken(store, input.app.id, attachmentName)) {
    throw invalidParams(`Attachment name ${attachmentName} is already used on ${input.app.name}.`)
  }

  const addon = commitChange(platform, pending => {
    if (findAppById(store, input.app.id) === undefined) throw notFound("Couldn't find that app.")
    const name = input.name ?? generateAddonName(provider.service.name, n => addonNameTaken(store, n))
    assertAddonNameFree(store, name)
    const row = insertAddon(store, {id: newId(), name, appId: input.app.id, service: provider.service.name, plan: input.plan.name, options: input.options})
    pending.add('addon.created', {appId: input.app.id, appName: input.app.name, addonId: row.id, userId: input.account.id})
    attachInTransaction(platform, pending, input.account.id, row, input.app, attachmentName ?? defaultAttachmentName(store, input.app.id, provider.service), null)
    return row
  })
  let failure: Error | undefined
  const work = provisionAddon(platform, addon).catch((error: Error) => {
    failure = error
  })
  await Promise.race([work, sleep(platform.addonAnswerWaitMs ?? PROVISION_ANSWER_WAIT_MS)])
  if (failure !== undefined) {
    // failed while the client waits: the request fails and no add-on is left
    commitChange(platform, pending => {
      const row = findAddonById(store, addon.id)
      if (row === undefined) return
      deleteAddon(store, addon.id)
      pending.add('addon.destroyed', {appId: input.app.id, appName: input.app.name, addon: row, userId: input.account.id})
    })
    throw failure
  }

  return findAddonById(store, addon.id) ?? addon
}

/** Runs the add-on's provisioning (once per add-on at a time); rejects with the provider's error. */
function provisionAddon(platform: PlatformContext, addon: AddonRow): Promise<void> {
  const running = underWay(platform).get(addon.id)
  if (running) return running
  const work = (async () => {
    const provider = platform.catalog.findService(addon.service)?.provider
    if (provider === undefined) throw invalidParams(`The ${addon.service} service is no longer offered by this platform.`)
    const app = findAppById(platform.store, addon.app_id)
    const ctx = {addonId: addon.id, addonName: addon.name, appName: app?.name ?? '', plan: addon.plan, options: parseConfig(addon.provision_options)}
    let result
    try {
      result = await provider.provision(ctx)
    } catch (error) {
      await failProvisioning(platform, addon.id, (error as Error).message)
      throw error
    }

    if (result.pending) {
      platform.store.transaction(() => setAddonProviderId(platform.store, addon.id, result.providerId, result.message ?? null))
      return
    }

    await completeProvisioning(platform, addon.id, result)
  })()
  const map = underWay(platform)
  map.set(addon.id, work)
  void work.then(() => map.delete(addon.id), () => map.delete(addon.id))
  return work
}

/**
 * The provider is done: the add-on is provisioned and every app it is attached to gets its vars
 * in a release. If the add-on went away meanwhile (its app destroyed), the resource is undone.
 */
export async function completeProvisioning(platform: PlatformContext, addonId: string, result: Omit<ProvisionResult, 'pending' | 'providerId'> & {providerId?: string}): Promise<void> {
  const {store} = platform
  let gone = false
  try {
    commitChange(platform, pending => {
      const addon = findAddonById(store, addonId)
      if (addon === undefined || addon.state !== 'provisioning') {
        gone = addon === undefined
        if (addon !== undefined) throw invalidParams(`${addon.name} is ${addon.state}, not provisioning.`)
        return
      }

      markAddonProvisioned(store, addonId, {
        providerId: result.providerId ?? addon.provider_id, config: storedConfig(result), message: result.message ?? null, webUrl: result.webUrl ?? null,
      })
      const done = findAddonById(store, addonId)!
      pending.add('addon.updated', {...billedTo(store, done), addonId, previous: {state: 'provisioning'}})
      const userId = ownerOf(store, done)
      for (const attachment of listAddonAttachments(store, addonId)) {
        releaseAttachment(platform, pending, userId, done, attachment, `Attach ${attachment.name} (@ref:${done.name})`)
      }
    })
  } catch (error) {
    // the vars do not fit an app (config limits): provisioning fails, the resource is undone
    if ((error as Error).message.includes('not provisioning')) throw error
    await failProvisioning(platform, addonId, (error as Error).message, {...result, providerId: result.providerId})
    throw error
  }

  if (gone && result.providerId !== undefined) await undoResource(platform, addonId, result.providerId, result)
}

/**
 * Provisioning failed: the provider's partial work is undone, the add-on stays deprovisioned
 * with the reason (no config vars reached any app), its attachments go.
 */
export async function failProvisioning(platform: PlatformContext, addonId: string, reason: string, partial?: {configVars?: Record<string, string>, providerId?: string}): Promise<void> {
  const {store} = platform
  const addon = findAddonById(store, addonId)
  await undoResource(platform, addonId, partial?.providerId ?? addon?.provider_id ?? '', partial)
  if (addon === undefined) return
  commitChange(platform, pending => {
    const now = findAddonById(store, addonId)
    if (now === undefined || now.state !== 'provisioning') return
    for (const attachment of listAddonAttachments(store, addonId)) detachInTransaction(platform, pending, ownerOf(store, now), now, attachment)
    markAddonFailed(store, addonId, `Provisioning failed: ${reason}`)
    pending.add('addon.updated', {...billedTo(store, now), addonId, previous: {state: 'provisioning'}})
  })
}

async function undoResource(platform: PlatformContext, addonId: string, providerId: string, partial?: {configVars?: Record<string, string>}): Promise<void> {
  const addon = findAddonById(platform.store, addonId)
  const provider = addon && platform.catalog.findService(addon.service)?.provider
  if (!addon || !provider) return
  await provider.deprovision({...provisioned(addon), providerId, configVars: partial?.configVars ?? {}})
    .catch(error => platform.log(`could not undo the provisioning of ${addon.name}: ${(error as Error).message}`))
}

/**
 * At start: provisionings a restart interrupted are run again (providers are idempotent per
 * add-on); ones a provider answers later (async partners, with a handle already) wait for it.
 */
export function resumeProvisioning(platform: PlatformContext): void {
  for (const addon of listProvisioningAddons(platform.store)) {
    if (addon.provider_id !== '') continue
    platform.log(`resuming the provisioning of ${addon.name}`)
    provisionAddon(platform, addon).catch(error => platform.log(`provisioning ${addon.name} failed: ${(error as Error).message}`))
  }
}

export function attachAddon(platform: PlatformContext, input: {account: AccountRow, addon: AddonRow, app: AppRow, name?: string, namespace?: null | string}): AttachmentRow {
  const {store} = platform
  const service = platform.catalog.findService(input.addon.service)
  if (service === undefined) throw invalidParams(`The ${input.addon.service} service is no longer offered by this platform.`)
  if (input.addon.state === 'deprovisioned') throw invalidParams(`${input.addon.name} is deprovisioned: ${input.addon.provision_message ?? 'it has no resource to attach'}.`)
  return commitChange(platform, pending => {
    const addon = findAddonById(store, input.addon.id) ?? input.addon
    const name = input.name === undefined ? defaultAttachmentName(store, input.app.id, service.provider.service) : normalizeAttachmentName(input.name)
    return attachInTransaction(platform, pending, input.account.id, addon, input.app, name, input.namespace ?? null)
  })
}

export function detachAttachment(platform: PlatformContext, account: AccountRow, attachment: AttachmentRow): void {
  const {store} = platform
  const addon = findAddonById(store, attachment.addon_id)!
  if (listAddonAttachments(store, addon.id).length === 1) {
    throw invalidParams(`${attachment.name} is the only attachment of ${addon.name}; destroy the add-on instead (heroku addons:destroy ${addon.name}).`)
  }

  commitChange(platform, pending => detachInTransaction(platform, pending, account.id, addon, attachment))
}

export async function changeAddonPlan(platform: PlatformContext, input: {account: AccountRow, addon: AddonRow, plan: CatalogPlan, service: CatalogService}): Promise<AddonRow> {
  const {store} = platform
  if (input.service.provider.service.name !== input.addon.service) {
    throw invalidParams(`${input.plan.name} is a plan of another service; ${input.addon.name} is a ${input.addon.service} add-on.`)
  }

  if (input.addon.state !== 'provisioned') {
    throw invalidParams(`${input.addon.name} is ${input.addon.state}; its plan can change once it is provisioned${input.addon.state === 'provisioning' ? ` (heroku addons:wait ${input.addon.name})` : ''}.`)
  }

  if (input.plan.name === input.addon.plan) return input.addon
  const result = await input.service.provider.changePlan(provisioned(input.addon), input.plan.name)
  return commitChange(platform, pending => {
    const addon = findAddonById(store, input.addon.id)
    if (addon === undefined) throw notFound("Couldn't find that add-on.")
    const newConfig = result.configVars === undefined ? parseConfig(addon.config) : storedConfig({configVars: result.configVars, plainConfigVars: provisioned(addon).plainConfigVars})
    updateAddonPlan(store, addon.id, input.plan.name, newConfig, result.message ?? null)
    const updated = findAddonById(store, addon.id)!
    pending.add('addon.updated', {...billedTo(store, updated), addonId: addon.id, previous: {plan: addon.plan}, userId: input.account.id})
    // every plan change is a release of each app it is attached to (their dynos restart on it)
    for (const attachment of listAddonAttachments(store, addon.id)) {
      releaseAttachment(platform, pending, input.account.id, updated, attachment, `Update ${attachment.name} (@ref:${addon.name}) to ${input.plan.name}`)
    }

    return updated
  })
}

export function renameAddonChecked(platform: PlatformContext, addon: AddonRow, name: string, userId?: string): AddonRow {
  if (name === addon.name) return addon
  const {store} = platform
  return commitChange(platform, pending => {
    assertAddonNameFree(store, name)
    renameAddon(store, addon.id, name)
    pending.add('addon.updated', {...billedTo(store, addon), addonId: addon.id, previous: {name: addon.name}, userId})
    return findAddonById(store, addon.id)!
  })
}

/**
 * Deprovisions the real resource first (after a provisioning under way here has ended); only
 * then forgets the add-on and detaches it everywhere. A failed add-on has nothing to deprovision.
 */
export async function destroyAddon(platform: PlatformContext, account: AccountRow, addon: AddonRow): Promise<AddonRow> {
  const {store} = platform
  await underWay(platform).get(addon.id)?.catch(() => {})
  const current = findAddonById(store, addon.id)
  if (current === undefined) return {...addon, state: 'deprovisioned' as const}
  if (current.state !== 'deprovisioned') {
    const service = platform.catalog.findService(current.service)
    if (service === undefined) throw invalidParams(`The ${current.service} service is no longer offered by this platform, so ${current.name} cannot be deprovisioned.`)
    await service.provider.deprovision(provisioned(current))
  }

  return commitChange(platform, pending => {
    for (const attachment of listAddonAttachments(store, current.id)) detachInTransaction(platform, pending, account.id, current, attachment)
    deleteAddon(store, current.id)
    pending.add('addon.destroyed', {...billedTo(store, current), addon: current, userId: account.id})
    return {...current, state: 'deprovisioned' as const}
  })
}

/** Attachments on `app` of add-ons billed elsewhere; removed with the app (their add-ons live on). */
export function attachmentsOfOtherAddons(store: Store, app: AppRow): AttachmentRow[] {
  return listAppAttachments(store, app.id).filter(t => findAddonById(store, t.addon_id)?.app_id !== app.id)
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => {
    setTimeout(resolve, ms).unref()
  })
}
