import type {Store} from './database.js'

import {isUuid, newId, nowIso} from '../ids.js'

export interface DomainRow {
  app_id: string
  created_at: string
  hostname: string
  id: string
  kind: 'custom' | 'heroku'
  /** the SNI endpoint whose certificate the router serves for it (store/sni-endpoints.ts) */
  sni_endpoint_id?: null | string
  updated_at: string
}

export function insertDomain(store: Store, input: {appId: string, hostname: string, kind: DomainRow['kind']}): DomainRow {
  const now = nowIso()
  const id = newId()
  store.run('INSERT INTO domains (id, app_id, hostname, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', id, input.appId, input.hostname, input.kind, now, now)
  return store.get<DomainRow>('SELECT * FROM domains WHERE id = ?', id)!
}

export function hostnameTaken(store: Store, hostname: string): boolean {
  return store.get('SELECT 1 FROM domains WHERE hostname = ?', hostname) !== undefined
}

export function findDomain(store: Store, appId: string, identity: string): DomainRow | undefined {
  return isUuid(identity)
    ? store.get<DomainRow>('SELECT * FROM domains WHERE app_id = ? AND id = ?', appId, identity.toLowerCase())
    : store.get<DomainRow>('SELECT * FROM domains WHERE app_id = ? AND hostname = ?', appId, identity)
}

export function listDomains(store: Store, appId: string): DomainRow[] {
  return store.all<DomainRow>('SELECT * FROM domains WHERE app_id = ?', appId)
}

export function deleteDomain(store: Store, id: string): void {
  store.run('DELETE FROM domains WHERE id = ?', id)
}

/** The default `APP.localhost` domain follows the app's name. */
export function renameDefaultDomain(store: Store, appId: string, hostname: string): void {
  store.run("UPDATE domains SET hostname = ?, updated_at = ? WHERE app_id = ? AND kind = 'heroku'", hostname, nowIso(), appId)
}
