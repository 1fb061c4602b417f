// Pipelines (the schema's pipeline, pipeline-coupling, pipeline-promotion and
// pipeline-promotion-target): an account's pipelines, apps coupled to them at a stage, and
// promotions of one app's current slug to the apps downstream (pipelines/promotion.ts).
// A pipeline is its owner's; an app is coupled, and promoted to, only by someone who may use it
// (requireApp), and it is in one pipeline at most.

import type {ApiRoute, RequestContext} from './context.js'

import {isIdentity, isObject, parseBody} from '../http/body.js'
import {invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {resumePromotion, runPromotion} from '../pipelines/promotion.js'
import {type AppRow, findAppById} from '../store/apps.js'
import {
  type CouplingRow, deleteCoupling, deletePipeline, findCouplingById, findCouplingOfApp, findOwnedPipeline, findPipelineById, findPromotionById,
  insertCoupling, insertPipeline, insertPromotion, listCouplings, listOwnedPipelines, listPromotionTargets, PIPELINE_STAGES, pipelineNameTaken,
  type PipelineRow, type PipelineStage, type PromotionRow, type PromotionTargetRow, renamePipeline, updateCouplingStage,
} from '../store/pipelines.js'
import {currentRelease} from '../store/releases.js'
import {GENERATION} from './regions-stacks.js'
import {requireApp, requireParam} from './resolve.js'

export function serializePipeline(pipeline: PipelineRow): object {
  return {
    created_at: pipeline.created_at,
    id: pipeline.id,
    name: pipeline.name,
    owner: {id: pipeline.owner_id, type: 'user'},
    updated_at: pipeline.updated_at,
    generation: GENERATION,
  }
}

function serializeCoupling(ctx: RequestContext, coupling: CouplingRow): object {
  const app = findAppById(ctx.platform.store, coupling.app_id)
  const pipeline = findPipelineById(ctx.platform.store, coupling.pipeline_id)
  return {
    app: {id: coupling.app_id, name: app?.name},
    created_at: coupling.created_at,
    id: coupling.id,
    pipeline: {id: coupling.pipeline_id, name: pipeline?.name},
    stage: coupling.stage,
    updated_at: coupling.updated_at,
  }
}

function serializePromotion(promotion: PromotionRow): object {
  return {
    created_at: promotion.created_at,
    id: promotion.id,
    pipeline: {id: promotion.pipeline_id},
    source: {app: {id: promotion.source_app_id}, release: {id: promotion.source_release_id}},
    status: promotion.status,
    updated_at: promotion.updated_at,
  }
}

function serializeTarget(target: PromotionTargetRow): object {
  return {
    app: {id: target.app_id},
    error_message: target.error_message,
    id: target.id,
    pipeline_promotion: {id: target.promotion_id},
    release: target.release_id === null ? null : {id: target.release_id},
    status: target.status,
  }
}

/** An app named in a request body, resolved as a path's {app} is: what the caller may not use is not found. */
const requireAppNamed = (ctx: RequestContext, identity: string): AppRow => requireApp({...ctx, params: {...ctx.params, app: identity}})

function requirePipeline(ctx: RequestContext, identity = requireParam(ctx, 'pipeline')): PipelineRow {
  const pipeline = findOwnedPipeline(ctx.platform.store, ctx.account.id, identity)
  if (pipeline === undefined) throw notFound("Couldn't find that pipeline.", 'pipeline')
  return pipeline
}

/** A coupling by id: its pipeline is the caller's, or its app one the caller may use. */
function requireCoupling(ctx: RequestContext): CouplingRow {
  const coupling = findCouplingById(ctx.platform.store, requireParam(ctx, 'coupling'))
  const visible = coupling && (findPipelineById(ctx.platform.store, coupling.pipeline_id)?.owner_id === ctx.account.id || canUseApp(ctx, coupling.app_id))
  if (!coupling || !visible) throw notFound("Couldn't find that pipeline coupling.", 'pipeline_coupling')
  return coupling
}

function canUseApp(ctx: RequestContext, appId: string): boolean {
  try {
    requireAppNamed(ctx, appId)
    return true
  } catch {
    return false
  }
}

function requirePromotion(ctx: RequestContext): PromotionRow {
  const promotion = findPromotionById(ctx.platform.store, requireParam(ctx, 'promotion'))
  const visible = promotion && (findPipelineById(ctx.platform.store, promotion.pipeline_id)?.owner_id === ctx.account.id || canUseApp(ctx, promotion.source_app_id))
  if (!promotion || !visible) throw notFound("Couldn't find that pipeline promotion.", 'pipeline_promotion')
  resumePromotion(ctx.platform, promotion)
  return promotion
}

const isStage = (value: unknown, field: string): PipelineStage => {
  if (typeof value !== 'string' || !(PIPELINE_STAGES as readonly string[]).includes(value)) {
    throw invalidParams(`"${field}" must be one of ${PIPELINE_STAGES.join(', ')}${typeof value === 'string' ? `, not ${JSON.stringify(value)}` : ''}.`)
  }

  return value as PipelineStage
}

/** the schema's pipeline name */
const PIPELINE_NAME = /^[a-z][a-z0-9-]{2,29}$/

const isName = (value: unknown, field: string): string => {
  if (typeof value !== 'string' || !PIPELINE_NAME.test(value)) throw invalidParams(`"${field}" must be 3 to 30 lowercase letters, digits and dashes, starting with a letter.`)
  return value
}

const pipelineBody = {name: isName, owner: () => undefined}
const couplingBody = {app: isIdentity, pipeline: isIdentity, stage: isStage}
const appRef = isObject({id: isIdentity}, ['id'])
const promotionBody = {
  pipeline: isObject({id: isIdentity}, ['id']),
  source: isObject({app: appRef}, ['app']),
  targets(value: unknown, field: string) {
    if (!Array.isArray(value) || value.length === 0) throw invalidParams(`"${field}" must be a non-empty array of {"app": {"id": …}}.`)
    return value.map((target, i) => isObject({app: appRef}, ['app'])(target, `${field}[${i}]`).app!.id!)
  },
}

function createPipeline(ctx: RequestContext) {
  const {name} = parseBody(ctx.body, pipelineBody, ['name'])
  const {store} = ctx.platform
  const pipeline = store.transaction(() => {
    if (pipelineNameTaken(store, ctx.account.id, name!)) throw invalidParams(`"name": you already have a pipeline named ${name}.`)
    return insertPipeline(store, {name: name!, ownerId: ctx.account.id})
  })
  return json(serializePipeline(pipeline), 201)
}

function updatePipeline(ctx: RequestContext) {
  const pipeline = requirePipeline(ctx)
  const {name} = parseBody(ctx.body, {name: isName})
  if (name === undefined || name === pipeline.name) return json(serializePipeline(pipeline))
  const {store} = ctx.platform
  return json(serializePipeline(store.transaction(() => {
    if (pipelineNameTaken(store, ctx.account.id, name)) throw invalidParams(`"name": you already have a pipeline named ${name}.`)
    return renamePipeline(store, pipeline.id, name)
  })))
}

function createCoupling(ctx: RequestContext) {
  const body = parseBody(ctx.body, couplingBody, ['app', 'pipeline', 'stage'])
  const pipeline = requirePipeline(ctx, body.pipeline!)
  const app = requireAppNamed(ctx, body.app!)
  const {store} = ctx.platform
  const coupling = store.transaction(() => {
    const existing = findCouplingOfApp(store, app.id)
    if (existing) {
      const where = findPipelineById(store, existing.pipeline_id)?.name ?? 'a pipeline'
      throw invalidParams(`"app": ${app.name} is already in ${where === pipeline.name ? 'this pipeline' : `the pipeline ${where}`} (stage ${existing.stage}); remove it first (pipelines:remove).`)
    }

    return insertCoupling(store, {pipelineId: pipeline.id, appId: app.id, stage: body.stage!})
  })
  return json(serializeCoupling(ctx, coupling), 201)
}

function createPromotion(ctx: RequestContext) {
  const body = parseBody(ctx.body, promotionBody, ['pipeline', 'source', 'targets'])
  const {store} = ctx.platform
  const source = requireAppNamed(ctx, body.source!.app!.id!)
  const coupling = findCouplingOfApp(store, source.id)
  const pipelineId = body.pipeline!.id!.toLowerCase()
  if (!coupling || coupling.pipeline_id !== pipelineId) throw invalidParams(`"source": ${source.name} is not in that pipeline.`)
  const targets = [...new Map(body.targets!.map(identity => requireAppNamed(ctx, identity)).map(app => [app.id, app])).values()]
  for (const target of targets) {
    if (target.id === source.id) throw invalidParams(`"targets": cannot promote ${source.name} to itself.`)
    if (findCouplingOfApp(store, target.id)?.pipeline_id !== pipelineId) throw invalidParams(`"targets": ${target.name} is not in that pipeline.`)
  }

  const release = currentRelease(store, source.id)
  if (!release || release.slug_id === null) throw invalidParams(`"source": ${source.name} has no release with a slug to promote; deploy it first.`)
  const promotion = store.transaction(() => insertPromotion(store, {
    pipelineId, sourceAppId: source.id, sourceReleaseId: release.id, sourceSlugId: release.slug_id!, userId: ctx.account.id, targetAppIds: targets.map(t => t.id),
  }))
  void runPromotion(ctx.platform, promotion.id)
  return json(serializePromotion(promotion), 201)
}

export const pipelineRoutes: ApiRoute[] = [
  {method: 'POST', path: '/pipelines', handler: createPipeline},
  {
    method: 'GET',
    path: '/pipelines',
    handler(ctx) {
      const name = ctx.query?.get('eq[name]') ?? undefined
      const pipelines = listOwnedPipelines(ctx.platform.store, ctx.account.id).filter(p => name === undefined || p.name === name)
      return list(pipelines.map(p => serializePipeline(p)), {fields: ['id', 'name']})
    },
  },
  {method: 'GET', path: '/pipelines/{pipeline}', handler: ctx => json(serializePipeline(requirePipeline(ctx)))},
  {method: 'PATCH', path: '/pipelines/{pipeline}', handler: updatePipeline},
  {
    method: 'DELETE',
    path: '/pipelines/{pipeline}',
    handler(ctx) {
      const pipeline = requirePipeline(ctx)
      deletePipeline(ctx.platform.store, pipeline.id)
      return json(serializePipeline(pipeline))
    },
  },
  {
    method: 'GET',
    path: '/pipelines/{pipeline}/pipeline-couplings',
    handler(ctx) {
      const pipeline = requirePipeline(ctx)
      return list(listCouplings(ctx.platform.store, pipeline.id).map(c => serializeCoupling(ctx, c)), {fields: ['id']})
    },
  },
  {method: 'POST', path: '/pipeline-couplings', handler: createCoupling},
  {
    method: 'GET',
    path: '/apps/{app}/pipeline-couplings',
    handler(ctx) {
      const app = requireApp(ctx)
      const coupling = findCouplingOfApp(ctx.platform.store, app.id)
      if (!coupling) throw notFound(`${app.name} is not in a pipeline.`, 'pipeline_coupling')
      return json(serializeCoupling(ctx, coupling))
    },
  },
  {method: 'GET', path: '/pipeline-couplings/{coupling}', handler: ctx => json(serializeCoupling(ctx, requireCoupling(ctx)))},
  {
    method: 'PATCH',
    path: '/pipeline-couplings/{coupling}',
    handler(ctx) {
      const coupling = requireCoupling(ctx)
      const {stage} = parseBody(ctx.body, {stage: isStage})
      return json(serializeCoupling(ctx, stage === undefined ? coupling : updateCouplingStage(ctx.platform.store, coupling.id, stage)))
    },
  },
  {
    method: 'DELETE',
    path: '/pipeline-couplings/{coupling}',
    handler(ctx) {
      const coupling = requireCoupling(ctx)
      deleteCoupling(ctx.platform.store, coupling.id)
      return json(serializeCoupling(ctx, coupling))
    },
  },
  {method: 'POST', path: '/pipeline-promotions', handler: createPromotion},
  {method: 'GET', path: '/pipeline-promotions/{promotion}', handler: ctx => json(serializePromotion(requirePromotion(ctx)))},
  {
    method: 'GET',
    path: '/pipeline-promotions/{promotion}/promotion-targets',
    handler(ctx) {
      const promotion = requirePromotion(ctx)
      return list(listPromotionTargets(ctx.platform.store, promotion.id).map(t => serializeTarget(t)), {fields: ['id']})
    },
  },
]
