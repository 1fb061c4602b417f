import type {Formation} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {ApiError} from '../api/api-error.js'
import {paths} from '../api/paths.js'
import {UsageError, UserError} from '../errors.js'

export interface ScaleChange {
  /** `=`: set; `+`/`-`: relative to the current quantity */
  op: '+' | '-' | '='
  quantity: number
  size?: string
  type: string
}

const CHANGE = /^([a-zA-Z0-9_]+)([=+-])(\d+)(?::([\w-]+))?$/

/** `web=2`, `worker+1`, `web-1`, `web=2:standard-1x`. */
export function parseScaleChanges(args: string[]): ScaleChange[] {
  if (args.length === 0) throw new UsageError('Give at least one change, e.g. web=2 or worker+1.')
  return args.map(arg => {
    const match = CHANGE.exec(arg)
    if (!match) throw new UsageError(`${arg} is not TYPE=N, TYPE+N or TYPE-N (optionally :SIZE).`, {hint: 'e.g. heroku ps:scale web=2 worker+1'})
    return {op: match[2] as ScaleChange['op'], quantity: Number(match[3]), size: match[4], type: match[1]}
  })
}

export function describeFormation(formation: Formation[]): string {
  return formation.filter(f => f.type).sort((a, b) => (a.type ?? '').localeCompare(b.type ?? ''))
    .map(f => `${f.type} at ${f.quantity}:${f.size}`).join(', ')
}

/** Without changes: prints the formation. With changes: one PATCH /apps/{app}/formation batch. */
export async function scale(opts: {api: ApiClient, app: string, changes: ScaleChange[], out: Output}): Promise<Formation[]> {
  const {api, out, app, changes} = opts
  let current: Formation[] | undefined
  if (changes.some(c => c.op !== '=')) current = await api.list<Formation>(paths.app(app).formation())

  const updates = changes.map(c => {
    let {quantity} = c
    if (c.op !== '=') {
      const now = current?.find(f => f.type === c.type)
      if (!now) throw new UsageError(`${app} has no process type ${c.type}.`, {hint: 'See heroku ps:type for its process types.'})
      quantity = Math.max(0, (now.quantity ?? 0) + (c.op === '+' ? c.quantity : -c.quantity))
    }

    return c.size ? {dyno_size: {name: c.size}, quantity, type: c.type} : {quantity, type: c.type}
  })

  const spinner = await out.spinner(`Scaling dynos on ${app}`)
  let formation: Formation[]
  try {
    formation = await api.patch<Formation[]>(paths.app(app).formation(), {updates})
  } catch (error) {
    spinner.fail()
    throw await inScaleTerms(error, {api, app, updates})
  }

  spinner.succeed()
  out.log(`Now running ${describeFormation(formation)}`)
  return formation
}

/**
 * The API's answer in the words of the command that was typed: `web=999` rather than
 * `"updates[0]": "quantity"`, and a never-deployed app told to deploy first. The request id stays.
 */
async function inScaleTerms(error: unknown, ctx: {api: ApiClient, app: string, updates: Array<{quantity: number, type: string}>}): Promise<unknown> {
  if (!(error instanceof ApiError)) return error
  const reword = (message: string, hint?: string) => Object.assign(new ApiError({...error, message}), hint ? {hint} : {})
  const range = /"quantity" must be an integer from (\d+) to (\d+)/.exec(error.message)
  if (error.status === 422 && range) {
    const index = Number(/updates\[(\d+)]/.exec(error.message)?.[1] ?? 0)
    const change = ctx.updates[index] ?? ctx.updates[0]
    return reword(`Cannot scale ${change.type} to ${change.quantity}: ${ctx.app} can run ${range[1]} to ${range[2]} dynos of a process type.`)
  }

  if (error.status === 404 && /process type/i.test(error.message)) {
    const types = (await ctx.api.list<Formation>(paths.app(ctx.app).formation()).catch(() => undefined))?.map(f => f.type).filter(Boolean)
    const missing = ctx.updates.map(u => u.type).filter(t => types !== undefined && !types.includes(t))
    if (types?.length === 0) {
      return new UserError(`${ctx.app} has no process types yet: it has never been deployed.`, {code: 'not_found', hint: 'Deploy it first (git push heroku main); its Procfile names the process types (web: node index.js).'})
    }

    if (types && missing.length > 0) return reword(`${ctx.app} has no process type ${missing.join(', ')} (it has ${types.join(', ')}).`, 'Add it to the Procfile and deploy, or see heroku ps:type.')
  }

  return error
}

/** GET /apps/{app}/formation: process types with size and quantity. */
export async function listFormation(opts: {api: ApiClient, app: string, out: Output}): Promise<Formation[]> {
  const formation = await opts.api.list<Formation>(paths.app(opts.app).formation())
  formation.sort((a, b) => (a.type ?? '').localeCompare(b.type ?? ''))
  if (formation.length === 0) {
    opts.out.log(`${opts.app} has no process types yet. Deploy an app with a Procfile first.`)
    return formation
  }

  await opts.out.table(formation, [
    {get: f => f.type, header: 'Type'},
    {get: f => f.size, header: 'Size'},
    {get: f => f.quantity, header: 'Qty'},
    {get: f => f.command, header: 'Command'},
  ])
  return formation
}
