// An app's buildpacks: GET lists them in order, PUT replaces them all. An empty list means
// auto-detection among the built-in buildpacks at the next build. Accepted: the built-in names
// (heroku/nodejs, heroku/static, heroku/procfile and their usual aliases), a classic buildpack
// directory on this machine (absolute path or file:// URL); http(s) URLs are refused with a
// clear message, as the platform cannot download them.

import type {ApiRoute} from './context.js'

import {BuildpackError, canonicalBuildpack} from '../build/buildpacks.js'
import {isString, parseBody} from '../http/body.js'
import {invalidParams} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {listBuildpackInstallations, replaceBuildpackInstallations} from '../store/buildpack-installations.js'
import {requireApp} from './resolve.js'

const serialize = (row: {name: string, ordinal: number, url: string}) => ({ordinal: row.ordinal, buildpack: {url: row.url, name: row.name}})

const updateBody = {
  updates(value: unknown, field: string) {
    if (!Array.isArray(value)) throw invalidParams(`"${field}" must be an array of {"buildpack": "NAME_OR_URL"}.`)
    if (value.length > 16) throw invalidParams('An app can have at most 16 buildpacks.')
    return value.map((item: unknown, i) => {
      const update = parseBody(item, {buildpack: isString}, ['buildpack'])
      try {
        const ref = canonicalBuildpack(update.buildpack!)
        // a built-in keeps the URL it was given (a client removes it by that URL, as on Heroku);
        // its name is the canonical one
        return ref.url.startsWith('file://') ? ref : {url: update.buildpack!.trim(), name: ref.name}
      } catch (error) {
        if (error instanceof BuildpackError) throw invalidParams(`${field}[${i}]: ${error.message}`)
        throw error
      }
    })
  },
}

export const buildpackInstallationRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/apps/{app}/buildpack-installations',
    handler(ctx) {
      const app = requireApp(ctx)
      return list(listBuildpackInstallations(ctx.platform.store, app.id).map(row => serialize(row)), {fields: ['ordinal'], numericFields: ['ordinal']})
    },
  },
  {
    method: 'PUT',
    path: '/apps/{app}/buildpack-installations',
    handler(ctx) {
      const app = requireApp(ctx)
      const body = parseBody(ctx.body, updateBody, ['updates'])
      const buildpacks = body.updates!
      const duplicate = buildpacks.find((b, i) => buildpacks.findIndex(o => o.name === b.name) !== i)
      if (duplicate) throw invalidParams(`Buildpack ${duplicate.name} is listed twice.`)
      const rows = ctx.platform.store.transaction(() => {
        replaceBuildpackInstallations(ctx.platform.store, app.id, buildpacks)
        return listBuildpackInstallations(ctx.platform.store, app.id)
      })
      return json(rows.map(row => serialize(row)))
    },
  },
]
