import type {Release} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import {UsageError, UserError} from '../errors.js'
import type {Output} from '../ui/output.js'
import {ago} from './age.js'

const releasesPath = (app: string) => `/apps/${encodeURIComponent(app)}/releases`

/** `v12` or `12` → 12; anything else is a usage error. */
export function parseVersion(text: string): number {
  const match = /^v?(\d+)$/i.exec(text.trim())
  if (!match) throw new UsageError(`${text} is not a release version.`, {hint: 'Give a version such as v12 (see heroku releases).'})
  return Number(match[1])
}

/** The newest releases first (Range: version ..; order=desc,max=N). */
export async function listReleases(opts: {api: ApiClient; out: Output; app: string; num: number}): Promise<Release[]> {
  const {api, out, app} = opts
  const releases = await api.list<Release>(releasesPath(app), {limit: opts.num, max: opts.num, order: 'desc', sortBy: 'version'})
  if (releases.length === 0) {
    out.log(`${app} has no releases.`)
    return releases
  }

  out.heading(`${app} Releases`)
  await out.table(releases, [
    {get: r => `v${r.version}`, header: 'Version'},
    {get: r => (r.status && r.status !== 'succeeded' ? `${r.description} (${r.status})` : r.description), header: 'Description'},
    {get: r => r.user?.email, header: 'By'},
    {get: r => `${r.created_at ?? ''} (${ago(r.created_at)})`, header: 'When'},
  ])
  return releases
}

export async function findRelease(api: ApiClient, app: string, version?: number): Promise<Release> {
  if (version !== undefined) return api.get<Release>(`${releasesPath(app)}/${version}`)
  const [latest] = await api.list<Release>(releasesPath(app), {limit: 1, max: 1, order: 'desc', sortBy: 'version'})
  if (!latest) throw new UserError(`${app} has no releases yet.`, {hint: 'Deploy with git push first.'})
  return latest
}

/** GET one release (the newest when no version is given). */
export async function releaseInfo(opts: {api: ApiClient; out: Output; app: string; version?: number}): Promise<Release> {
  const release = await findRelease(opts.api, opts.app, opts.version)
  opts.out.heading(`Release v${release.version}`)
  opts.out.keyValues([
    ['Add-ons', (release.addon_plan_names ?? []).join(', ')],
    ['Change', release.description],
    ['By', release.user?.email],
    ['When', release.created_at],
    ['Status', release.status],
    ['Current', release.current === undefined ? undefined : (release.current ? 'yes' : 'no')],
  ])
  return release
}

/**
 * Rolls back to the given version, or to the one before the newest: POST /apps/{app}/releases
 * {release: id}. Returns the new release.
 */
export async function rollback(opts: {api: ApiClient; out: Output; app: string; version?: number}): Promise<Release> {
  const {api, out, app} = opts
  let target: Release
  if (opts.version === undefined) {
    const [, previous] = await api.list<Release>(releasesPath(app), {limit: 2, max: 2, order: 'desc', sortBy: 'version'})
    if (!previous) throw new UserError(`${app} has no earlier release to roll back to.`)
    target = previous
  } else {
    target = await api.get<Release>(`${releasesPath(app)}/${opts.version}`)
  }

  const spinner = await out.spinner(`Rolling back ${app} to v${target.version}`)
  let created: Release
  try {
    created = await api.post<Release>(releasesPath(app), {release: target.id})
  } catch (error) {
    spinner.fail()
    throw error
  }

  spinner.succeed(`done, v${created.version}`)
  out.info('Rollback affects code and config vars; it does not roll back add-ons or databases.')
  return created
}
