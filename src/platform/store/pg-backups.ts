// heroku-postgresql backups and restores (addons/pg-backups.ts): one row per transfer. Backups are
// numbered per app (b001, b002 … as Heroku names them), restores likewise (r001 …); the dump
// itself is a file under DATA/addons/heroku-postgresql/backups/<addonId>/.

import type {Store} from './database.js'

import {isUuid, newId, nowIso} from '../ids.js'

export type PgTransferKind = 'backup' | 'restore'
export type PgTransferStatus = 'failed' | 'pending' | 'running' | 'succeeded'

export interface PgTransferRow {
  /** the add-on dumped (backup) or restored into (restore) */
  addon_id: string
  app_id: string
  created_at: string
  error: null | string
  finished_at: null | string
  id: string
  kind: PgTransferKind
  num: number
  size_bytes: null | number
  /** a restore's backup */
  source_id: null | string
  started_at: null | string
  status: PgTransferStatus
  updated_at: string
}

export const transferName = (row: Pick<PgTransferRow, 'kind' | 'num'>): string => `${row.kind === 'backup' ? 'b' : 'r'}${String(row.num).padStart(3, '0')}`

export function insertTransfer(store: Store, input: {addonId: string, appId: string, kind: PgTransferKind, sourceId?: string}): PgTransferRow {
  const id = newId()
  const now = nowIso()
  const {num} = store.get<{num: number}>('SELECT coalesce(max(num), 0) + 1 AS num FROM pg_transfers WHERE app_id = ? AND kind = ?', input.appId, input.kind)!
  store.run(
    `INSERT INTO pg_transfers (id, app_id, addon_id, kind, num, source_id, status, size_bytes, error, created_at, started_at, finished_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', NULL, NULL, ?, NULL, NULL, ?)`,
    id, input.appId, input.addonId, input.kind, num, input.sourceId ?? null, now, now,
  )
  return findTransferById(store, id)!
}

export function findTransferById(store: Store, id: string): PgTransferRow | undefined {
  return store.get<PgTransferRow>('SELECT * FROM pg_transfers WHERE id = ?', id)
}

/** By id or by name (b001, r002) among the app's transfers. */
export function findAppTransfer(store: Store, appId: string, identity: string): PgTransferRow | undefined {
  if (isUuid(identity)) return store.get<PgTransferRow>('SELECT * FROM pg_transfers WHERE app_id = ? AND id = ?', appId, identity.toLowerCase())
  const match = /^([br])0*(\d+)$/i.exec(identity)
  if (match === null) return undefined
  return store.get<PgTransferRow>('SELECT * FROM pg_transfers WHERE app_id = ? AND kind = ? AND num = ?', appId, match[1].toLowerCase() === 'b' ? 'backup' : 'restore', Number(match[2]))
}

/** An add-on's transfers of one kind, newest first. */
export function listAddonTransfers(store: Store, addonId: string, kind: PgTransferKind): PgTransferRow[] {
  return store.all<PgTransferRow>('SELECT * FROM pg_transfers WHERE addon_id = ? AND kind = ? ORDER BY num DESC', addonId, kind)
}

export function listUnfinishedTransfers(store: Store, addonId: string): PgTransferRow[] {
  return store.all<PgTransferRow>('SELECT * FROM pg_transfers WHERE addon_id = ? AND status IN (\'pending\', \'running\')', addonId)
}

/** A restore from this backup that runs now (its file must stay until it ends). */
export function findUnfinishedRestoreOf(store: Store, backupId: string): PgTransferRow | undefined {
  return store.get<PgTransferRow>('SELECT * FROM pg_transfers WHERE kind = \'restore\' AND source_id = ? AND status IN (\'pending\', \'running\')', backupId)
}

export function markTransferRunning(store: Store, id: string): void {
  const now = nowIso()
  store.run('UPDATE pg_transfers SET status = \'running\', started_at = ?, updated_at = ? WHERE id = ?', now, now, id)
}

export function finishTransfer(store: Store, id: string, outcome: {error?: null | string, sizeBytes?: null | number, status: 'failed' | 'succeeded'}): void {
  const now = nowIso()
  store.run(
    'UPDATE pg_transfers SET status = ?, size_bytes = coalesce(?, size_bytes), error = ?, finished_at = ?, updated_at = ? WHERE id = ?',
    outcome.status, outcome.sizeBytes ?? null, outcome.error ?? null, now, now, id,
  )
}

export function deleteTransfer(store: Store, id: string): void {
  store.run('DELETE FROM pg_transfers WHERE id = ?', id)
}
