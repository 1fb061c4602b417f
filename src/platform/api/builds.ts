// Builds are recorded here and announced with build.created; the deployer (build/deployer.ts)
// picks them up, fetches the source_blob, builds and releases it. git push builds are made there.

import type {AppRow} from '../store/apps.js'
import type {ApiRoute, PlatformContext} from './context.js'

import {commitChange} from '../changes.js'
import {isNullable, isObject, isText, MAX_LABEL_LENGTH, MAX_PROSE_LENGTH, parseBody} from '../http/body.js'
import {invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {findAccountById} from '../store/accounts.js'
import {type BuildRow, findBuild, insertBuild, listBuilds, type SourceBlob} from '../store/builds.js'
import {STACK} from './regions-stacks.js'
import {requireApp, requireParam} from './resolve.js'

export function serializeBuild(platform: PlatformContext, app: AppRow, build: BuildRow): object {
  const user = findAccountById(platform.store, build.user_id)
  return {
    app: {id: app.id},
    buildpacks: build.buildpacks === null ? null : JSON.parse(build.buildpacks) as object[],
    created_at: build.created_at,
    generation: 'cedar',
    id: build.id,
    output_stream_url: platform.urls.buildOutputUrl(build.id),
    source_blob: JSON.parse(build.source_blob) as SourceBlob,
    release: build.release_id === null ? null : {id: build.release_id},
    slug: build.slug_id === null ? null : {id: build.slug_id},
    stack: STACK.name,
    status: build.status,
    updated_at: build.updated_at,
    user: {id: build.user_id, email: user?.email ?? 'deleted-user@localhost'},
  }
}

/** Heroku takes at most this many buildpacks on an app (buildpack-installations says the same). */
const MAX_BUILDPACKS = 16
/** Browsers and servers commonly refuse URLs longer than this. */
const MAX_URL_LENGTH = 2048

const sourceBlobSpec = isObject({
  url: isText(MAX_URL_LENGTH),
  checksum: isNullable(isText(MAX_LABEL_LENGTH)),
  version: isNullable(isText(MAX_LABEL_LENGTH)),
  version_description: isNullable(isText(MAX_PROSE_LENGTH)),
}, ['url'])

const createBody = {
  source_blob: sourceBlobSpec,
  buildpacks(value: unknown, field: string) {
    if (value === null) return null
    if (!Array.isArray(value)) throw invalidParams(`"${field}" must be an array of {url} or {name}.`)
    if (value.length > MAX_BUILDPACKS) throw invalidParams(`A build can use at most ${MAX_BUILDPACKS} buildpacks ("${field}" lists ${value.length}).`)
    return value.map((item, i) => {
      const buildpack = isObject({url: isText(MAX_URL_LENGTH), name: isText(MAX_LABEL_LENGTH)})(item, `${field}[${i}]`)
      if (buildpack.url === undefined && buildpack.name === undefined) throw invalidParams(`"${field}[${i}]" needs a url or a name.`)
      return buildpack
    })
  },
}

export const buildRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/apps/{app}/builds',
    handler(ctx) {
      const app = requireApp(ctx)
      const body = parseBody(ctx.body, createBody, ['source_blob'])
      const blob = body.source_blob!
      if (!/^https?:\/\//i.test(blob.url!)) throw invalidParams('"source_blob.url" must be an http(s) URL.')
      const build = commitChange(ctx.platform, pending => {
        const created = insertBuild(ctx.platform.store, {
          appId: app.id,
          userId: ctx.account.id,
          sourceBlob: {url: blob.url!, checksum: blob.checksum ?? null, version: blob.version ?? null, version_description: blob.version_description ?? null},
          buildpacks: body.buildpacks ?? null,
        })
        pending.add('build.created', {appId: app.id, appName: app.name, buildId: created.id})
        return created
      })
      return json(serializeBuild(ctx.platform, app, build), 201)
    },
  },
  {
    method: 'GET',
    path: '/apps/{app}/builds',
    handler(ctx) {
      const app = requireApp(ctx)
      return list(listBuilds(ctx.platform.store, app.id).map(b => serializeBuild(ctx.platform, app, b)), {fields: ['id', 'created_at']})
    },
  },
  {
    method: 'GET',
    path: '/apps/{app}/builds/{build}',
    handler(ctx) {
      const app = requireApp(ctx)
      const build = findBuild(ctx.platform.store, app.id, requireParam(ctx, 'build'))
      if (build === undefined) throw notFound("Couldn't find that build.")
      return json(serializeBuild(ctx.platform, app, build))
    },
  },
]
