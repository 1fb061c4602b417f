import type {Store} from './database.js'

import {isUuid, newId, nowIso} from '../ids.js'

export interface SlugRow {
  app_id: string
  buildpack_provided_description: null | string
  checksum: null | string
  commit_description: null | string
  commit_sha: null | string
  created_at: string
  id: string
  process_types: string
  size: null | number
  updated_at: string
}

export interface NewSlug {
  appId: string
  buildpackProvidedDescription?: null | string
  checksum?: null | string
  commit?: null | string
  commitDescription?: null | string
  /** given when the tarball was written before the record (builds); generated otherwise */
  id?: string
  processTypes: Record<string, string>
}

export function insertSlug(store: Store, input: NewSlug): SlugRow {
  const now = nowIso()
  const id = input.id ?? newId()
  store.run(
    `INSERT INTO slugs (id, app_id, process_types, checksum, commit_sha, commit_description, buildpack_provided_description, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id, input.appId, JSON.stringify(input.processTypes), input.checksum ?? null, input.commit ?? null, input.commitDescription ?? null,
    input.buildpackProvidedDescription ?? null, now, now,
  )
  return findSlug(store, input.appId, id)!
}

export function findSlug(store: Store, appId: string, id: string): SlugRow | undefined {
  if (!isUuid(id)) return undefined
  return store.get<SlugRow>('SELECT * FROM slugs WHERE app_id = ? AND id = ?', appId, id.toLowerCase())
}

export function findSlugById(store: Store, id: string): SlugRow | undefined {
  if (!isUuid(id)) return undefined
  return store.get<SlugRow>('SELECT * FROM slugs WHERE id = ?', id.toLowerCase())
}

export function recordSlugBlob(store: Store, id: string, size: number, checksum: string): void {
  store.run('UPDATE slugs SET size = ?, checksum = ?, updated_at = ? WHERE id = ?', size, checksum, nowIso(), id)
}

export function listSlugIds(store: Store, appId: string): string[] {
  return store.all<{id: string}>('SELECT id FROM slugs WHERE app_id = ?', appId).map(r => r.id)
}
