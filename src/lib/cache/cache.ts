// The router cache of an app on the local platform: its counters and purging it. These two
// endpoints are the local platform's own, outside the Platform API v3 schema: another platform
// answers 404 without naming the app, and that is said plainly.
import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {ApiError} from '../api/api-error.js'
import {paths} from '../api/paths.js'
import {UsageError, UserError} from '../errors.js'

export interface CacheStats {
  app: {id: string, name: string}
  bypass: number
  bytes: number
  entries: number
  evictions: number
  hit_ratio: number
  hits: number
  max_bytes: number
  misses: number
  revalidated: number
  stale: number
}

export interface CachePurge {
  app: {id: string, name: string}
  paths: string[]
  purged: number
}

/** A 404 that is not about the app: the platform has no such API (e.g. Heroku itself). */
async function platformOwn<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && error.resource !== 'app') {
      throw new UserError('This platform has no router cache API.', {hint: 'heroku cache:* works with the local platform (heroku platform:start); on Heroku, use a CDN or an add-on.', cause: error})
    }

    throw error
  }
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** GET /apps/{app}/cache, shown as `Key: value` lines. */
export async function cacheStats(opts: {api: ApiClient, app: string, out: Output}): Promise<CacheStats> {
  const stats = await platformOwn(() => opts.api.get<CacheStats>(paths.app(opts.app).cache()))
  opts.out.heading(`${stats.app.name} Router Cache`)
  opts.out.keyValues([
    ['Hit ratio', `${(stats.hit_ratio * 100).toFixed(1)}%`],
    ['Hits', stats.hits],
    ['Revalidated', stats.revalidated],
    ['Stale', stats.stale],
    ['Misses', stats.misses],
    ['Bypass', stats.bypass],
    ['Entries', stats.entries],
    ['Size', `${size(stats.bytes)} of ${size(stats.max_bytes)}`],
    ['Evictions', stats.evictions],
  ])
  return stats
}

/** Request targets to purge: absolute paths, optionally with a query. */
export function parsePaths(paths: readonly string[]): string[] {
  for (const path of paths) {
    if (!path.startsWith('/')) throw new UsageError(`${path} is not a path.`, {hint: 'Give paths as they appear in URLs, starting with / (e.g. /index.html).'})
  }

  return [...paths]
}

/** POST /apps/{app}/cache/purge: the given paths (any query) or, without paths, everything. */
export async function cachePurge(opts: {api: ApiClient, app: string, out: Output, paths: string[]}): Promise<CachePurge> {
  const result = await platformOwn(() => opts.api.post<CachePurge>(paths.app(opts.app).cachePurge(), opts.paths.length === 0 ? {} : {paths: opts.paths}))
  const what = opts.paths.length === 0 ? 'everything' : opts.paths.join(', ')
  opts.out.log(`Purged ${what} from ${result.app.name}'s router cache: ${result.purged} ${result.purged === 1 ? 'response' : 'responses'}.`)
  return result
}
