import type {Release, Slug} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {fetchFor} from '../api/trust.js'
import {UsageError, UserError} from '../errors.js'
import {ago} from './age.js'
import {newestRelease, newestReleases} from './newest.js'

/** `v12` or `12` → 12; anything else is a usage error. */
export function parseVersion(text: string): number {
  const match = /^v?(\d+)$/i.exec(text.trim())
  if (!match) throw new UsageError(`${text} is not a release version.`, {hint: 'Give a version such as v12 (see heroku releases).'})
  return Number(match[1])
}

/** The newest releases first (Range: version ..; order=desc,max=N). */
export async function listReleases(opts: {api: ApiClient, app: string, num: number, out: Output}): Promise<Release[]> {
  const {api, out, app} = opts
  const releases = await newestReleases(api, app, opts.num)
  if (releases.length === 0) {
    out.log(`${app} has no releases.`)
    return releases
  }

  out.heading(`${app} Releases`)
  await out.table(releases, [
    {get: r => `v${r.version}`, header: 'Version'},
    {get: r => describe(r), header: 'Description'},
    {get: r => r.user?.email, header: 'By'},
    {get: r => `${r.created_at ?? ''} (${ago(r.created_at)})`, header: 'When'},
  ])
  return releases
}

/** The description, with the release phase's state when it is not plain success (as Heroku words it). */
function describe(release: Release): string {
  if (release.status === 'pending') return `${release.description ?? ''} (release command executing)`
  if (release.status === 'failed') return `${release.description ?? ''} (release command failed)`
  return release.description ?? ''
}

export async function findRelease(api: ApiClient, app: string, version?: number): Promise<Release> {
  if (version !== undefined) return api.get<Release>(paths.app(app).release(version))
  const latest = await newestRelease(api, app)
  if (!latest) throw new UserError(`${app} has no releases yet.`, {hint: 'Deploy with git push first.'})
  return latest
}

/** GET one release (the newest when no version is given). */
export async function releaseInfo(opts: {api: ApiClient, app: string, out: Output, version?: number}): Promise<Release> {
  const release = await findRelease(opts.api, opts.app, opts.version)
  // a release with a release phase has output: its slug names the command
  const releaseCommand = (release as {output_stream_url?: null | string}).output_stream_url && release.slug?.id
    ? (await opts.api.get<Slug>(paths.app(opts.app).slug(release.slug.id))).process_types?.release
    : undefined
  opts.out.heading(`Release v${release.version}`)
  opts.out.keyValues([
    ['Add-ons', (release.addon_plan_names ?? []).join(', ')],
    ['Change', release.description],
    ['By', release.user?.email],
    ['When', release.created_at],
    ['Status', release.status],
    ['Release command', releaseCommand],
    ['Current', release.current === undefined ? undefined : (release.current ? 'yes' : 'no')],
  ])
  return release
}

/**
 * Rolls back to the given version, or to the one before the newest: POST /apps/{app}/releases
 * {release: id}. Returns the new release.
 */
export async function rollback(opts: {api: ApiClient, app: string, out: Output, version?: number}): Promise<Release> {
  const {api, out, app} = opts
  let target: Release
  if (opts.version === undefined) {
    // the release before the current one that ran (pending and failed ones never did)
    const recent = await newestReleases(api, app, 50)
    const current = recent.findIndex(r => r.current)
    const previous = recent.slice(current === -1 ? 1 : current + 1).find(r => r.status === undefined || r.status === 'succeeded')
    if (!previous) throw new UserError(`${app} has no earlier release to roll back to.`)
    target = previous
  } else {
    target = await api.get<Release>(paths.app(app).release(opts.version))
  }

  const spinner = await out.spinner(`Rolling back ${app} to v${target.version}`)
  let created: Release
  try {
    created = await api.post<Release>(paths.app(app).release(), {release: target.id})
  } catch (error) {
    spinner.fail()
    throw error
  }

  spinner.succeed(`done, v${created.version}`)
  out.info('Rollback affects code and config vars; it does not roll back add-ons or databases.')
  return created
}

/**
 * What the release's release command printed (the release phase), from its output_stream_url;
 * the newest release by default.
 */
export async function releaseOutput(opts: {api: ApiClient, app: string, fetchImpl?: typeof fetch, out: Output, version?: number}): Promise<{output: string, release: Release}> {
  const release = await findRelease(opts.api, opts.app, opts.version)
  const url = (release as {output_stream_url?: null | string}).output_stream_url
  if (!url) throw new UserError(`Release v${release.version} of ${opts.app} has no release command output.`, {hint: 'Only apps whose Procfile declares a release process type run a release command.'})
  const response = await (opts.fetchImpl ?? await fetchFor(url))(url, {signal: AbortSignal.timeout(30_000)}).catch((error: Error) => {
    throw new UserError(`Could not read the output of release v${release.version}: ${error.message}`)
  })
  if (!response.ok) throw new UserError(`Could not read the output of release v${release.version}: HTTP ${response.status}.`)
  const output = await response.text()
  opts.out.log(output.replace(/\n$/, ''))
  return {release, output}
}

/** Runs the newest release's release phase again: a new release of the same slug (and today's config). */
export async function retryRelease(opts: {api: ApiClient, app: string, out: Output}): Promise<Release> {
  const {api, out, app} = opts
  const latest = await findRelease(api, app)
  if (!latest.slug?.id) throw new UserError(`Release v${latest.version} of ${app} has no code to release again.`, {hint: 'Deploy with git push first.'})
  const spinner = await out.spinner(`Retrying v${latest.version} on ${app}`)
  let created: Release
  try {
    created = await api.post<Release>(paths.app(app).release(), {slug: latest.slug.id, description: `Retry of v${latest.version}: ${latest.description}`})
  } catch (error) {
    spinner.fail()
    throw error
  }

  spinner.succeed(`done, v${created.version}`)
  if (created.status === 'pending') out.info(`The release command runs now: heroku releases:output v${created.version} -a ${app}`)
  return created
}
