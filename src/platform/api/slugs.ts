// Slugs: records of built app bundles. POST returns a blob URL the client PUTs the tarball to
// (see capability-urls.ts); a release can then run the slug.

import type {ApiRoute, PlatformContext} from './context.js'

import {assertCommand} from '../config-limits.js'
import {isIdentity, isNullable, isNullableString, isText, MAX_LABEL_LENGTH, MAX_PROSE_LENGTH, parseBody} from '../http/body.js'
import {invalidParams, notFound} from '../http/errors.js'
import {json} from '../http/router.js'
import {findSlug, insertSlug, type SlugRow} from '../store/slugs.js'
import {STACK} from './regions-stacks.js'
import {requireApp, requireParam} from './resolve.js'

const PROCESS_TYPE = /^[-\w]{1,128}$/

export function serializeSlug(platform: PlatformContext, slug: SlugRow): object {
  return {
    blob: {method: 'PUT', url: platform.urls.slugBlobUrl(slug.id)},
    buildpack_provided_description: slug.buildpack_provided_description,
    checksum: slug.checksum,
    commit: slug.commit_sha,
    commit_description: slug.commit_description,
    created_at: slug.created_at,
    id: slug.id,
    process_types: JSON.parse(slug.process_types) as Record<string, string>,
    size: slug.size,
    stack: STACK,
    updated_at: slug.updated_at,
    deleted_at: null,
  }
}

const createBody = {
  process_types(value: unknown, field: string) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParams(`"${field}" must be an object of process type → command.`)
    for (const [type, command] of Object.entries(value)) {
      if (!PROCESS_TYPE.test(type)) throw invalidParams(`Invalid process type ${JSON.stringify(type)}.`)
      if (typeof command !== 'string') throw invalidParams(`The command of process type ${type} must be a non-empty string.`)
      assertCommand(command, `The command of process type ${type}`)
    }

    return value as Record<string, string>
  },
  buildpack_provided_description: isNullable(isText(MAX_LABEL_LENGTH)),
  checksum(value: unknown, field: string) {
    const checksum = isNullableString(value, field)
    if (checksum !== null && !/^SHA256:[0-9a-f]{64}$/.test(checksum)) throw invalidParams(`"${field}" must look like SHA256:<64 hex digits>.`)
    return checksum
  },
  commit: isNullable(isText(MAX_LABEL_LENGTH)),
  commit_description: isNullable(isText(MAX_PROSE_LENGTH)),
  stack(value: unknown, field: string) {
    const stack = isIdentity(value, field)
    if (stack !== STACK.name && stack !== STACK.id) throw invalidParams(`Unknown stack ${stack}: this platform has the stack "${STACK.name}" only.`)
    return stack
  },
}

export const slugRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/apps/{app}/slugs',
    handler(ctx) {
      const app = requireApp(ctx)
      const body = parseBody(ctx.body, createBody, ['process_types'])
      const slug = ctx.platform.store.transaction(() => insertSlug(ctx.platform.store, {
        appId: app.id, processTypes: body.process_types!, checksum: body.checksum, commit: body.commit, commitDescription: body.commit_description,
        buildpackProvidedDescription: body.buildpack_provided_description,
      }))
      return json(serializeSlug(ctx.platform, slug), 201)
    },
  },
  {
    method: 'GET',
    path: '/apps/{app}/slugs/{slug}',
    handler(ctx) {
      const slug = findSlug(ctx.platform.store, requireApp(ctx).id, requireParam(ctx, 'slug'))
      if (slug === undefined) throw notFound("Couldn't find that slug.")
      return json(serializeSlug(ctx.platform, slug))
    },
  },
]
