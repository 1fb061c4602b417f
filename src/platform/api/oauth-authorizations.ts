// OAuth authorizations are API tokens. Created with email:password (Basic) or an existing
// token; the token is shown once, at creation, and only its sha256 is kept.

import type {AccountRow} from '../store/accounts.js'
import type {Store} from '../store/database.js'
import type {ApiRoute, RequestContext} from './context.js'

import {generateToken, hashToken} from '../auth/secrets.js'
import {isInteger, isStringArray, isText, MAX_LABEL_LENGTH, parseBody} from '../http/body.js'
import {invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {isUuid} from '../ids.js'
import {recordLogin} from '../store/accounts.js'
import {type AuthorizationRow, deleteAuthorization, findAuthorization, insertAuthorization, listAuthorizations, replaceAuthorizationToken} from '../store/authorizations.js'
import {requireParam} from './resolve.js'

/** Only `global` is honoured: finer scopes would need enforcement this platform does not have. */
const SUPPORTED_SCOPES = new Set(['global'])
const MAX_EXPIRES_IN = 10 * 365 * 24 * 3600

export function serializeAuthorization(row: AuthorizationRow, account: AccountRow, token?: string): object {
  const expiresIn = row.expires_at === null ? null : Math.max(0, Math.round((Date.parse(row.expires_at) - Date.now()) / 1000))
  return {
    access_token: {expires_in: expiresIn, id: row.token_id, ...(token === undefined ? {} : {token})},
    client: null,
    created_at: row.created_at,
    description: row.description,
    grant: null,
    id: row.id,
    refresh_token: null,
    scope: JSON.parse(row.scope) as string[],
    session: null,
    updated_at: row.updated_at,
    user: {id: account.id, email: account.email, full_name: account.name},
  }
}

/** Mints a token for an account; returns the row and the token in plain text (shown once). */
export function mintAuthorization(store: Store, account: AccountRow, options: {description: string, expiresIn?: null | number, scope?: string[]}): {authorization: AuthorizationRow, token: string} {
  const token = generateToken()
  const expiresAt = options.expiresIn ? new Date(Date.now() + options.expiresIn * 1000).toISOString() : null
  const authorization = insertAuthorization(store, {accountId: account.id, tokenHash: hashToken(token), description: options.description, scope: options.scope ?? ['global'], expiresAt})
  return {authorization, token}
}

const createBody = {
  client(): never {
    throw invalidParams('OAuth clients are not supported by this platform; omit "client".')
  },
  description: isText(MAX_LABEL_LENGTH),
  expires_in: isInteger(1, MAX_EXPIRES_IN),
  scope(value: unknown, field: string) {
    const scopes = isStringArray(value, field)
    const unsupported = scopes.filter(s => !SUPPORTED_SCOPES.has(s))
    if (scopes.length === 0 || unsupported.length > 0) throw invalidParams(`Unsupported scope ${unsupported.join(', ') || '(empty)'}: this platform issues "global" tokens only.`)
    return scopes
  },
}

function create(ctx: RequestContext) {
  const body = parseBody(ctx.body, createBody)
  const {store} = ctx.platform
  const {authorization, token} = store.transaction(() => {
    if (ctx.authorization === null) recordLogin(store, ctx.account.id)
    return mintAuthorization(store, ctx.account, {description: body.description ?? '', expiresIn: body.expires_in, scope: body.scope})
  })
  return json(serializeAuthorization(authorization, ctx.account, token), 201)
}

function requireAuthorization(ctx: RequestContext): AuthorizationRow {
  const identity = requireParam(ctx, 'authorization')
  if (identity === '~') {
    if (ctx.authorization === null) throw notFound('No current authorization: this request was authenticated with a password.')
    return ctx.authorization
  }

  const found = isUuid(identity) ? findAuthorization(ctx.platform.store, ctx.account.id, identity.toLowerCase()) : undefined
  if (found === undefined) throw notFound("Couldn't find that authorization.")
  return found
}

export const oauthAuthorizationRoutes: ApiRoute[] = [
  {method: 'POST', path: '/oauth/authorizations', auth: 'password', handler: create},
  {method: 'GET', path: '/oauth/authorizations', handler: ctx => list(listAuthorizations(ctx.platform.store, ctx.account.id).map(a => serializeAuthorization(a, ctx.account)), {fields: ['id']})},
  {method: 'GET', path: '/oauth/authorizations/{authorization}', handler: ctx => json(serializeAuthorization(requireAuthorization(ctx), ctx.account))},
  {
    method: 'POST',
    path: '/oauth/authorizations/{authorization}/actions/regenerate-tokens',
    handler(ctx) {
      const current = requireAuthorization(ctx)
      const token = generateToken()
      const authorization = ctx.platform.store.transaction(() => replaceAuthorizationToken(ctx.platform.store, current.id, hashToken(token)))
      return json(serializeAuthorization(authorization, ctx.account, token))
    },
  },
  {
    method: 'DELETE',
    path: '/oauth/authorizations/{authorization}',
    handler(ctx) {
      const authorization = requireAuthorization(ctx)
      ctx.platform.store.transaction(() => deleteAuthorization(ctx.platform.store, authorization.id))
      return json(serializeAuthorization(authorization, ctx.account))
    },
  },
]
