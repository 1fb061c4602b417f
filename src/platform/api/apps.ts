// Apps: create (named or generated), list, info by id or name, rename/maintenance, delete.
import {lstatSync, readdirSync} from 'node:fs'
import {rm} from 'node:fs/promises'
import {join} from 'node:path'

import type {ApiRoute, PlatformContext, RequestContext} from './context.js'

import {destroyAddon} from '../addons/lifecycle.js'
import {commitChange, releaseApp} from '../changes.js'
import {repoDir} from '../git/repos.js'
import {isBoolean, isIdentity, isString, isStringArray, parseBody} from '../http/body.js'
import {invalidParams} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {APP_NAME, generateAppName} from '../names.js'
import {type AccountRow, findAccountById} from '../store/accounts.js'
import {listAccountAddons} from '../store/addons.js'
import {appNameTaken, type AppRow, deleteApp, findAppById, insertApp, isAppOwner, listUsableApps, updateApp} from '../store/apps.js'
import {hostnameTaken, insertDomain, renameDefaultDomain} from '../store/domains.js'
import {currentRelease} from '../store/releases.js'
import {findSlugById, listSlugIds} from '../store/slugs.js'
import {requireSelf} from './account.js'
import {slugBlobPath} from './capability-urls.js'
import {GENERATION, REGION, STACK} from './regions-stacks.js'
import {ownerOnly, requireApp, requireOwnedApp} from './resolve.js'

/** Bytes in a directory tree (regular files, links not followed); null when it cannot be read (no repo yet). */
function treeSize(dir: string): null | number {
  let total = 0
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, {withFileTypes: true})) {
      const full = join(path, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.isFile()) total += lstatSync(full).size
    }
  }

  try {
    walk(dir)
  } catch {
    return null
  }

  return total
}

/** What the app runs: its current release's slug (size and buildpack description), if it has one. */
function runningSlug(platform: PlatformContext, app: AppRow) {
  const slugId = currentRelease(platform.store, app.id)?.slug_id
  return slugId ? findSlugById(platform.store, slugId) : undefined
}

/** The app as the API shows it; `owner` is looked up from the app when not given (a collaborator sees the real owner). */
export function serializeApp(platform: PlatformContext, app: AppRow, given?: AccountRow): object {
  const owner = given?.id === app.owner_id ? given : findAccountById(platform.store, app.owner_id) ?? {email: 'deleted-user@localhost', id: app.owner_id}
  const slug = runningSlug(platform, app)
  return {
    acm: false,
    archived_at: null,
    buildpack_provided_description: slug?.buildpack_provided_description ?? null,
    build_stack: STACK,
    created_at: app.created_at,
    generation: GENERATION,
    git_url: platform.urls.gitUrl(app.name),
    id: app.id,
    internal_routing: null,
    maintenance: app.maintenance === 1,
    name: app.name,
    owner: {email: owner.email, id: owner.id},
    organization: null,
    team: null,
    region: REGION,
    released_at: app.released_at,
    // as Heroku: the git repo's and the running slug's size in bytes (null: no repo, no slug)
    repo_size: treeSize(repoDir(platform.dataDir, app.id)),
    slug_size: slug?.size ?? null,
    space: null,
    stack: STACK,
    updated_at: app.updated_at,
    web_url: platform.urls.appWebUrl(app.name),
  }
}

/** Taken by an app, or by a custom domain holding its default hostname (stored before that namespace was reserved). */
function appNameInUse(platform: PlatformContext, name: string): boolean {
  return appNameTaken(platform.store, name) || hostnameTaken(platform.store, platform.urls.appHostname(name))
}

function checkAppName(ctx: RequestContext, name: string): string {
  if (!APP_NAME.test(name)) {
    throw invalidParams(`Name ${JSON.stringify(name)} is invalid: it must start with a letter, contain only lowercase letters, digits and dashes, not end with a dash, and be 3 to 30 characters long.`)
  }

  if (appNameInUse(ctx.platform, name)) throw invalidParams(`Name ${name} is already taken.`)
  return name
}

function checkRegion(value: unknown, field: string): string {
  const region = isIdentity(value, field)
  if (region !== REGION.name && region !== REGION.id) throw invalidParams(`Unknown region ${region}: this platform has the region "${REGION.name}" only.`)
  return region
}

function checkStack(value: unknown, field: string): string {
  const stack = isIdentity(value, field)
  if (stack !== STACK.name && stack !== STACK.id) throw invalidParams(`Unknown stack ${stack}: this platform has the stack "${STACK.name}" only.`)
  return stack
}

const createBody = {
  name: isString,
  region: checkRegion,
  stack: checkStack,
  feature_flags(value: unknown, field: string) {
    const flags = isStringArray(value, field)
    if (flags.length > 0) throw invalidParams(`Feature flags are not supported by this platform (got ${flags.join(', ')}).`)
    return flags
  },
}

function create(ctx: RequestContext) {
  const body = parseBody(ctx.body, createBody)
  const {platform} = ctx
  const app = commitChange(platform, pending => {
    const name = body.name === undefined ? generateAppName(n => appNameInUse(platform, n)) : checkAppName(ctx, body.name)
    const created = insertApp(platform.store, {name, ownerId: ctx.account.id})
    insertDomain(platform.store, {appId: created.id, hostname: platform.urls.appHostname(name), kind: 'heroku'})
    pending.add('app.created', {appId: created.id, appName: name})
    releaseApp(platform.store, pending, created, {userId: ctx.account.id, description: 'Initial release', config: {}, slugId: null})
    return created
  })
  return json(serializeApp(platform, findAppById(platform.store, app.id)!, ctx.account), 201)
}

const updateBody = {name: isString, maintenance: isBoolean, build_stack: checkStack}

function update(ctx: RequestContext) {
  const app = requireApp(ctx)
  const body = parseBody(ctx.body, updateBody)
  const {platform} = ctx
  const updated = commitChange(platform, pending => {
    const renamed = body.name !== undefined && body.name !== app.name
    if (renamed && !isAppOwner(app, ctx.account.id)) ownerOnly(ctx, app, 'rename it')
    if (renamed) checkAppName(ctx, body.name!)
    const result = updateApp(platform.store, app.id, {name: body.name, maintenance: body.maintenance})
    if (renamed) {
      renameDefaultDomain(platform.store, app.id, platform.urls.appHostname(result.name))
      pending.add('app.renamed', {appId: app.id, appName: result.name, previousName: app.name})
    }

    if (body.maintenance !== undefined && body.maintenance !== (app.maintenance === 1)) {
      pending.add('app.maintenance.changed', {appId: app.id, appName: result.name, maintenance: body.maintenance})
    }

    return result
  })
  return json(serializeApp(platform, updated, ctx.account))
}

async function destroy(ctx: RequestContext) {
  const app = requireOwnedApp(ctx, 'destroy it')
  const {platform} = ctx
  // Add-ons billed to the app hold real resources: release them first, one by one, so a
  // provider failure leaves the app (and the remaining add-ons) in place to retry.
  for (const addon of listAccountAddons(platform.store, ctx.account.id).filter(a => a.app_id === app.id)) {
    await destroyAddon(platform, ctx.account, addon)
  }

  const slugIds = commitChange(platform, pending => {
    const ids = listSlugIds(platform.store, app.id)
    deleteApp(platform.store, app.id)
    pending.add('app.deleted', {appId: app.id, appName: app.name})
    return ids
  })
  // Slug tarballs are files beside the database; the records are gone, so are they.
  await Promise.all(slugIds.map(id => rm(slugBlobPath(platform.dataDir, id), {force: true}).catch(error => {
    platform.log(`could not remove the slug file of ${id}: ${(error as Error).message}`)
  })))
  return json(serializeApp(platform, app, ctx.account))
}

/** Apps the account owns and those it collaborates on, as on Heroku. */
const listApps = (ctx: RequestContext) => list(listUsableApps(ctx.platform.store, ctx.account.id).map(app => serializeApp(ctx.platform, app, ctx.account)), {fields: ['id', 'name']})

export const appRoutes: ApiRoute[] = [
  {method: 'POST', path: '/apps', handler: create},
  {method: 'GET', path: '/apps', handler: listApps},
  {
    method: 'GET',
    path: '/users/{user}/apps',
    handler(ctx) {
      requireSelf(ctx)
      return listApps(ctx)
    },
  },
  {method: 'GET', path: '/apps/{app}', handler: ctx => json(serializeApp(ctx.platform, requireApp(ctx), ctx.account))},
  {method: 'PATCH', path: '/apps/{app}', handler: update},
  {method: 'DELETE', path: '/apps/{app}', handler: destroy},
]
