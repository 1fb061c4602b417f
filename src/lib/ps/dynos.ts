import type {Dyno} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {ago} from '../releases/age.js'

/** Dyno number for sorting: web.10 after web.2. */
function dynoIndex(name = ''): number {
  const n = Number(name.split('.').at(-1))
  return Number.isFinite(n) ? n : 0
}

/** GET /apps/{app}/dynos, printed by process type: `=== web (Basic): npm start (2)`, then a line a dyno. */
export async function listDynos(opts: {api: ApiClient, app: string, now?: number, out: Output}): Promise<Dyno[]> {
  const {api, out, app} = opts
  const dynos = await api.list<Dyno>(paths.app(app).dyno())
  if (dynos.length === 0) {
    out.log(`No dynos on ${app}.`)
    return dynos
  }

  const byType = new Map<string, Dyno[]>()
  for (const d of dynos) byType.set(d.type ?? 'run', [...(byType.get(d.type ?? 'run') ?? []), d])
  const types = [...byType.keys()].sort()
  for (const [i, type] of types.entries()) {
    const group = byType.get(type)!.sort((a, b) => dynoIndex(a.name) - dynoIndex(b.name))
    if (i > 0) out.log()
    const first = group[0]
    out.heading(`${type} (${first.size ?? '?'}): ${first.command ?? ''} (${group.length})`)
    for (const d of group) {
      const state = d.state === 'up' ? out.color.green(d.state) : (d.state === 'crashed' ? out.color.red(d.state ?? '') : d.state ?? '')
      out.log(`${d.name}: ${state} ${d.updated_at ?? ''} (${ago(d.updated_at, opts.now)})`)
    }
  }

  return dynos
}

/**
 * Restarts every dyno (DELETE /apps/{app}/dynos), a process type
 * (DELETE /apps/{app}/formations/{type}) or one dyno (DELETE /apps/{app}/dynos/{name}).
 */
export async function restartDynos(opts: {api: ApiClient, app: string, out: Output, target?: string}): Promise<{app: string, restarted: string}> {
  const {api, out, app, target} = opts
  const what = target ?? 'all dynos'
  const path = target === undefined
    ? paths.app(app).dyno()
    : (target.includes('.') ? paths.app(app).dyno(target) : paths.app(app).formationOfType(target))
  const spinner = await out.spinner(`Restarting ${what} on ${app}`)
  try {
    await api.delete(path)
  } catch (error) {
    spinner.fail()
    throw error
  }

  spinner.succeed()
  return {app, restarted: what}
}

/** Stops one dyno (POST …/dynos/{name}/actions/stop) or every dyno of a type (…/formations/{type}/actions/stop). */
export async function stopDynos(opts: {api: ApiClient, app: string, out: Output, target: string}): Promise<{app: string, stopped: string}> {
  const {api, out, app, target} = opts
  const path = target.includes('.')
    ? paths.app(app).dynoStop(target)
    : paths.app(app).formationStop(target)
  const spinner = await out.spinner(`Stopping ${target} on ${app}`)
  try {
    await api.post(path)
  } catch (error) {
    spinner.fail()
    throw error
  }

  spinner.succeed()
  if (!target.includes('.')) out.info(`The dynos of ${target} start again at the next restart or release; to keep them down, run heroku ps:scale ${target}=0.`)
  return {app, stopped: target}
}
