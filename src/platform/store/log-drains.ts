import type {Store} from './database.js'

import {isUuid, newId, nowIso} from '../ids.js'

export interface LogDrainRow {
  app_id: string
  created_at: string
  id: string
  token: string
  updated_at: string
  url: string
}

export function insertLogDrain(store: Store, input: {appId: string, url: string}): LogDrainRow {
  const now = nowIso()
  const id = newId()
  store.run('INSERT INTO log_drains (id, app_id, url, token, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', id, input.appId, input.url, `d.${newId()}`, now, now)
  return store.get<LogDrainRow>('SELECT * FROM log_drains WHERE id = ?', id)!
}

export function listLogDrains(store: Store, appId: string): LogDrainRow[] {
  return store.all<LogDrainRow>('SELECT * FROM log_drains WHERE app_id = ? ORDER BY created_at, id', appId)
}

/** By id, URL or token (the schema's query_identity). */
export function findLogDrain(store: Store, appId: string, identity: string): LogDrainRow | undefined {
  if (isUuid(identity)) return store.get<LogDrainRow>('SELECT * FROM log_drains WHERE app_id = ? AND id = ?', appId, identity.toLowerCase())
  return store.get<LogDrainRow>('SELECT * FROM log_drains WHERE app_id = ? AND (url = ? OR token = ?)', appId, identity, identity)
}

export function logDrainUrlTaken(store: Store, appId: string, url: string): boolean {
  return store.get('SELECT 1 FROM log_drains WHERE app_id = ? AND url = ?', appId, url) !== undefined
}

export function deleteLogDrain(store: Store, id: string): void {
  store.run('DELETE FROM log_drains WHERE id = ?', id)
}
