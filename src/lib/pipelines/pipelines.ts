// Pipelines: apps of one codebase at stages (development → staging → production), and promotion
// of an app's slug to the apps of the next stage without a rebuild (/pipelines,
// /pipeline-couplings, /pipeline-promotions).
import type {App, Pipeline, PipelineCoupling, PipelinePromotion, PipelinePromotionTarget} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'
import type {Prompter} from '../ui/prompter.js'

import {paths} from '../api/paths.js'
import {UserError} from '../errors.js'

/** the order apps are shown in, and (development, staging, production) the order they are promoted along */
export const STAGES = ['test', 'review', 'development', 'staging', 'production'] as const
const PROMOTION_ORDER = ['development', 'staging', 'production']

export interface PipelineApp extends App {
  pipeline_coupling: PipelineCoupling
}

interface Deps {
  api: ApiClient
  out: Output
}

const couplingOf = (api: ApiClient, app: string) => api.get<PipelineCoupling>(paths.app(app).pipelineCoupling())

/** What an app's name says about it: `shop-staging` is the app `shop` at the stage `staging`. */
export function inferFromAppName(app: string): {name: string, stage?: string} {
  const suffixes: Array<[RegExp, string]> = [
    [/-(dev|development|uat|tst|test|qa)$/, 'development'],
    [/-(stg|staging)$/, 'staging'],
    [/-(prd|prod|production|admin|demo)$/, 'production'],
  ]
  for (const [suffix, stage] of suffixes) if (suffix.test(app)) return {name: app.replace(suffix, ''), stage}
  return {name: app}
}

async function stageFor(prompter: Prompter, app: string, stage: string | undefined): Promise<string> {
  if (stage) return stage
  return prompter.input(`Stage of ${app} (${STAGES.join(', ')})`, {default: inferFromAppName(app).stage ?? 'production', flag: '--stage', what: `the stage of ${app}`})
}

/** GET /pipelines: `=== My Pipelines` and a name a line. */
export async function listPipelines(opts: Deps): Promise<Pipeline[]> {
  const pipelines = await opts.api.list<Pipeline>(paths.pipeline())
  opts.out.heading('My Pipelines')
  for (const pipeline of pipelines) opts.out.log(pipeline.name ?? '')
  return pipelines
}

/** A pipeline by id or name (GET /pipelines/{identity}). */
export function getPipeline(api: ApiClient, pipeline: string): Promise<Pipeline> {
  return api.get<Pipeline>(paths.pipeline(pipeline))
}

/**
 * POST /pipelines then POST /pipeline-couplings: the new pipeline with the app at its stage. An
 * app already in a pipeline is refused before anything is made; a coupling the platform refuses
 * (a stage it does not know) takes the new pipeline away again.
 */
export async function createPipeline(opts: Deps & {app: string, name?: string, prompter: Prompter, stage?: string}): Promise<Pipeline> {
  const {api, out, app} = opts
  const name = opts.name ?? inferFromAppName(app).name
  const stage = await stageFor(opts.prompter, app, opts.stage)
  const existing = await couplingOf(api, app).catch((error: {status?: number}) => {
    if (error.status === 404) return
    throw error
  })
  if (existing) throw new UserError(`${app} is already in the pipeline ${existing.pipeline?.name ?? existing.pipeline?.id}.`, {hint: `Remove it first: heroku pipelines:remove -a ${app}`})
  const account = await api.get<{id: string}>(paths.account())
  const pipeline = await out.withSpinner(`Creating ${name} pipeline`, () => api.post<Pipeline>(paths.pipeline(), {name, owner: {id: account.id, type: 'user'}}))
  try {
    await out.withSpinner(`Adding ${app} to ${pipeline.name} pipeline as ${stage}`, () => addCoupling(api, pipeline, app, stage))
    return pipeline
  } catch (error) {
    await api.delete(paths.pipeline(pipeline.id!)).catch(() => {})
    throw error
  }
}

const addCoupling = (api: ApiClient, pipeline: Pipeline, app: string, stage: string) => api.post<PipelineCoupling>(paths.pipelineCoupling(), {app, pipeline: pipeline.id, stage})

/** POST /pipeline-couplings: the app joins the pipeline at a stage. */
export async function addToPipeline(opts: Deps & {app: string, pipeline: string, prompter: Prompter, stage?: string}): Promise<PipelineCoupling> {
  const {api, out, app} = opts
  const pipeline = await getPipeline(api, opts.pipeline)
  const stage = await stageFor(opts.prompter, app, opts.stage)
  return out.withSpinner(`Adding ${app} to ${pipeline.name} pipeline as ${stage}`, () => addCoupling(api, pipeline, app, stage))
}

async function pipelineApps(api: ApiClient, pipelineId: string): Promise<PipelineApp[]> {
  const couplings = await api.list<PipelineCoupling>(paths.pipelineCouplings(pipelineId))
  const apps = await Promise.all(couplings.map(coupling => api.get<App>(paths.app(coupling.app!.id!).self)))
  const order = (app: PipelineApp) => STAGES.indexOf(app.pipeline_coupling.stage as typeof STAGES[number])
  return apps.map((app, i) => ({...app, pipeline_coupling: couplings[i]}))
    .sort((a, b) => order(a) - order(b) || (a.name ?? '').localeCompare(b.name ?? ''))
}

/** The pipeline, its owner and its apps by stage. */
export async function pipelineInfo(opts: Deps & {pipeline: string}): Promise<Pipeline> {
  const {api, out} = opts
  const pipeline = await getPipeline(api, opts.pipeline)
  const apps = await pipelineApps(api, pipeline.id!)
  out.heading(pipeline.name ?? '')
  const owner = apps.find(app => app.owner?.id === pipeline.owner?.id)?.owner?.email
  if (owner) out.log(`owner: ${owner}`)
  out.log()
  await out.table(apps, [{header: 'app name', get: app => app.name}, {header: 'stage', get: app => app.pipeline_coupling.stage}])
  return pipeline
}

/**
 * POST /pipeline-promotions from the app to the apps of the next stage (or the apps given),
 * then GET its targets until none is pending. A target that failed makes this fail, after the
 * outcome of every target is shown.
 */
export async function promote(opts: Deps & {app: string, pollMs?: number, to?: string[]}): Promise<PipelinePromotionTarget[]> {
  const {api, out, app} = opts
  const coupling = await couplingOf(api, app)
  const pipelineId = coupling.pipeline!.id!
  const apps = await pipelineApps(api, pipelineId)
  const source = apps.find(a => a.id === coupling.app?.id)
  let targets: PipelineApp[]
  let label: string
  if (opts.to && opts.to.length > 0) {
    targets = opts.to.map(name => {
      const target = apps.find(a => a.name === name || a.id === name)
      if (!target) throw new UserError(`${name} is not in the pipeline ${coupling.pipeline?.name ?? pipelineId}.`, {hint: `Add it first: heroku pipelines:add ${coupling.pipeline?.name ?? pipelineId} -a ${name}`})
      if (target.id === source?.id) throw new UserError(`Cannot promote ${app} to itself.`)
      return target
    })
    label = `Starting promotion to apps: ${targets.map(t => t.name).join(', ')}`
  } else {
    const next = PROMOTION_ORDER[PROMOTION_ORDER.indexOf(coupling.stage ?? '') + 1]
    if (!PROMOTION_ORDER.includes(coupling.stage ?? '') || next === undefined) throw new UserError(`Cannot promote ${app} from its stage, ${coupling.stage}.`, {hint: 'Name the apps to promote to with --to APP,APP.'})
    targets = apps.filter(a => a.pipeline_coupling.stage === next)
    if (targets.length === 0) throw new UserError(`Cannot promote from ${app}: there are no downstream apps in the ${next} stage.`)
    label = `Starting promotion to ${next}`
  }

  const promotion = await out.withSpinner(label, () => api.post<PipelinePromotion>(paths.pipelinePromotions(), {
    pipeline: {id: pipelineId}, source: {app: {id: coupling.app!.id}}, targets: targets.map(t => ({app: {id: t.id}})),
  }))
  const results = await out.withSpinner('Waiting for promotion to complete', async () => {
    for (;;) {
      const current = await api.list<PipelinePromotionTarget>(paths.promotionTargets(promotion.id!))
      if (current.every(target => target.status !== 'pending')) return current
      await new Promise(resolve => setTimeout(resolve, opts.pollMs ?? 1000))
    }
  })
  const named = results.map(target => ({...target, app: {...target.app, name: apps.find(a => a.id === target.app?.id)?.name}}))
  out.log()
  out.keyValues(named.map(target => [target.app.name ?? target.app.id ?? '?', target.status === 'failed' ? `failed: ${target.error_message ?? ''}` : target.status]))
  const failed = named.filter(target => target.status !== 'succeeded')
  if (failed.length > 0) {
    throw new UserError(`Promotion to ${failed.map(t => t.app.name ?? t.app.id).join(', ')} failed: ${failed.map(t => t.error_message ?? t.status).join('; ')}`, {
      hint: 'Those apps stay on the release they had. heroku releases:output -a APP shows what the release command printed.',
    })
  }

  out.log('Promotion successful')
  return results
}

/** DELETE /pipeline-couplings/{id} of the app's coupling: the app leaves its pipeline. */
export async function removeFromPipeline(opts: Deps & {app: string}): Promise<PipelineCoupling> {
  const {api, out, app} = opts
  return out.withSpinner(`Removing ${app}`, async () => {
    const coupling = await couplingOf(api, app)
    return api.delete<PipelineCoupling>(paths.pipelineCoupling(coupling.id!))
  })
}

/** DELETE /pipelines/{id}: its apps stay, no longer in a pipeline. */
export async function destroyPipeline(opts: Deps & {pipeline: string}): Promise<Pipeline> {
  const pipeline = await getPipeline(opts.api, opts.pipeline)
  return opts.out.withSpinner(`Destroying ${pipeline.name} pipeline`, () => opts.api.delete<Pipeline>(paths.pipeline(pipeline.id!)))
}

/** PATCH /pipelines/{id} {name}. */
export async function renamePipeline(opts: Deps & {name: string, pipeline: string}): Promise<Pipeline> {
  const pipeline = await getPipeline(opts.api, opts.pipeline)
  return opts.out.withSpinner(`Renaming ${pipeline.name} pipeline to ${opts.name}`, () => opts.api.patch<Pipeline>(paths.pipeline(pipeline.id!), {name: opts.name}))
}
