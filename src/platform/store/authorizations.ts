import type {Store} from './database.js'

import {newId, nowIso} from '../ids.js'

export interface AuthorizationRow {
  account_id: string
  created_at: string
  description: string
  expires_at: null | string
  id: string
  scope: string
  token_hash: string
  token_id: string
  updated_at: string
}

export function insertAuthorization(
  store: Store,
  input: {accountId: string, description: string, expiresAt: null | string, scope: string[], tokenHash: string},
): AuthorizationRow {
  const now = nowIso()
  const id = newId()
  store.run(
    `INSERT INTO oauth_authorizations (id, account_id, token_id, token_hash, description, scope, expires_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id, input.accountId, newId(), input.tokenHash, input.description, JSON.stringify(input.scope), input.expiresAt, now, now,
  )
  return store.get<AuthorizationRow>('SELECT * FROM oauth_authorizations WHERE id = ?', id)!
}

export function findAuthorizationByTokenHash(store: Store, tokenHash: string): AuthorizationRow | undefined {
  return store.get<AuthorizationRow>('SELECT * FROM oauth_authorizations WHERE token_hash = ?', tokenHash)
}

export function findAuthorization(store: Store, accountId: string, id: string): AuthorizationRow | undefined {
  return store.get<AuthorizationRow>('SELECT * FROM oauth_authorizations WHERE id = ? AND account_id = ?', id, accountId)
}

export function listAuthorizations(store: Store, accountId: string): AuthorizationRow[] {
  return store.all<AuthorizationRow>('SELECT * FROM oauth_authorizations WHERE account_id = ?', accountId)
}

export function deleteAuthorization(store: Store, id: string): void {
  store.run('DELETE FROM oauth_authorizations WHERE id = ?', id)
}

/** A new token for an existing authorization: the old one stops working at once. */
export function replaceAuthorizationToken(store: Store, id: string, tokenHash: string): AuthorizationRow {
  store.run('UPDATE oauth_authorizations SET token_hash = ?, token_id = ?, updated_at = ? WHERE id = ?', tokenHash, newId(), nowIso(), id)
  return store.get<AuthorizationRow>('SELECT * FROM oauth_authorizations WHERE id = ?', id)!
}
