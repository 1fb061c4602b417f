import type {Store} from './database.js'

import {newId, nowIso} from '../ids.js'
import {type ConfigVars, setAppConfig} from './apps.js'

export interface ReleaseRow {
  addon_plan_names: string
  app_id: string
  config: string
  created_at: string
  description: string
  id: string
  /** what the release command printed */
  output: string
  slug_id: null | string
  status: string
  updated_at: string
  user_id: string
  version: number
}

/** pending: its release command runs (the release phase); succeeded: it ran, or there is none */
export type ReleaseStatus = 'failed' | 'pending' | 'succeeded'

export interface NewRelease {
  appId: string
  /** the complete config of the new release; it also becomes the app's current config */
  config: ConfigVars
  description: string
  slugId: null | string
  /** pending when a release command must run first; default succeeded */
  status?: 'pending' | 'succeeded'
  userId: string
}

/**
 * Records a release and makes its config the app's current config. Callers run this inside
 * the same transaction as the change that caused it, so a change never exists without its release.
 */
export function insertRelease(store: Store, input: NewRelease): ReleaseRow {
  const now = nowIso()
  const id = newId()
  const version = (store.get<{v: null | number}>('SELECT max(version) AS v FROM releases WHERE app_id = ?', input.appId)?.v ?? 0) + 1
  const planNames = store.all<{plan: string}>('SELECT DISTINCT a.plan FROM addons a JOIN addon_attachments t ON t.addon_id = a.id WHERE t.app_id = ? ORDER BY a.plan', input.appId).map(r => r.plan)
  store.run(
    `INSERT INTO releases (id, app_id, version, description, status, slug_id, config, addon_plan_names, user_id, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id, input.appId, version, input.description, input.status ?? 'succeeded', input.slugId, JSON.stringify(input.config), JSON.stringify(planNames), input.userId, now, now,
  )
  setAppConfig(store, input.appId, input.config, now)
  return findReleaseById(store, id)!
}

export function findReleaseById(store: Store, id: string): ReleaseRow | undefined {
  return store.get<ReleaseRow>('SELECT * FROM releases WHERE id = ?', id)
}

export function findRelease(store: Store, appId: string, identity: string): ReleaseRow | undefined {
  if (/^v?\d{1,9}$/.test(identity)) {
    return store.get<ReleaseRow>('SELECT * FROM releases WHERE app_id = ? AND version = ?', appId, Number(identity.replace(/^v/, '')))
  }

  return store.get<ReleaseRow>('SELECT * FROM releases WHERE app_id = ? AND id = ?', appId, identity.toLowerCase())
}

/** The release the app runs: the newest that succeeded (a pending or failed one never runs). */
export function currentRelease(store: Store, appId: string): ReleaseRow | undefined {
  return store.get<ReleaseRow>('SELECT * FROM releases WHERE app_id = ? AND status = \'succeeded\' ORDER BY version DESC LIMIT 1', appId)
}

/** The app's first release of the slug (the one that deployed it), or undefined when none ran it. */
export function firstReleaseOfSlug(store: Store, appId: string, slugId: string): Pick<ReleaseRow, 'description'> | undefined {
  return store.get<Pick<ReleaseRow, 'description'>>('SELECT description FROM releases WHERE app_id = ? AND slug_id = ? ORDER BY version LIMIT 1', appId, slugId)
}

export function listReleases(store: Store, appId: string): ReleaseRow[] {
  return store.all<ReleaseRow>('SELECT * FROM releases WHERE app_id = ? ORDER BY version', appId)
}

/** Ends a release's release phase: its status and what its command printed. */
export function finishReleasePhase(store: Store, id: string, status: 'failed' | 'succeeded', output: string): void {
  store.run('UPDATE releases SET status = ?, output = ?, updated_at = ? WHERE id = ?', status, output, nowIso(), id)
}

/** Releases still pending: their release phase was cut short (the platform stopped). */
export function listPendingReleases(store: Store): ReleaseRow[] {
  return store.all<ReleaseRow>('SELECT * FROM releases WHERE status = \'pending\' ORDER BY created_at')
}
