import type {Release} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'

import {paths} from '../api/paths.js'

/** The app's newest releases first, at most `count` (Range: version ..; order=desc,max=count). */
export function newestReleases(api: ApiClient, app: string, count: number): Promise<Release[]> {
  return api.list<Release>(paths.app(app).release(), {limit: count, max: count, order: 'desc', sortBy: 'version'})
}

/** The app's newest release, or undefined when it has none yet. */
export async function newestRelease(api: ApiClient, app: string): Promise<Release | undefined> {
  const [release] = await newestReleases(api, app, 1)
  return release
}
