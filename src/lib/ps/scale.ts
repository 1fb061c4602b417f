import type {Formation} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import {UsageError} from '../errors.js'
import type {Output} from '../ui/output.js'

export interface ScaleChange {
  type: string
  /** `=`: set; `+`/`-`: relative to the current quantity */
  op: '+' | '-' | '='
  quantity: number
  size?: string
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

const formationPath = (app: string) => `/apps/${encodeURIComponent(app)}/formation`

/** Without changes: prints the formation. With changes: one PATCH /apps/{app}/formation batch. */
export async function scale(opts: {api: ApiClient; out: Output; app: string; changes: ScaleChange[]}): Promise<Formation[]> {
  const {api, out, app, changes} = opts
  let current: Formation[] | undefined
  if (changes.some(c => c.op !== '=')) current = await api.list<Formation>(formationPath(app))

  const updates = changes.map(c => {
    let quantity = c.quantity
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
    formation = await api.patch<Formation[]>(formationPath(app), {updates})
  } catch (error) {
    spinner.fail()
    throw error
  }

  spinner.succeed()
  out.log(`Now running ${describeFormation(formation)}`)
  return formation
}

/** GET /apps/{app}/formation: process types with size and quantity. */
export async function listFormation(opts: {api: ApiClient; out: Output; app: string}): Promise<Formation[]> {
  const formation = await opts.api.list<Formation>(formationPath(opts.app))
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
