import type {Store} from './database.js'

import {isUuid, newId, nowIso} from '../ids.js'

export interface BuildRow {
  app_id: string
  buildpacks: null | string
  created_at: string
  id: string
  output: string
  release_id: null | string
  slug_id: null | string
  source_blob: string
  status: 'failed' | 'pending' | 'succeeded'
  updated_at: string
  user_id: string
}

export interface SourceBlob {
  checksum: null | string
  url: string
  version: null | string
  version_description: null | string
}

export function insertBuild(
  store: Store,
  input: {appId: string, buildpacks: null | {name?: string, url?: string}[], sourceBlob: SourceBlob, userId: string},
): BuildRow {
  const now = nowIso()
  const id = newId()
  store.run(
    `INSERT INTO builds (id, app_id, user_id, status, source_blob, buildpacks, created_at, updated_at)
     VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)`,
    id, input.appId, input.userId, JSON.stringify(input.sourceBlob), input.buildpacks === null ? null : JSON.stringify(input.buildpacks),
    now, now,
  )
  return findBuild(store, input.appId, id)!
}

export function findBuild(store: Store, appId: string, id: string): BuildRow | undefined {
  if (!isUuid(id)) return undefined
  return store.get<BuildRow>('SELECT * FROM builds WHERE app_id = ? AND id = ?', appId, id.toLowerCase())
}

export function listBuilds(store: Store, appId: string): BuildRow[] {
  return store.all<BuildRow>('SELECT * FROM builds WHERE app_id = ?', appId)
}

export function findBuildById(store: Store, id: string): BuildRow | undefined {
  if (!isUuid(id)) return undefined
  return store.get<BuildRow>('SELECT * FROM builds WHERE id = ?', id.toLowerCase())
}

/** The end of a build: its status, what it produced and its complete output. */
export function finishBuild(
  store: Store,
  id: string,
  result: {buildpacks?: null | {name: string, url: string}[], output: string, releaseId?: null | string, slugId?: null | string, status: 'failed' | 'succeeded'},
): void {
  store.run(
    `UPDATE builds SET status = ?, output = ?, slug_id = COALESCE(?, slug_id), release_id = COALESCE(?, release_id),
       buildpacks = COALESCE(?, buildpacks), updated_at = ? WHERE id = ?`,
    result.status, result.output, result.slugId ?? null, result.releaseId ?? null,
    result.buildpacks ? JSON.stringify(result.buildpacks) : null, nowIso(), id,
  )
}

export function setBuildOutput(store: Store, id: string, output: string): void {
  store.run('UPDATE builds SET output = ?, updated_at = ? WHERE id = ?', output, nowIso(), id)
}

/** Builds left pending by a platform that stopped mid-build: they will never finish. */
export function failInterruptedBuilds(store: Store, ids: readonly string[], note: string): void {
  for (const id of ids) {
    store.run('UPDATE builds SET status = \'failed\', output = output || ?, updated_at = ? WHERE id = ? AND status = \'pending\'', note, nowIso(), id)
  }
}

export function listPendingBuilds(store: Store): BuildRow[] {
  return store.all<BuildRow>('SELECT * FROM builds WHERE status = \'pending\'')
}
