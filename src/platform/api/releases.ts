// Releases: list, info (by id or version), deploy a slug, roll back to an earlier release.

import type {Store} from '../store/database.js'
import type {ApiRoute, PlatformUrls, RequestContext} from './context.js'

import {commitChange, releaseApp} from '../changes.js'
import {isIdentity, isText, MAX_LABEL_LENGTH, parseBody} from '../http/body.js'
import {invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {type AccountRow, findAccountById} from '../store/accounts.js'
import {type AppRow, findAppById, parseConfig} from '../store/apps.js'
import {currentRelease, findRelease, listReleases, type ReleaseRow} from '../store/releases.js'
import {findSlug} from '../store/slugs.js'
import {appRef, requireApp, requireParam} from './resolve.js'

/** Looks up release authors once per response. */
function userLookup(store: Store): (id: string) => {email: string, id: string} {
  const cache = new Map<string, AccountRow | undefined>()
  return id => {
    if (!cache.has(id)) cache.set(id, findAccountById(store, id))
    const account = cache.get(id)
    return {id, email: account?.email ?? 'deleted-user@localhost'}
  }
}

export function serializeRelease(app: AppRow, release: ReleaseRow, currentVersion: number, user: (id: string) => {email: string, id: string}, urls?: PlatformUrls): object {
  const current = release.version === currentVersion
  return {
    addon_plan_names: JSON.parse(release.addon_plan_names) as string[],
    artifacts: release.slug_id === null ? [] : [{type: 'slug', id: release.slug_id}],
    app: appRef(app),
    created_at: release.created_at,
    description: release.description,
    id: release.id,
    updated_at: release.updated_at,
    slug: release.slug_id === null ? null : {id: release.slug_id},
    status: release.status,
    user: user(release.user_id),
    version: release.version,
    current,
    // a release with a release phase has its command's output; others have none
    output_stream_url: urls && (release.status !== 'succeeded' || release.output !== '') ? urls.releaseOutputUrl(release.id) : null,
    eligible_for_rollback: !current && release.status === 'succeeded',
  }
}

const createBody = {
  slug: isIdentity,
  release: isIdentity,
  description: isText(MAX_LABEL_LENGTH),
  oci_image(): never {
    throw invalidParams('OCI images are not supported by this platform; deploy a slug (git push) instead.')
  },
}

function create(ctx: RequestContext) {
  const app = requireApp(ctx)
  const body = parseBody(ctx.body, createBody)
  if ((body.slug === undefined) === (body.release === undefined)) throw invalidParams('Give either "slug" (to deploy it) or "release" (to roll back to it).')
  const {store} = ctx.platform
  const release = commitChange(ctx.platform, pending => {
    const current = findAppById(store, app.id)!
    if (body.release !== undefined) {
      const target = findRelease(store, app.id, body.release)
      if (target === undefined) throw notFound("Couldn't find that release.")
      return releaseApp(store, pending, current, {
        userId: ctx.account.id, description: body.description ?? `Rollback to v${target.version}`, config: parseConfig(target.config), slugId: target.slug_id,
      })
    }

    const slug = findSlug(store, app.id, body.slug!)
    if (slug === undefined) throw notFound("Couldn't find that slug.")
    return releaseApp(store, pending, current, {
      userId: ctx.account.id, description: body.description ?? `Deploy ${slug.commit_sha?.slice(0, 8) ?? slug.id.slice(0, 8)}`, config: parseConfig(current.config), slugId: slug.id,
    })
  })
  return json(serializeRelease(app, release, currentRelease(store, app.id)?.version ?? 0, userLookup(store), ctx.platform.urls), 201)
}

export const releaseRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/apps/{app}/releases',
    handler(ctx) {
      const app = requireApp(ctx)
      const releases = listReleases(ctx.platform.store, app.id)
      const current = currentRelease(ctx.platform.store, app.id)?.version ?? 0
      const user = userLookup(ctx.platform.store)
      return list(releases.map(r => serializeRelease(app, r, current, user, ctx.platform.urls)), {fields: ['version', 'id'], numericFields: ['version']})
    },
  },
  {
    method: 'GET',
    path: '/apps/{app}/releases/{release}',
    handler(ctx) {
      const app = requireApp(ctx)
      const release = findRelease(ctx.platform.store, app.id, requireParam(ctx, 'release'))
      if (release === undefined) throw notFound("Couldn't find that release.")
      return json(serializeRelease(app, release, currentRelease(ctx.platform.store, app.id)?.version ?? 0, userLookup(ctx.platform.store), ctx.platform.urls))
    },
  },
  {method: 'POST', path: '/apps/{app}/releases', handler: create},
]
