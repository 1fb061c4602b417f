// An app's builds as the platform keeps them (GET /apps/{app}/builds), one build's details, and
// its output, read from the build's own output_stream_url (streamed while the build runs).
import type {Build} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {fetchFor} from '../api/trust.js'
import {UserError} from '../errors.js'
import {ago} from '../releases/age.js'

/** The newest builds first (Range: created_at ..; order=desc,max=N). */
export async function listBuilds(opts: {api: ApiClient, app: string, num: number, out: Output}): Promise<Build[]> {
  const {api, out, app} = opts
  const builds = await api.list<Build>(paths.app(app).build(), {limit: opts.num, max: opts.num, order: 'desc', sortBy: 'created_at'})
  if (builds.length === 0) {
    out.log(`${app} has no builds.`)
    return builds
  }

  out.heading(`${app} Builds`)
  await out.table(builds, [
    {get: b => b.id, header: 'ID'},
    {get: b => status(out, b), header: 'Status'},
    {get: b => b.source_blob?.version?.slice(0, 12), header: 'Version'},
    {get: b => b.user?.email, header: 'By'},
    {get: b => `${b.created_at ?? ''} (${ago(b.created_at)})`, header: 'When'},
  ])
  return builds
}

function status(out: Output, build: Build): string {
  if (build.status === 'succeeded') return out.color.green(build.status)
  if (build.status === 'failed') return out.color.red(build.status)
  return build.status ?? ''
}

/** One build by id, or the newest one. */
export async function findBuild(api: ApiClient, app: string, id?: string): Promise<Build> {
  if (id !== undefined) return api.get<Build>(paths.app(app).build(id))
  const [newest] = await api.list<Build>(paths.app(app).build(), {limit: 1, max: 1, order: 'desc', sortBy: 'created_at'})
  if (!newest) throw new UserError(`${app} has no builds yet.`, {hint: 'Deploy it: git push heroku main'})
  return newest
}

export async function buildInfo(opts: {api: ApiClient, app: string, id?: string, out: Output}): Promise<Build> {
  const {out} = opts
  const build = await findBuild(opts.api, opts.app, opts.id)
  out.heading(`Build ${build.id}`)
  out.keyValues([
    ['Status', status(out, build)],
    ['Version', build.source_blob?.version],
    ['Description', build.source_blob?.version_description],
    ['Buildpacks', build.buildpacks?.map(b => b.name ?? b.url).join(', ')],
    ['Stack', build.stack],
    ['Release', build.release?.id],
    ['Slug', build.slug?.id],
    ['By', build.user?.email],
    ['Created', build.created_at],
    ['Updated', build.updated_at],
  ])
  return build
}

/**
 * Prints the build's output as it arrives from its output_stream_url (while the build runs the
 * stream stays open until it ends). Returns the build and the whole output.
 */
export async function buildOutput(opts: {api: ApiClient, app: string, fetchImpl?: typeof fetch, id?: string, out: Output}): Promise<{build: Build, output: string}> {
  const {out} = opts
  const build = await findBuild(opts.api, opts.app, opts.id)
  const url = build.output_stream_url
  if (!url) throw new UserError(`Build ${build.id} of ${opts.app} has no output.`)
  const failed = (why: string) => new UserError(`Could not read the output of build ${build.id}: ${why}`)
  const response = await (opts.fetchImpl ?? await fetchFor(url))(url).catch((error: Error) => {
    throw failed(error.message)
  })
  if (!response.ok || !response.body) throw failed(`HTTP ${response.status}.`)
  let output = ''
  let pending = ''
  const decoder = new TextDecoder()
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      const text = decoder.decode(chunk, {stream: true})
      output += text
      const lines = (pending + text).split('\n')
      pending = lines.pop()!
      for (const line of lines) out.log(line)
    }
  } catch (error) {
    throw failed((error as Error).message)
  }

  output += decoder.decode()
  if (pending !== '') out.log(pending)
  return {build, output}
}
