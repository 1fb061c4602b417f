// Add-on operations that span a provider (real resources) and the store (records, config,
// releases). Provider work happens outside the transaction; if the transaction then fails,
// the provider's work is undone, so no add-on exists half-way.
import type {PlatformContext} from '../api/context.js'
import {commitChange, type PendingEvents, releaseApp} from '../changes.js'
import {assertConfigFits} from '../config-limits.js'
import {invalidParams, notFound} from '../http/errors.js'
import {newId} from '../ids.js'
import {ADDON_NAME, ATTACHMENT_COLORS, ATTACHMENT_NAME, generateAddonName} from '../names.js'
import type {AccountRow} from '../store/accounts.js'
import {type AppRow, findAppById, parseConfig} from '../store/apps.js'
import {
  type AddonRow, addonNameTaken, type AttachmentRow, attachmentNameTaken, deleteAddon, deleteAttachment, findAddonById,
  insertAddon, insertAttachment, listAddonAttachments, listAppAttachments, renameAddon, updateAddonPlan,
} from '../store/addons.js'
import type {Store} from '../store/database.js'
import type {CatalogPlan, CatalogService} from './catalog.js'
import type {AddonServiceDefinition, ProvisionedAddon} from './provider.js'

/** The config vars an attachment puts in its app: the add-on's vars prefixed by the attachment name. */
export function attachmentConfigVars(addon: AddonRow, attachmentName: string): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const [suffix, value] of Object.entries(parseConfig(addon.config))) vars[`${attachmentName}_${suffix}`] = value
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

/** Adds the attachment's vars to its app and releases it, inside the caller's transaction. */
function attachInTransaction(store: Store, pending: PendingEvents, account: AccountRow, addon: AddonRow, app: AppRow, name: string, namespace: string | null): AttachmentRow {
  if (attachmentNameTaken(store, app.id, name)) throw invalidParams(`Attachment name ${name} is already used on ${app.name}.`)
  const attachment = insertAttachment(store, {addonId: addon.id, appId: app.id, name, namespace})
  const current = findAppById(store, app.id)!
  const config = {...parseConfig(current.config), ...attachmentConfigVars(addon, name)}
  assertConfigFits(config)
  releaseApp(store, pending, current, {userId: account.id, description: `Attach ${name} (@ref:${addon.name})`, config})
  return attachment
}

function detachInTransaction(store: Store, pending: PendingEvents, account: AccountRow, addon: AddonRow, attachment: AttachmentRow): void {
  const app = findAppById(store, attachment.app_id)!
  const config = parseConfig(app.config)
  for (const key of Object.keys(attachmentConfigVars(addon, attachment.name))) delete config[key]
  deleteAttachment(store, attachment.id)
  releaseApp(store, pending, app, {userId: account.id, description: `Detach ${attachment.name} (@ref:${addon.name})`, config})
}

const provisioned = (addon: AddonRow): ProvisionedAddon => ({
  addonId: addon.id, addonName: addon.name, providerId: addon.provider_id, plan: addon.plan, configVars: parseConfig(addon.config),
})

export interface CreateAddonInput {
  account: AccountRow
  app: AppRow
  service: CatalogService
  plan: CatalogPlan
  name?: string
  attachmentName?: string
  options: Record<string, string>
}

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
  const addonId = newId()
  const name = input.name ?? generateAddonName(provider.service.name, n => addonNameTaken(store, n))
  const result = await provider.provision({addonId, addonName: name, appName: input.app.name, plan: input.plan.name, options: input.options})
  try {
    return commitChange(platform, pending => {
      if (findAppById(store, input.app.id) === undefined) throw notFound("Couldn't find that app.")
      assertAddonNameFree(store, name)
      const addon = insertAddon(store, {
        id: addonId, name, appId: input.app.id, service: provider.service.name, plan: input.plan.name, providerId: result.providerId,
        config: result.configVars, provisionMessage: result.message ?? null, webUrl: result.webUrl ?? null,
      })
      attachInTransaction(store, pending, input.account, addon, input.app, attachmentName ?? defaultAttachmentName(store, input.app.id, provider.service), null)
      return addon
    })
  } catch (error) {
    await provider.deprovision({addonId, addonName: name, providerId: result.providerId, plan: input.plan.name, configVars: result.configVars})
      .catch(cleanupError => platform.log(`could not undo provisioning of ${name}: ${(cleanupError as Error).message}`))
    throw error
  }
}

export function attachAddon(platform: PlatformContext, input: {account: AccountRow, addon: AddonRow, app: AppRow, name?: string, namespace?: string | null}): AttachmentRow {
  const {store} = platform
  const service = platform.catalog.findService(input.addon.service)
  if (service === undefined) throw invalidParams(`The ${input.addon.service} service is no longer offered by this platform.`)
  return commitChange(platform, pending => {
    const name = input.name === undefined ? defaultAttachmentName(store, input.app.id, service.provider.service) : normalizeAttachmentName(input.name)
    return attachInTransaction(store, pending, input.account, input.addon, input.app, name, input.namespace ?? null)
  })
}

export function detachAttachment(platform: PlatformContext, account: AccountRow, attachment: AttachmentRow): void {
  const {store} = platform
  const addon = findAddonById(store, attachment.addon_id)!
  if (listAddonAttachments(store, addon.id).length === 1) {
    throw invalidParams(`${attachment.name} is the only attachment of ${addon.name}; destroy the add-on instead (heroku addons:destroy ${addon.name}).`)
  }
  commitChange(platform, pending => detachInTransaction(store, pending, account, addon, attachment))
}

export async function changeAddonPlan(platform: PlatformContext, input: {account: AccountRow, addon: AddonRow, plan: CatalogPlan, service: CatalogService}): Promise<AddonRow> {
  const {store} = platform
  if (input.service.provider.service.name !== input.addon.service) {
    throw invalidParams(`${input.plan.name} is a plan of another service; ${input.addon.name} is a ${input.addon.service} add-on.`)
  }
  if (input.plan.name === input.addon.plan) return input.addon
  const result = await input.service.provider.changePlan(provisioned(input.addon), input.plan.name)
  return commitChange(platform, pending => {
    const addon = findAddonById(store, input.addon.id)
    if (addon === undefined) throw notFound("Couldn't find that add-on.")
    const newConfig = result.configVars ?? parseConfig(addon.config)
    updateAddonPlan(store, addon.id, input.plan.name, newConfig, result.message ?? null)
    const updated = findAddonById(store, addon.id)!
    if (result.configVars !== undefined) {
      for (const attachment of listAddonAttachments(store, addon.id)) {
        const app = findAppById(store, attachment.app_id)!
        const config = {...parseConfig(app.config), ...attachmentConfigVars(updated, attachment.name)}
        assertConfigFits(config)
        releaseApp(store, pending, app, {userId: input.account.id, description: `Update ${attachment.name} (@ref:${addon.name}) to ${input.plan.name}`, config})
      }
    }
    return updated
  })
}

export function renameAddonChecked(platform: PlatformContext, addon: AddonRow, name: string): AddonRow {
  if (name === addon.name) return addon
  const {store} = platform
  return store.transaction(() => {
    assertAddonNameFree(store, name)
    renameAddon(store, addon.id, name)
    return findAddonById(store, addon.id)!
  })
}

/** Deprovisions the real resource first; only then forgets the add-on and detaches it everywhere. */
export async function destroyAddon(platform: PlatformContext, account: AccountRow, addon: AddonRow): Promise<AddonRow> {
  const {store} = platform
  const service = platform.catalog.findService(addon.service)
  if (service === undefined) throw invalidParams(`The ${addon.service} service is no longer offered by this platform, so ${addon.name} cannot be deprovisioned.`)
  await service.provider.deprovision(provisioned(addon))
  return commitChange(platform, pending => {
    for (const attachment of listAddonAttachments(store, addon.id)) detachInTransaction(store, pending, account, addon, attachment)
    deleteAddon(store, addon.id)
    return {...addon, state: 'deprovisioned' as const}
  })
}

/** Attachments on `app` of add-ons billed elsewhere; removed with the app (their add-ons live on). */
export function attachmentsOfOtherAddons(store: Store, app: AppRow): AttachmentRow[] {
  return listAppAttachments(store, app.id).filter(t => findAddonById(store, t.addon_id)?.app_id !== app.id)
}
