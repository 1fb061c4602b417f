// Partner add-on providers (addons/partner.ts) as registered, and the config partners send for
// add-ons still provisioning.

import type {Store} from './database.js'

import {nowIso} from '../ids.js'

export interface AddonProviderRow {
  created_at: string
  /** the manifest's id: the service's slug */
  id: string
  /** the manifest as registered (with its api.password), JSON */
  manifest: string
  owner_id: string
  updated_at: string
}

export function insertAddonProvider(store: Store, input: {id: string, manifest: object, ownerId: string}): AddonProviderRow {
  const now = nowIso()
  store.run('INSERT INTO addon_providers (id, owner_id, manifest, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', input.id, input.ownerId, JSON.stringify(input.manifest), now, now)
  return findAddonProvider(store, input.id)!
}

export function updateAddonProviderManifest(store: Store, id: string, manifest: object): AddonProviderRow {
  store.run('UPDATE addon_providers SET manifest = ?, updated_at = ? WHERE id = ?', JSON.stringify(manifest), nowIso(), id)
  return findAddonProvider(store, id)!
}

export function findAddonProvider(store: Store, id: string): AddonProviderRow | undefined {
  return store.get<AddonProviderRow>('SELECT * FROM addon_providers WHERE id = ?', id)
}

export function listAddonProviders(store: Store): AddonProviderRow[] {
  return store.all<AddonProviderRow>('SELECT * FROM addon_providers ORDER BY id')
}

export function deleteAddonProvider(store: Store, id: string): void {
  store.run('DELETE FROM addon_providers WHERE id = ?', id)
}

/** How many add-ons of the service still exist (in any state the store keeps). */
export function countServiceAddons(store: Store, service: string): number {
  return store.get<{n: number}>("SELECT count(*) AS n FROM addons WHERE service = ? AND state != 'deprovisioned'", service)?.n ?? 0
}

/** Config a partner sent while its add-on was provisioning, by suffix. */
export function pendingPartnerConfig(store: Store, addonId: string): Record<string, string> {
  const row = store.get<{config: string}>('SELECT config FROM addon_partner_pending_config WHERE addon_id = ?', addonId)
  return row === undefined ? {} : JSON.parse(row.config) as Record<string, string>
}

export function setPendingPartnerConfig(store: Store, addonId: string, config: Record<string, string>): void {
  store.run(
    'INSERT INTO addon_partner_pending_config (addon_id, config) VALUES (?, ?) ON CONFLICT (addon_id) DO UPDATE SET config = excluded.config',
    addonId, JSON.stringify(config),
  )
}

export function clearPendingPartnerConfig(store: Store, addonId: string): void {
  store.run('DELETE FROM addon_partner_pending_config WHERE addon_id = ?', addonId)
}
