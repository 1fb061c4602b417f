import {newId, nowIso} from '../ids.js'
import type {Store} from './database.js'

export interface LogSessionRow {
  id: string
  app_id: string
  secret_hash: string
  options: string
  expires_at: string
  created_at: string
}

export interface LogSessionOptions {
  dyno: string | null
  source: string | null
  lines: number
  tail: boolean
}

/** How long a log-session URL may be used, as on Heroku. */
export const LOG_SESSION_TTL_MS = 60 * 60 * 1000

export function insertLogSession(store: Store, input: {appId: string, secretHash: string, options: LogSessionOptions}): LogSessionRow {
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
