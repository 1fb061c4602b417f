import type {Store} from './database.js'

import {isUuid, newId, nowIso} from '../ids.js'
import {USABLE_APP_IDS} from './apps.js'

export interface AddonRow {
  /** the billing app */
  app_id: string
  /** the provider's config, keyed by suffix (URL, …), JSON */
  config: string
  created_at: string
  id: string
  name: string
  /** "service:plan" */
  plan: string
  provider_id: string
  provision_message: null | string
  /** what addons:create passed to the provider, JSON */
  provision_options: string
  service: string
  state: 'deprovisioned' | 'provisioned' | 'provisioning'
  updated_at: string
  web_url: null | string
}

export interface AttachmentRow {
  addon_id: string
  app_id: string
  created_at: string
  id: string
  name: string
  namespace: null | string
  updated_at: string
}

export interface NewAddon {
  appId: string
  id: string
  name: string
  options: Record<string, string>
  plan: string
  service: string
}

/** A new add-on, `provisioning`: no provider handle and no config until its provider is done. */
export function insertAddon(store: Store, input: NewAddon): AddonRow {
  const now = nowIso()
  store.run(
    `INSERT INTO addons (id, name, app_id, service, plan, provider_id, state, config, provision_message, web_url, provision_options, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, '', 'provisioning', '{}', NULL, NULL, ?, ?, ?)`,
    input.id, input.name, input.appId, input.service, input.plan, JSON.stringify(input.options), now, now,
  )
  return findAddonById(store, input.id)!
}

/** The provider answered but is not done (async provisioning): its handle, still `provisioning`. */
export function setAddonProviderId(store: Store, id: string, providerId: string, message: null | string): void {
  store.run('UPDATE addons SET provider_id = ?, provision_message = coalesce(?, provision_message), updated_at = ? WHERE id = ?', providerId, message, nowIso(), id)
}

export function markAddonProvisioned(store: Store, id: string, input: {config: Record<string, string>, message: null | string, providerId: string, webUrl: null | string}): void {
  store.run(
    'UPDATE addons SET state = \'provisioned\', provider_id = ?, config = ?, provision_message = coalesce(?, provision_message), web_url = ?, updated_at = ? WHERE id = ?',
    input.providerId, JSON.stringify(input.config), input.message, input.webUrl, nowIso(), id,
  )
}

/** Provisioning failed: the add-on stays, deprovisioned, with the reason and no config. */
export function markAddonFailed(store: Store, id: string, reason: string): void {
  store.run('UPDATE addons SET state = \'deprovisioned\', config = \'{}\', provision_message = ?, updated_at = ? WHERE id = ?', reason, nowIso(), id)
}

/** Add-ons of a service in the given states, oldest first. */
export function listServiceAddons(store: Store, service: string, states: readonly AddonRow['state'][]): AddonRow[] {
  return store.all<AddonRow>(`SELECT * FROM addons WHERE service = ? AND state IN (${states.map(() => '?').join(', ')}) ORDER BY created_at, id`, service, ...states)
}

/** Every add-on some provider is still making, across services. */
export function listProvisioningAddons(store: Store): AddonRow[] {
  return store.all<AddonRow>('SELECT * FROM addons WHERE state = \'provisioning\' ORDER BY created_at, id')
}

export function findAddonById(store: Store, id: string): AddonRow | undefined {
  return store.get<AddonRow>('SELECT * FROM addons WHERE id = ?', id)
}

/** An add-on by name, whoever's it is (callers scope it: a provider to its own add-ons). */
export function findAddonByName(store: Store, name: string): AddonRow | undefined {
  return store.get<AddonRow>('SELECT * FROM addons WHERE name = ?', name)
}

export function addonNameTaken(store: Store, name: string): boolean {
  return store.get('SELECT 1 FROM addons WHERE name = ?', name) !== undefined
}

/** Add-ons an account can see: those billed to apps it may use (owner or collaborator) or attached to one of them. */
export function findVisibleAddon(store: Store, accountId: string, identity: string): AddonRow | undefined {
  const column = isUuid(identity) ? 'a.id' : 'a.name'
  return store.get<AddonRow>(
    `SELECT a.* FROM addons a WHERE ${column} = ? AND (
       a.app_id IN ${USABLE_APP_IDS}
       OR a.id IN (SELECT t.addon_id FROM addon_attachments t WHERE t.app_id IN ${USABLE_APP_IDS}))`,
    isUuid(identity) ? identity.toLowerCase() : identity, accountId, accountId, accountId, accountId,
  )
}

export function listAccountAddons(store: Store, accountId: string): AddonRow[] {
  return store.all<AddonRow>(`SELECT a.* FROM addons a WHERE a.app_id IN ${USABLE_APP_IDS}`, accountId, accountId)
}

/** Add-ons attached to an app (Heroku lists those, including ones billed elsewhere). */
export function listAppAddons(store: Store, appId: string): AddonRow[] {
  return store.all<AddonRow>('SELECT DISTINCT a.* FROM addons a LEFT JOIN addon_attachments t ON t.addon_id = a.id WHERE a.app_id = ? OR t.app_id = ?', appId, appId)
}

export function updateAddonPlan(store: Store, id: string, plan: string, config: Record<string, string>, message: null | string): void {
  store.run('UPDATE addons SET plan = ?, config = ?, provision_message = coalesce(?, provision_message), updated_at = ? WHERE id = ?', plan, JSON.stringify(config), message, nowIso(), id)
}

export function renameAddon(store: Store, id: string, name: string): void {
  store.run('UPDATE addons SET name = ?, updated_at = ? WHERE id = ?', name, nowIso(), id)
}

export function deleteAddon(store: Store, id: string): void {
  store.run('DELETE FROM addons WHERE id = ?', id)
}

export function insertAttachment(store: Store, input: {addonId: string, appId: string, name: string, namespace: null | string}): AttachmentRow {
  const now = nowIso()
  const id = newId()
  store.run(
    'INSERT INTO addon_attachments (id, addon_id, app_id, name, namespace, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    id, input.addonId, input.appId, input.name, input.namespace, now, now,
  )
  return store.get<AttachmentRow>('SELECT * FROM addon_attachments WHERE id = ?', id)!
}

export function attachmentNameTaken(store: Store, appId: string, name: string): boolean {
  return store.get('SELECT 1 FROM addon_attachments WHERE app_id = ? AND name = ?', appId, name) !== undefined
}

export function findVisibleAttachment(store: Store, accountId: string, id: string): AttachmentRow | undefined {
  if (!isUuid(id)) return undefined
  return store.get<AttachmentRow>(`SELECT t.* FROM addon_attachments t WHERE t.id = ? AND t.app_id IN ${USABLE_APP_IDS}`, id.toLowerCase(), accountId, accountId)
}

export function findAppAttachment(store: Store, appId: string, identity: string): AttachmentRow | undefined {
  return isUuid(identity)
    ? store.get<AttachmentRow>('SELECT * FROM addon_attachments WHERE app_id = ? AND id = ?', appId, identity.toLowerCase())
    : store.get<AttachmentRow>('SELECT * FROM addon_attachments WHERE app_id = ? AND name = ?', appId, identity)
}

export function listAccountAttachments(store: Store, accountId: string): AttachmentRow[] {
  return store.all<AttachmentRow>(`SELECT t.* FROM addon_attachments t WHERE t.app_id IN ${USABLE_APP_IDS}`, accountId, accountId)
}

export function listAppAttachments(store: Store, appId: string): AttachmentRow[] {
  return store.all<AttachmentRow>('SELECT * FROM addon_attachments WHERE app_id = ?', appId)
}

export function listAddonAttachments(store: Store, addonId: string): AttachmentRow[] {
  return store.all<AttachmentRow>('SELECT * FROM addon_attachments WHERE addon_id = ?', addonId)
}

export function deleteAttachment(store: Store, id: string): void {
  store.run('DELETE FROM addon_attachments WHERE id = ?', id)
}
