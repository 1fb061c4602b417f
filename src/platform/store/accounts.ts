import type {Store} from './database.js'

import {newId, nowIso} from '../ids.js'

export interface AccountRow {
  allow_tracking: number
  beta: number
  created_at: string
  email: string
  id: string
  last_login: null | string
  name: null | string
  password_hash: string
  updated_at: string
}

export function findAccountByEmail(store: Store, email: string): AccountRow | undefined {
  return store.get<AccountRow>('SELECT * FROM accounts WHERE email = ?', email)
}

export function findAccountById(store: Store, id: string): AccountRow | undefined {
  return store.get<AccountRow>('SELECT * FROM accounts WHERE id = ?', id)
}

/** The first account made: the platform's owner. */
export function firstAccountEmail(store: Store): string | undefined {
  return store.get<{email: string}>('SELECT email FROM accounts ORDER BY created_at, rowid LIMIT 1')?.email
}

export function countAccounts(store: Store): number {
  return store.get<{n: number}>('SELECT count(*) AS n FROM accounts')?.n ?? 0
}

export function insertAccount(store: Store, input: {email: string, name: null | string, passwordHash: string}): AccountRow {
  const now = nowIso()
  const id = newId()
  store.run(
    'INSERT INTO accounts (id, email, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    id, input.email, input.name, input.passwordHash, now, now,
  )
  return findAccountById(store, id)!
}

export function updateAccount(store: Store, id: string, changes: {allowTracking?: boolean, beta?: boolean, name?: null | string}): void {
  const current = findAccountById(store, id)!
  store.run(
    'UPDATE accounts SET name = ?, allow_tracking = ?, beta = ?, updated_at = ? WHERE id = ?',
    changes.name === undefined ? current.name : changes.name,
    changes.allowTracking === undefined ? current.allow_tracking : Number(changes.allowTracking),
    changes.beta === undefined ? current.beta : Number(changes.beta),
    nowIso(), id,
  )
}

export function recordLogin(store: Store, id: string): void {
  store.run('UPDATE accounts SET last_login = ? WHERE id = ?', nowIso(), id)
}
