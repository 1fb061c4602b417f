// An app's buildpacks: GET and PUT /apps/{app}/buildpack-installations. Every change reads the
// current list, edits it locally and PUTs the whole list back, as the API replaces it at once.
import type {BuildpackInstallations} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {UsageError, UserError} from '../errors.js'

export type Installation = BuildpackInstallations

interface Options {
  api: ApiClient
  app: string
  out: Output
}

const urlOf = (installation: Installation): string => installation.buildpack?.url ?? installation.buildpack?.name ?? ''

function sorted(installations: Installation[]): Installation[] {
  return [...installations].sort((a, b) => (a.ordinal ?? 0) - (b.ordinal ?? 0))
}

async function fetchInstallations(api: ApiClient, app: string): Promise<Installation[]> {
  return sorted(await api.get<Installation[]>(paths.app(app).buildpackInstallations()))
}

async function putInstallations(api: ApiClient, app: string, urls: string[]): Promise<Installation[]> {
  return sorted(await api.request<Installation[]>(paths.app(app).buildpackInstallations(), {method: 'PUT', body: {updates: urls.map(buildpack => ({buildpack}))}}).then(r => r.body))
}

const matches = (installation: Installation, buildpack: string): boolean =>
  installation.buildpack?.url === buildpack || installation.buildpack?.name === buildpack

/** "1. a" lines, or the single URL alone */
function renderList(out: Output, installations: Installation[], indent = ''): void {
  if (installations.length === 1) {
    out.log(`${indent}${urlOf(installations[0])}`)
    return
  }

  for (const [i, installation] of installations.entries()) out.log(`${indent}${i + 1}. ${urlOf(installation)}`)
}

/** "Next release on APP will use …" after a change */
function renderNext(out: Output, app: string, verb: string, installations: Installation[]): void {
  if (installations.length === 0) {
    out.log(`${verb} Next release on ${app} will detect buildpacks normally.`)
    return
  }

  if (installations.length === 1) {
    out.log(`${verb} Next release on ${app} will use ${urlOf(installations[0])}.`)
  } else {
    out.log(`${verb} Next release on ${app} will use:`)
    renderList(out, installations, '  ')
  }

  out.log(`Run git push heroku main to create a new release using ${installations.length === 1 ? 'this buildpack' : 'these buildpacks'}.`)
}

/** `heroku buildpacks`: the app's buildpacks in the order they run. */
export async function listBuildpacks(opts: Options): Promise<Installation[]> {
  const installations = await fetchInstallations(opts.api, opts.app)
  if (installations.length === 0) {
    opts.out.log(`${opts.app} has no Buildpack URL set.`)
    return installations
  }

  opts.out.heading(`${opts.app} Buildpack URL${installations.length === 1 ? '' : 's'}`)
  renderList(opts.out, installations)
  return installations
}

/** 1-based index from a flag, checked against the positions that may be used. */
function checkIndex(index: number, max: number): number {
  if (!Number.isInteger(index) || index < 1 || index > max) {
    throw new UsageError(max === 1 ? 'Invalid index. Only valid value is 1.' : `Invalid index. Please choose a value between 1 and ${max}.`)
  }

  return index
}

function refuseDuplicate(installations: Installation[], buildpack: string, exceptIndex?: number): void {
  const at = installations.findIndex(i => matches(i, buildpack))
  if (at !== -1 && at + 1 !== exceptIndex) throw new UserError(`The buildpack ${buildpack} is already set on your app.`)
}

/** `buildpacks:set`: replaces the buildpack at INDEX (1 by default; one past the end appends). */
export async function setBuildpack(opts: Options & {buildpack: string, index?: number}): Promise<Installation[]> {
  const current = await fetchInstallations(opts.api, opts.app)
  const index = checkIndex(opts.index ?? 1, current.length + 1)
  refuseDuplicate(current, opts.buildpack, index)
  const urls = current.map(installation => urlOf(installation))
  urls.splice(index - 1, 1, opts.buildpack)
  const updated = await putInstallations(opts.api, opts.app, urls)
  renderNext(opts.out, opts.app, 'Buildpack set.', updated)
  return updated
}

/** `buildpacks:add`: inserts a buildpack at INDEX (the end by default). */
export async function addBuildpack(opts: Options & {buildpack: string, index?: number}): Promise<Installation[]> {
  const current = await fetchInstallations(opts.api, opts.app)
  const index = checkIndex(opts.index ?? current.length + 1, current.length + 1)
  refuseDuplicate(current, opts.buildpack)
  const urls = current.map(installation => urlOf(installation))
  urls.splice(index - 1, 0, opts.buildpack)
  const updated = await putInstallations(opts.api, opts.app, urls)
  renderNext(opts.out, opts.app, 'Buildpack added.', updated)
  return updated
}

/** `buildpacks:remove`: by URL or name, or by INDEX. */
export async function removeBuildpack(opts: Options & {buildpack?: string, index?: number}): Promise<Installation[]> {
  if ((opts.buildpack === undefined) === (opts.index === undefined)) {
    throw new UsageError('Give either a buildpack URL or --index, not both and not neither.', {hint: 'See heroku buildpacks for the list.'})
  }

  const current = await fetchInstallations(opts.api, opts.app)
  if (current.length === 0) throw new UserError(`${opts.app} has no buildpacks to remove.`)
  let at: number
  if (opts.index === undefined) {
    at = current.findIndex(i => matches(i, opts.buildpack!))
    if (at < 0) throw new UserError('Buildpack not found. Nothing was removed.', {hint: 'See heroku buildpacks for the list.'})
  } else {
    at = checkIndex(opts.index, current.length) - 1
  }

  const urls = current.map(installation => urlOf(installation))
  urls.splice(at, 1)
  const updated = await putInstallations(opts.api, opts.app, urls)
  renderNext(opts.out, opts.app, 'Buildpack removed.', updated)
  return updated
}

/** `buildpacks:clear`: no buildpacks set, so the next build detects them. */
export async function clearBuildpacks(opts: Options): Promise<Installation[]> {
  const updated = await putInstallations(opts.api, opts.app, [])
  opts.out.log(`Buildpacks cleared. Next release on ${opts.app} will detect buildpacks normally.`)
  return updated
}
