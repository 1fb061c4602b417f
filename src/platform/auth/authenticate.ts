// Who is calling: a Bearer token, HTTP Basic with a token as the password (git, netrc), or —
// only where a route allows it — HTTP Basic email:password to mint the first token.

import type {Store} from '../store/database.js'
import type {LoginThrottle} from './login-throttle.js'

import {unauthorized} from '../http/errors.js'
import {type AccountRow, findAccountByEmail, findAccountById} from '../store/accounts.js'
import {type AuthorizationRow, findAuthorizationByTokenHash} from '../store/authorizations.js'
import {hashToken, verifyPassword} from './secrets.js'

export interface Caller {
  account: AccountRow
  authorization: AuthorizationRow | null
}

type Credentials = {kind: 'basic', password: string, user: string} | {kind: 'token', token: string}

function parseAuthorizationHeader(header: string | undefined): Credentials | undefined {
  if (header === undefined) return undefined
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (bearer) return {kind: 'token', token: bearer[1]}
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon === -1) return undefined
    return {kind: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1)}
  }

  return undefined
}

export function authenticateToken(store: Store, token: string): Caller | undefined {
  const authorization = findAuthorizationByTokenHash(store, hashToken(token))
  if (authorization === undefined) return undefined
  if (authorization.expires_at !== null && authorization.expires_at <= new Date().toISOString()) return undefined
  const account = findAccountById(store, authorization.account_id)
  return account === undefined ? undefined : {account, authorization}
}

/** Where email:password is accepted (creating a token): the throttle, and who is calling. */
export interface PasswordLogin {
  /** clientKey() of the connection */
  client: string
  throttle: LoginThrottle
}

/** `login` is given where email:password is accepted; elsewhere only tokens authenticate. */
export async function authenticate(store: Store, header: string | undefined, login: PasswordLogin | undefined): Promise<Caller> {
  const credentials = parseAuthorizationHeader(header)
  if (credentials === undefined) throw unauthorized('Authentication required: send Authorization: Bearer TOKEN (get one with `heroku login`).')
  if (credentials.kind === 'token') {
    return authenticateToken(store, credentials.token) ?? failed()
  }

  const viaToken = authenticateToken(store, credentials.password)
  if (viaToken) return viaToken
  if (login === undefined) return failed()
  const {throttle, client} = login
  throttle.check(client, credentials.user)
  const account = findAccountByEmail(store, credentials.user)
  const ok = await verifyPassword(credentials.password, account?.password_hash)
  if (!ok || account === undefined) {
    throttle.recordFailure(client, credentials.user)
    throw unauthorized('Invalid email or password.')
  }

  throttle.recordSuccess(client, credentials.user)
  return {account, authorization: null}
}

function failed(): never {
  throw unauthorized('Invalid credentials provided: the token is unknown, revoked or expired.')
}
