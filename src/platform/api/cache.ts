// The router's HTTP cache of an app: its counters (GET) and purging it, whole or by path (POST).
// Not part of the Platform API v3 schema: a small API of this platform's own (docs/runtime.md).

import type {ApiRoute, RequestContext} from './context.js'

import {isStringArray, parseBody} from '../http/body.js'
import {ApiError, invalidParams} from '../http/errors.js'
import {json} from '../http/router.js'
import {cacheOf, type RouterCache} from '../router/cache/router-cache.js'
import {appRef, requireApp} from './resolve.js'

const MAX_PATHS = 100
const MAX_PATH_LENGTH = 2048

function requireCache(ctx: RequestContext): RouterCache {
  const cache = cacheOf(ctx.platform.store)
  if (!cache) throw new ApiError(503, 'service_unavailable', 'This platform runs its router without an HTTP cache.')
  return cache
}

function checkPaths(value: unknown, field: string): string[] {
  const paths = isStringArray(value, field)
  if (paths.length > MAX_PATHS) throw invalidParams(`"${field}" may name at most ${MAX_PATHS} paths.`)
  for (const path of paths) {
    if (!path.startsWith('/') || path.length > MAX_PATH_LENGTH || path.includes('\0')) throw invalidParams(`Path ${JSON.stringify(path.slice(0, 80))} must start with "/" and be at most ${MAX_PATH_LENGTH} characters.`)
  }

  return paths
}

export const cacheRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/apps/{app}/cache',
    handler(ctx) {
      const app = requireApp(ctx)
      const stats = requireCache(ctx).stats(app.id)
      const lookups = stats.hits + stats.stale + stats.revalidated + stats.misses
      const served = stats.hits + stats.stale + stats.revalidated
      return json({app: appRef(app), ...stats, hit_ratio: lookups === 0 ? 0 : served / lookups})
    },
  },
  {
    method: 'POST',
    path: '/apps/{app}/cache/purge',
    handler(ctx) {
      const app = requireApp(ctx)
      const body = parseBody(ctx.body ?? {}, {paths: checkPaths})
      const purged = requireCache(ctx).purge(app.id, body.paths === undefined || body.paths.length === 0 ? undefined : body.paths)
      return json({app: appRef(app), paths: body.paths ?? [], purged})
    },
  },
]
