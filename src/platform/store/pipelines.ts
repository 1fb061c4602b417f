// Pipelines, their couplings (an app at a stage) and promotions (migration 12).

import type {Store} from './database.js'

import {isUuid, newId, nowIso} from '../ids.js'

export const PIPELINE_STAGES = ['test', 'review', 'development', 'staging', 'production'] as const
export type PipelineStage = typeof PIPELINE_STAGES[number]

export interface PipelineRow {
  created_at: string
  id: string
  name: string
  owner_id: string
  updated_at: string
}

export interface CouplingRow {
  app_id: string
  created_at: string
  id: string
  pipeline_id: string
  stage: PipelineStage
  updated_at: string
}

export interface PromotionRow {
  created_at: string
  id: string
  pipeline_id: string
  source_app_id: string
  source_release_id: string
  source_slug_id: string
  status: 'completed' | 'pending'
  updated_at: string
  user_id: string
}

export interface PromotionTargetRow {
  app_id: string
  created_at: string
  error_message: null | string
  id: string
  promotion_id: string
  release_id: null | string
  status: 'failed' | 'pending' | 'succeeded'
  updated_at: string
}

// --- pipelines --------------------------------------------------------------------------

export function insertPipeline(store: Store, input: {name: string, ownerId: string}): PipelineRow {
  const now = nowIso()
  const id = newId()
  store.run('INSERT INTO pipelines (id, name, owner_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', id, input.name, input.ownerId, now, now)
  return findPipelineById(store, id)!
}

export function findPipelineById(store: Store, id: string): PipelineRow | undefined {
  return store.get<PipelineRow>('SELECT * FROM pipelines WHERE id = ?', id)
}

/** By id or name, among the pipelines `ownerId` owns. */
export function findOwnedPipeline(store: Store, ownerId: string, identity: string): PipelineRow | undefined {
  if (isUuid(identity)) return store.get<PipelineRow>('SELECT * FROM pipelines WHERE owner_id = ? AND id = ?', ownerId, identity.toLowerCase())
  return store.get<PipelineRow>('SELECT * FROM pipelines WHERE owner_id = ? AND name = ?', ownerId, identity)
}

export function listOwnedPipelines(store: Store, ownerId: string): PipelineRow[] {
  return store.all<PipelineRow>('SELECT * FROM pipelines WHERE owner_id = ? ORDER BY name, id', ownerId)
}

export function pipelineNameTaken(store: Store, ownerId: string, name: string): boolean {
  return store.get('SELECT 1 FROM pipelines WHERE owner_id = ? AND name = ?', ownerId, name) !== undefined
}

export function renamePipeline(store: Store, id: string, name: string): PipelineRow {
  store.run('UPDATE pipelines SET name = ?, updated_at = ? WHERE id = ?', name, nowIso(), id)
  return findPipelineById(store, id)!
}

/** Its couplings and promotions go with it (ON DELETE CASCADE); the apps stay. */
export function deletePipeline(store: Store, id: string): void {
  store.run('DELETE FROM pipelines WHERE id = ?', id)
}

// --- couplings --------------------------------------------------------------------------

export function insertCoupling(store: Store, input: {appId: string, pipelineId: string, stage: PipelineStage}): CouplingRow {
  const now = nowIso()
  const id = newId()
  store.run('INSERT INTO pipeline_couplings (id, pipeline_id, app_id, stage, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', id, input.pipelineId, input.appId, input.stage, now, now)
  return findCouplingById(store, id)!
}

export function findCouplingById(store: Store, id: string): CouplingRow | undefined {
  if (!isUuid(id)) return undefined
  return store.get<CouplingRow>('SELECT * FROM pipeline_couplings WHERE id = ?', id.toLowerCase())
}

export function findCouplingOfApp(store: Store, appId: string): CouplingRow | undefined {
  return store.get<CouplingRow>('SELECT * FROM pipeline_couplings WHERE app_id = ?', appId)
}

export function listCouplings(store: Store, pipelineId: string): CouplingRow[] {
  return store.all<CouplingRow>('SELECT * FROM pipeline_couplings WHERE pipeline_id = ? ORDER BY created_at, rowid', pipelineId)
}

export function updateCouplingStage(store: Store, id: string, stage: PipelineStage): CouplingRow {
  store.run('UPDATE pipeline_couplings SET stage = ?, updated_at = ? WHERE id = ?', stage, nowIso(), id)
  return findCouplingById(store, id)!
}

export function deleteCoupling(store: Store, id: string): void {
  store.run('DELETE FROM pipeline_couplings WHERE id = ?', id)
}

// --- promotions -------------------------------------------------------------------------

export interface NewPromotion {
  pipelineId: string
  sourceAppId: string
  sourceReleaseId: string
  sourceSlugId: string
  targetAppIds: string[]
  userId: string
}

export function insertPromotion(store: Store, input: NewPromotion): PromotionRow {
  const now = nowIso()
  const id = newId()
  store.run(
    `INSERT INTO pipeline_promotions (id, pipeline_id, source_app_id, source_release_id, source_slug_id, user_id, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    id, input.pipelineId, input.sourceAppId, input.sourceReleaseId, input.sourceSlugId, input.userId, now, now,
  )
  for (const appId of input.targetAppIds) {
    store.run(
      `INSERT INTO pipeline_promotion_targets (id, promotion_id, app_id, release_id, status, error_message, created_at, updated_at)
       VALUES (?, ?, ?, NULL, 'pending', NULL, ?, ?)`,
      newId(), id, appId, now, now,
    )
  }

  return findPromotionById(store, id)!
}

export function findPromotionById(store: Store, id: string): PromotionRow | undefined {
  if (!isUuid(id)) return undefined
  return store.get<PromotionRow>('SELECT * FROM pipeline_promotions WHERE id = ?', id.toLowerCase())
}

export function listPromotionTargets(store: Store, promotionId: string): PromotionTargetRow[] {
  return store.all<PromotionTargetRow>('SELECT * FROM pipeline_promotion_targets WHERE promotion_id = ? ORDER BY created_at, rowid', promotionId)
}

export function updatePromotionTarget(store: Store, id: string, changes: {errorMessage?: null | string, releaseId?: string, status?: PromotionTargetRow['status']}): void {
  const target = store.get<PromotionTargetRow>('SELECT * FROM pipeline_promotion_targets WHERE id = ?', id)
  if (!target) return
  store.run(
    'UPDATE pipeline_promotion_targets SET release_id = ?, status = ?, error_message = ?, updated_at = ? WHERE id = ?',
    changes.releaseId ?? target.release_id, changes.status ?? target.status,
    changes.errorMessage === undefined ? target.error_message : changes.errorMessage, nowIso(), id,
  )
}

export function completePromotion(store: Store, id: string): void {
  store.run('UPDATE pipeline_promotions SET status = \'completed\', updated_at = ? WHERE id = ?', nowIso(), id)
}

/** Promotions a platform that stopped left unfinished. */
export function listPendingPromotions(store: Store): PromotionRow[] {
  return store.all<PromotionRow>('SELECT * FROM pipeline_promotions WHERE status = \'pending\'')
}
