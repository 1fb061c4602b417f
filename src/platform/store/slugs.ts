import {isUuid, newId, nowIso} from '../ids.js'
import type {Store} from './database.js'

export interface SlugRow {
  id: string
  app_id: string
  process_types: string
  checksum: string | null
  commit_sha: string | null
  commit_description: string | null
  buildpack_provided_description: string | null
  size: number | null
  created_at: string
  updated_at: string
}

export interface NewSlug {
  /** given when the tarball was written before the record (builds); generated otherwise */
  id?: string
  appId: string
  processTypes: Record<string, string>
  checksum?: string | null
  commit?: string | null
  commitDescription?: string | null
  buildpackProvidedDescription?: string | null
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
