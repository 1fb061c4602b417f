// Collaborators (accounts other than the owner that may use an app) and app transfers (an
// owner's offer of an app to another account). Which apps an account may use at all is
// apps.ts's USABLE_APP_IDS, built on the collaborators table.

import type {Store} from './database.js'

import {isUuid, newId, nowIso} from '../ids.js'

export interface CollaboratorRow {
  account_id: string
  app_id: string
  created_at: string
  /** joined from accounts */
  email: string
  id: string
  updated_at: string
}

const COLLABORATOR = 'SELECT c.*, a.email FROM collaborators c JOIN accounts a ON a.id = c.account_id'

export function listCollaborators(store: Store, appId: string): CollaboratorRow[] {
  return store.all<CollaboratorRow>(`${COLLABORATOR} WHERE c.app_id = ? ORDER BY a.email`, appId)
}

/** By the collaborator's email, the collaborator's id or the collaborated account's id. */
export function findCollaborator(store: Store, appId: string, identity: string): CollaboratorRow | undefined {
  return isUuid(identity)
    ? store.get<CollaboratorRow>(`${COLLABORATOR} WHERE c.app_id = ? AND (c.id = ? OR c.account_id = ?)`, appId, identity.toLowerCase(), identity.toLowerCase())
    : store.get<CollaboratorRow>(`${COLLABORATOR} WHERE c.app_id = ? AND a.email = ? COLLATE NOCASE`, appId, identity)
}

export function isCollaborator(store: Store, appId: string, accountId: string): boolean {
  return store.get('SELECT 1 FROM collaborators WHERE app_id = ? AND account_id = ?', appId, accountId) !== undefined
}

export function insertCollaborator(store: Store, input: {accountId: string, appId: string}): CollaboratorRow {
  const now = nowIso()
  const id = newId()
  store.run('INSERT INTO collaborators (id, app_id, account_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', id, input.appId, input.accountId, now, now)
  return store.get<CollaboratorRow>(`${COLLABORATOR} WHERE c.id = ?`, id)!
}

export function deleteCollaborator(store: Store, id: string): void {
  store.run('DELETE FROM collaborators WHERE id = ?', id)
}

export type TransferState = 'accepted' | 'declined' | 'pending'

export interface AppTransferRow {
  app_id: string
  created_at: string
  id: string
  owner_id: string
  recipient_id: string
  state: TransferState
  updated_at: string
}

/** Transfers the account made or was offered, newest first. */
export function listAccountTransfers(store: Store, accountId: string): AppTransferRow[] {
  return store.all<AppTransferRow>('SELECT * FROM app_transfers WHERE owner_id = ? OR recipient_id = ? ORDER BY created_at DESC, id', accountId, accountId)
}

/** By id, or by app name (its pending transfer, else its latest one), among the account's transfers. */
export function findAccountTransfer(store: Store, accountId: string, identity: string): AppTransferRow | undefined {
  if (isUuid(identity)) {
    return store.get<AppTransferRow>('SELECT * FROM app_transfers WHERE id = ? AND (owner_id = ? OR recipient_id = ?)', identity.toLowerCase(), accountId, accountId)
  }

  return store.get<AppTransferRow>(
    `SELECT t.* FROM app_transfers t JOIN apps p ON p.id = t.app_id WHERE p.name = ? AND (t.owner_id = ? OR t.recipient_id = ?)
     ORDER BY t.state = 'pending' DESC, t.created_at DESC LIMIT 1`,
    identity, accountId, accountId,
  )
}

export function findPendingTransfer(store: Store, appId: string): AppTransferRow | undefined {
  return store.get<AppTransferRow>('SELECT * FROM app_transfers WHERE app_id = ? AND state = \'pending\'', appId)
}

export function insertTransfer(store: Store, input: {appId: string, ownerId: string, recipientId: string}): AppTransferRow {
  const now = nowIso()
  const id = newId()
  store.run(
    'INSERT INTO app_transfers (id, app_id, owner_id, recipient_id, state, created_at, updated_at) VALUES (?, ?, ?, ?, \'pending\', ?, ?)',
    id, input.appId, input.ownerId, input.recipientId, now, now,
  )
  return store.get<AppTransferRow>('SELECT * FROM app_transfers WHERE id = ?', id)!
}

export function setTransferState(store: Store, id: string, state: TransferState): AppTransferRow {
  store.run('UPDATE app_transfers SET state = ?, updated_at = ? WHERE id = ?', state, nowIso(), id)
  return store.get<AppTransferRow>('SELECT * FROM app_transfers WHERE id = ?', id)!
}

export function deleteTransfer(store: Store, id: string): void {
  store.run('DELETE FROM app_transfers WHERE id = ?', id)
}

/**
 * The app changes hands: the recipient owns it, stops being a collaborator, and the previous
 * owner becomes one (as on Heroku). Inside the caller's transaction.
 */
export function changeAppOwner(store: Store, appId: string, previousOwnerId: string, recipientId: string): void {
  const now = nowIso()
  store.run('UPDATE apps SET owner_id = ?, updated_at = ? WHERE id = ?', recipientId, now, appId)
  store.run('DELETE FROM collaborators WHERE app_id = ? AND account_id = ?', appId, recipientId)
  store.run('INSERT OR IGNORE INTO collaborators (id, app_id, account_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', newId(), appId, previousOwnerId, now, now)
}
