import type {Store} from './database.js'

import {isUuid, newId, nowIso} from '../ids.js'

export interface FormationRow {
  app_id: string
  command: string
  created_at: string
  id: string
  quantity: number
  size: string
  type: string
  updated_at: string
}

export const DEFAULT_DYNO_SIZE = 'basic'

export function listFormations(store: Store, appId: string): FormationRow[] {
  return store.all<FormationRow>('SELECT * FROM formations WHERE app_id = ? ORDER BY type', appId)
}

export function findFormation(store: Store, appId: string, identity: string): FormationRow | undefined {
  return isUuid(identity)
    ? store.get<FormationRow>('SELECT * FROM formations WHERE app_id = ? AND id = ?', appId, identity.toLowerCase())
    : store.get<FormationRow>('SELECT * FROM formations WHERE app_id = ? AND type = ?', appId, identity)
}

export function updateFormation(store: Store, id: string, changes: {quantity?: number, size?: string}): FormationRow {
  const current = store.get<FormationRow>('SELECT * FROM formations WHERE id = ?', id)!
  store.run(
    'UPDATE formations SET quantity = ?, size = ?, updated_at = ? WHERE id = ?',
    changes.quantity ?? current.quantity, changes.size ?? current.size, nowIso(), id,
  )
  return store.get<FormationRow>('SELECT * FROM formations WHERE id = ?', id)!
}

/**
 * Makes the formation follow a slug's process types: new types appear (web scaled to 1, others
 * to 0, as Heroku does on the first deploy), commands follow the slug, vanished types go.
 */
export function syncFormationWithProcessTypes(store: Store, appId: string, processTypes: Record<string, string>): void {
  const now = nowIso()
  const existing = new Map(listFormations(store, appId).map(f => [f.type, f]))
  // `release` is the release phase's command, run once per release, never a formation's dynos
  const formationTypes = {...processTypes}
  delete formationTypes.release
  for (const [type, command] of Object.entries(formationTypes)) {
    const current = existing.get(type)
    if (current) {
      if (current.command !== command) store.run('UPDATE formations SET command = ?, updated_at = ? WHERE id = ?', command, now, current.id)
    } else {
      store.run(
        'INSERT INTO formations (id, app_id, type, command, quantity, size, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        newId(), appId, type, command, type === 'web' ? 1 : 0, DEFAULT_DYNO_SIZE, now, now,
      )
    }
  }

  for (const [type, formation] of existing) {
    if (!(type in formationTypes)) store.run('DELETE FROM formations WHERE id = ?', formation.id)
  }
}
