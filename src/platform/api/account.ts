// GET/PATCH /account, and /users/{~|email|id} for the caller themselves.

import type {ApiRoute, RequestContext} from './context.js'

import {isBoolean, isNullable, isText, MAX_LABEL_LENGTH, parseBody} from '../http/body.js'
import {invalidParams, notFound} from '../http/errors.js'
import {json} from '../http/router.js'
import {type AccountRow, findAccountById, updateAccount} from '../store/accounts.js'
import {requireParam} from './resolve.js'

export function serializeAccount(account: AccountRow): object {
  return {
    allow_tracking: account.allow_tracking === 1,
    beta: account.beta === 1,
    created_at: account.created_at,
    email: account.email,
    federated: false,
    id: account.id,
    identity_provider: null,
    last_login: account.last_login,
    name: account.name,
    sms_number: null,
    suspended_at: null,
    delinquent_at: null,
    two_factor_authentication: false,
    updated_at: account.updated_at,
    verified: true,
    country_of_residence: null,
    default_organization: null,
    default_team: null,
  }
}

/** `~`, the caller's email or id: accounts cannot look at each other. */
export function requireSelf(ctx: RequestContext, param = 'user'): AccountRow {
  const identity = requireParam(ctx, param)
  if (identity === '~' || identity.toLowerCase() === ctx.account.email.toLowerCase() || identity.toLowerCase() === ctx.account.id) return ctx.account
  throw notFound("Couldn't find that user.")
}

const accountUpdate = {
  allow_tracking: isBoolean, beta: isBoolean, name: isNullable(isText(MAX_LABEL_LENGTH)),
  // Heroku changes an email only with the password and a confirmation mail: never silently ignored
  email(): never {
    throw invalidParams('Changing the account email is not supported by this platform.')
  },
}

function patchAccount(ctx: RequestContext, account: AccountRow) {
  const body = parseBody(ctx.body, accountUpdate)
  updateAccount(ctx.platform.store, account.id, {name: body.name, allowTracking: body.allow_tracking, beta: body.beta})
  return json(serializeAccount(findAccountById(ctx.platform.store, account.id)!))
}

export const accountRoutes: ApiRoute[] = [
  {method: 'GET', path: '/account', handler: ctx => json(serializeAccount(ctx.account))},
  {method: 'PATCH', path: '/account', handler: ctx => patchAccount(ctx, ctx.account)},
  {method: 'GET', path: '/users/{user}', handler: ctx => json(serializeAccount(requireSelf(ctx)))},
  {method: 'PATCH', path: '/users/{user}', handler: ctx => patchAccount(ctx, requireSelf(ctx))},
]
