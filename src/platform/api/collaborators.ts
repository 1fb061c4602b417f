// Collaborators (the schema's collaborator): accounts other than the owner that may use an app.
// Anyone who may use the app sees the list (the owner first, role "owner", as Heroku lists it);
// only the owner adds or removes collaborators, except that a collaborator may remove itself
// (leave the app). Heroku invites an email that has no account; here the account must exist.

import type {ApiRoute, RequestContext} from './context.js'

import {commitChange} from '../changes.js'
import {isBoolean, parseBody} from '../http/body.js'
import {invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {isUuid, nameBasedId} from '../ids.js'
import {type AccountRow, findAccountByEmail, findAccountById} from '../store/accounts.js'
import {type AppRow, isAppOwner} from '../store/apps.js'
import {type CollaboratorRow, deleteCollaborator, findCollaborator, insertCollaborator, isCollaborator, listCollaborators} from '../store/collaborators.js'
import {appRef, ownerOnly, requireApp, requireOwnedApp, requireParam} from './resolve.js'

interface Entry {
  account: {email: string, id: string}
  created_at: string
  id: string
  role: 'collaborator' | 'owner'
  updated_at: string
}

function serialize(app: AppRow, entry: Entry): object {
  return {
    app: appRef(app),
    created_at: entry.created_at,
    id: entry.id,
    // personal apps have no fine-grained permissions on Heroku (team apps do): none here
    permissions: [],
    role: entry.role,
    updated_at: entry.updated_at,
    user: {email: entry.account.email, federated: false, id: entry.account.id},
  }
}

/** A collaborator (not the owner) as the API shows it: what app webhooks send. */
export const serializeCollaborator = (app: AppRow, row: CollaboratorRow): object => serialize(app, fromRow(row))

const fromRow = (row: CollaboratorRow): Entry => ({id: row.id, account: {id: row.account_id, email: row.email}, role: 'collaborator', created_at: row.created_at, updated_at: row.updated_at})

/** The owner as the list shows it: not a row (apps.owner_id), so a stable id derived from the app and account. */
function ownerEntry(ctx: RequestContext, app: AppRow): Entry {
  const owner = findAccountById(ctx.platform.store, app.owner_id)
  return {
    id: nameBasedId('collaborator-owner', `${app.id}:${app.owner_id}`),
    account: {id: app.owner_id, email: owner?.email ?? 'deleted-user@localhost'},
    role: 'owner',
    created_at: app.created_at,
    updated_at: app.created_at,
  }
}

function findEntry(ctx: RequestContext, app: AppRow, identity: string): Entry | undefined {
  const owner = ownerEntry(ctx, app)
  const lower = identity.toLowerCase()
  if (lower === owner.account.email.toLowerCase() || lower === owner.id || lower === owner.account.id) return owner
  const row = findCollaborator(ctx.platform.store, app.id, identity)
  return row && fromRow(row)
}

function requireEntry(ctx: RequestContext, app: AppRow): Entry {
  const entry = findEntry(ctx, app, requireParam(ctx, 'collaborator'))
  if (entry === undefined) throw notFound(`${requireParam(ctx, 'collaborator')} is not a collaborator on ${app.name}.`, 'collaborator')
  return entry
}

/** "user": an email or account id, or {"email"} / {"id"}; the account must exist. */
function userField(value: unknown, field: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim()
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const {email, id} = value as {email?: unknown, id?: unknown}
    if (typeof email === 'string' && email.trim() !== '') return email.trim()
    if (typeof id === 'string' && id !== '') return id
  }

  throw invalidParams(`"${field}" must be the email address (or id) of an account.`)
}

function accountNamed(ctx: RequestContext, identity: string): AccountRow | undefined {
  const {store} = ctx.platform
  return isUuid(identity) ? findAccountById(store, identity.toLowerCase()) : findAccountByEmail(store, identity)
}

function create(ctx: RequestContext) {
  const app = requireOwnedApp(ctx, 'add collaborators to it')
  const body = parseBody(ctx.body, {user: userField, silent: isBoolean}, ['user'])
  const {store} = ctx.platform
  const row = commitChange(ctx.platform, pending => {
    const account = accountNamed(ctx, body.user!)
    if (account === undefined) {
      throw invalidParams(`"user": there is no account ${body.user} on this platform. Heroku invites an email address that has none; here the person must have an account first (heroku platform:users:add EMAIL on the platform's machine), then add them.`)
    }

    if (isAppOwner(app, account.id)) throw invalidParams(`"user": ${account.email} owns ${app.name}: the owner is not added as a collaborator.`)
    if (isCollaborator(store, app.id, account.id)) throw invalidParams(`"user": ${account.email} is already a collaborator on ${app.name}.`)
    const inserted = insertCollaborator(store, {appId: app.id, accountId: account.id})
    pending.add('collaborator.created', {appId: app.id, appName: app.name, collaborator: inserted, userId: ctx.account.id})
    return inserted
  })
  return json(serialize(app, fromRow(row)), 201)
}

function destroy(ctx: RequestContext) {
  const app = requireApp(ctx)
  const entry = requireEntry(ctx, app)
  const self = entry.account.id === ctx.account.id
  // a collaborator may leave; managing anyone else is the owner's
  if (!isAppOwner(app, ctx.account.id) && !self) ownerOnly(ctx, app, 'remove its collaborators')
  if (entry.role === 'owner') throw invalidParams(`${entry.account.email} owns ${app.name} and cannot be removed from it; transfer the app first (heroku apps:transfer).`)
  const row = findCollaborator(ctx.platform.store, app.id, entry.id)!
  commitChange(ctx.platform, pending => {
    deleteCollaborator(ctx.platform.store, entry.id)
    pending.add('collaborator.deleted', {appId: app.id, appName: app.name, collaborator: row, userId: ctx.account.id})
  })
  return json(serialize(app, entry))
}

export const collaboratorRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/apps/{app}/collaborators',
    handler(ctx) {
      const app = requireApp(ctx)
      const entries = [ownerEntry(ctx, app), ...listCollaborators(ctx.platform.store, app.id).map(row => fromRow(row))]
      return list(entries.map(e => serialize(app, e)), {fields: ['id']})
    },
  },
  {method: 'POST', path: '/apps/{app}/collaborators', handler: create},
  {method: 'GET', path: '/apps/{app}/collaborators/{collaborator}', handler: ctx => (app => json(serialize(app, requireEntry(ctx, app))))(requireApp(ctx))},
  {method: 'DELETE', path: '/apps/{app}/collaborators/{collaborator}', handler: destroy},
]
