import type {Store} from './database.js'

import {isUuid, newId, nowIso} from '../ids.js'

export interface AppRow {
  /** the current config vars, JSON; releases keep their own snapshot */
  config: string
  created_at: string
  id: string
  maintenance: number
  name: string
  owner_id: string
  released_at: null | string
  updated_at: string
}

export type ConfigVars = Record<string, string>

/**
 * The apps an account may use: those it owns and those it is a collaborator on (store/collaborators.ts).
 * A subquery with two parameters, both the account's id; every account-scoped query uses it.
 */
export const USABLE_APP_IDS = '(SELECT id FROM apps WHERE owner_id = ? UNION SELECT app_id FROM collaborators WHERE account_id = ?)'

const byIdentity = (identity: string): [string, string] => (isUuid(identity) ? ['id', identity.toLowerCase()] : ['name', identity])

/**
 * An app by id or name, only if `accountId` may use it (owner or collaborator): other accounts'
 * apps do not exist for you. What only the owner may do is decided on top (isAppOwner).
 */
export function findUsableApp(store: Store, accountId: string, identity: string): AppRow | undefined {
  const [column, value] = byIdentity(identity)
  return store.get<AppRow>(`SELECT * FROM apps WHERE ${column} = ? AND id IN ${USABLE_APP_IDS}`, value, accountId, accountId)
}

/** Whether the account owns the app (what only the owner may do: destroy, rename, transfer, collaborators). */
export const isAppOwner = (app: AppRow, accountId: string): boolean => app.owner_id === accountId

export function findAppById(store: Store, id: string): AppRow | undefined {
  return store.get<AppRow>('SELECT * FROM apps WHERE id = ?', id)
}

export function appNameTaken(store: Store, name: string): boolean {
  return store.get('SELECT 1 FROM apps WHERE name = ?', name) !== undefined
}

/** The app's name, or undefined when there is no such app. */
export function appName(store: Store, id: string): string | undefined {
  return store.get<{name: string}>('SELECT name FROM apps WHERE id = ?', id)?.name
}

/** The app's current config vars as stored (JSON), or undefined when there is no such app. */
export function appConfigJson(store: Store, id: string): string | undefined {
  return store.get<{config: string}>('SELECT config FROM apps WHERE id = ?', id)?.config
}

/** What the router needs of an app to route a request to it (router/router.ts). */
export type RoutedApp = Pick<AppRow, 'config' | 'id' | 'maintenance' | 'name'>

/** The app a domain (custom or default) belongs to, by its hostname (lower case). */
export function findRoutedAppByHostname(store: Store, hostname: string): RoutedApp | undefined {
  return store.get<RoutedApp>('SELECT a.id, a.name, a.maintenance, a.config FROM domains d JOIN apps a ON a.id = d.app_id WHERE d.hostname = ?', hostname)
}

/** The app by name (APP.localhost when no domain row names it). */
export function findRoutedAppByName(store: Store, name: string): RoutedApp | undefined {
  return store.get<RoutedApp>('SELECT id, name, maintenance, config FROM apps WHERE name = ?', name)
}

/** Every app the account may use (owned or collaborated), by name. */
export function listUsableApps(store: Store, accountId: string): AppRow[] {
  return store.all<AppRow>(`SELECT * FROM apps WHERE id IN ${USABLE_APP_IDS} ORDER BY name`, accountId, accountId)
}

/** Every app's id and name, by name (the dyno supervisor brings each back at start). */
export function countApps(store: Store): number {
  return store.get<{n: number}>('SELECT count(*) AS n FROM apps')?.n ?? 0
}

export function listAllApps(store: Store): {id: string, name: string}[] {
  return store.all<{id: string, name: string}>('SELECT id, name FROM apps ORDER BY name')
}

/** The app's row number: stable while the app lives (a uid of its own is made from it). */
export function appRowNumber(store: Store, id: string): number | undefined {
  return store.get<{n: number}>('SELECT rowid AS n FROM apps WHERE id = ?', id)?.n
}

export function insertApp(store: Store, input: {name: string, ownerId: string}): AppRow {
  const now = nowIso()
  const id = newId()
  store.run('INSERT INTO apps (id, name, owner_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', id, input.name, input.ownerId, now, now)
  return findAppById(store, id)!
}

export function updateApp(store: Store, id: string, changes: {maintenance?: boolean, name?: string}): AppRow {
  const current = findAppById(store, id)!
  store.run(
    'UPDATE apps SET name = ?, maintenance = ?, updated_at = ? WHERE id = ?',
    changes.name ?? current.name,
    changes.maintenance === undefined ? current.maintenance : Number(changes.maintenance),
    nowIso(), id,
  )
  return findAppById(store, id)!
}

export function deleteApp(store: Store, id: string): void {
  store.run('DELETE FROM apps WHERE id = ?', id)
}

export function parseConfig(json: string): ConfigVars {
  return JSON.parse(json) as ConfigVars
}

export function setAppConfig(store: Store, id: string, config: ConfigVars, releasedAt: string): void {
  store.run('UPDATE apps SET config = ?, released_at = ?, updated_at = ? WHERE id = ?', JSON.stringify(config), releasedAt, releasedAt, id)
}
