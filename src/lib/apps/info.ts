import type {AddOn, App, Dyno, PipelineCoupling} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {shellQuote} from '../config/keys.js'

function size(bytes: null | number | undefined): string | undefined {
  if (bytes === null || bytes === undefined) return undefined
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** GET the app, its add-ons and its dynos; shown as `Key: value` lines or `key=value` for sh. */
export async function appInfo(opts: {api: ApiClient, app: string, out: Output, shell?: boolean}): Promise<App> {
  const {api, out} = opts
  const [app, addons, dynos, coupling] = await Promise.all([
    api.get<App>(paths.app(opts.app).self),
    api.list<AddOn>(paths.app(opts.app).addons()),
    api.list<Dyno>(paths.app(opts.app).dyno()),
    // a 404 is an app in no pipeline; the pipeline is extra: no answer leaves it out
    api.get<PipelineCoupling>(paths.app(opts.app).pipelineCoupling()).catch(() => null),
  ])
  const pipeline = coupling ? `${coupling.pipeline?.name ?? coupling.pipeline?.id}` : undefined
  const countByType = new Map<string, number>()
  for (const d of dynos) countByType.set(d.type ?? '?', (countByType.get(d.type ?? '?') ?? 0) + 1)
  const dynoCounts = [...countByType].sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) => `${type}: ${n}`).join(', ')

  if (opts.shell) {
    const fields: Array<[string, null | number | string | undefined]> = [
      ['name', app.name], ['id', app.id], ['addons', addons.map(a => a.name).join(',')], ['dynos', dynoCounts],
      ['git_url', app.git_url], ['web_url', app.web_url], ['owner', app.owner?.email], ['region', app.region?.name],
      ['stack', app.stack?.name], ['repo_size', app.repo_size], ['slug_size', app.slug_size],
    ]
    if (coupling) fields.push(['pipeline', `${pipeline}:${coupling.stage}`])
    for (const [k, v] of fields) out.log(`${k}=${shellQuote(v === undefined || v === null ? '' : String(v))}`)
  } else {
    out.heading(app.name ?? opts.app)
    out.keyValues([
      ['Addons', addons.map(a => a.name).join(', ') || undefined],
      ['Dynos', dynoCounts || undefined],
      ['Git URL', app.git_url],
      ['Owner', app.owner?.email],
      ['Pipeline', coupling ? `${pipeline} - ${coupling.stage}` : undefined],
      ['Region', app.region?.name],
      ['Repo Size', size(app.repo_size)],
      ['Slug Size', size(app.slug_size)],
      ['Stack', app.stack?.name],
      ['Maintenance', app.maintenance ? 'on' : undefined],
      ['Web URL', app.web_url],
    ])
  }

  return app
}
