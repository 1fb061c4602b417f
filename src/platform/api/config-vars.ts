// Config vars: GET is the app's current config (stored as JSON, sent as is); PATCH merges, with
// null unsetting a key, and makes a release in the same transaction.

import type {ApiRoute, RequestContext} from './context.js'

import {commitChange, releaseApp} from '../changes.js'
import {assertConfigFits, assertConfigVarName, assertConfigVarValue} from '../config-limits.js'
import {invalidParams, notFound} from '../http/errors.js'
import {json, rawJson} from '../http/router.js'
import {findAppById, parseConfig} from '../store/apps.js'
import {findRelease} from '../store/releases.js'
import {requireApp, requireParam} from './resolve.js'

function parseConfigPatch(body: unknown): Record<string, null | string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidParams('Request body must be a JSON object of config vars, e.g. {"FOO": "bar", "OLD": null}.')
  }

  for (const [key, value] of Object.entries(body)) {
    // unsetting is always allowed: it is how a name stored before these checks is got rid of
    if (value === null) continue
    assertConfigVarName(key)
    if (typeof value !== 'string') throw invalidParams(`Config var ${key} must be a string (or null to unset it), not ${typeof value}.`)
    assertConfigVarValue(key, value)
  }

  return body as Record<string, null | string>
}

function describe(set: string[], removed: string[]): string {
  const parts: string[] = []
  if (set.length > 0) parts.push(`Set ${set.join(', ')}`)
  if (removed.length > 0) parts.push(`${set.length > 0 ? 'remove' : 'Remove'} ${removed.join(', ')}`)
  return `${parts.join('; ')} config vars`
}

function update(ctx: RequestContext) {
  const app = requireApp(ctx)
  const patch = parseConfigPatch(ctx.body)
  const {store} = ctx.platform
  const config = commitChange(ctx.platform, pending => {
    const current = findAppById(store, app.id)!
    // A prototype-less map: keys such as "constructor" or "__proto__" are plain config vars here.
    const next: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, parseConfig(current.config))
    const set: string[] = []
    const removed: string[] = []
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) {
        if (Object.hasOwn(next, key)) {
          delete next[key]
          removed.push(key)
        }
      } else if (!Object.hasOwn(next, key) || next[key] !== value) {
        next[key] = value
        set.push(key)
      }
    }

    if (set.length === 0 && removed.length === 0) return next
    assertConfigFits(next)
    releaseApp(store, pending, current, {userId: ctx.account.id, description: describe(set, removed), config: next})
    return next
  })
  return json(config)
}

export const configVarRoutes: ApiRoute[] = [
  {method: 'GET', path: '/apps/{app}/config-vars', handler: ctx => rawJson(requireApp(ctx).config)},
  {method: 'PATCH', path: '/apps/{app}/config-vars', handler: update},
  {
    method: 'GET',
    path: '/apps/{app}/releases/{release}/config-vars',
    handler(ctx) {
      const release = findRelease(ctx.platform.store, requireApp(ctx).id, requireParam(ctx, 'release'))
      if (release === undefined) throw notFound("Couldn't find that release.")
      return rawJson(release.config)
    },
  },
]
