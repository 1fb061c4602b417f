import type {Store} from './database.js'

import {newId, nowIso} from '../ids.js'

export interface LogSessionRow {
  app_id: string
  created_at: string
  expires_at: string
  id: string
  options: string
  secret_hash: string
}

export interface LogSessionOptions {
  dyno: null | string
  lines: number
  source: null | string
  tail: boolean
}

/** How long a log-session URL may be used, as on Heroku. */
export const LOG_SESSION_TTL_MS = 60 * 60 * 1000

export function insertLogSession(store: Store, input: {appId: string, options: LogSessionOptions, secretHash: string}): LogSessionRow {
  const id = newId()
  const now = new Date()
  store.run(
    'INSERT INTO log_sessions (id, app_id, secret_hash, options, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    id, input.appId, input.secretHash, JSON.stringify(input.options), new Date(now.getTime() + LOG_SESSION_TTL_MS).toISOString(), nowIso(),
  )
  return store.get<LogSessionRow>('SELECT * FROM log_sessions WHERE id = ?', id)!
}

export function findLiveLogSession(store: Store, secretHash: string): LogSessionRow | undefined {
  return store.get<LogSessionRow>('SELECT * FROM log_sessions WHERE secret_hash = ? AND expires_at > ?', secretHash, new Date().toISOString())
}
