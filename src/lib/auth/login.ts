import type {Account, OAuthAuthorization} from '@heroku-cli/schema'

import {hostname} from 'node:os'

import type {ApiClient} from '../api/client.js'

import {ApiError} from '../api/api-error.js'
import {paths} from '../api/paths.js'
import {UserError} from '../errors.js'
import {readFirstLine} from '../stdin.js'

/** Trades email and password for a new OAuth authorization (basic auth), as `heroku login` does. */
export async function createAuthorization(api: ApiClient, creds: {email: string, password: string}): Promise<string> {
  const basic = 'Basic ' + Buffer.from(`${creds.email}:${creds.password}`).toString('base64')
  let auth: OAuthAuthorization
  try {
    auth = await api.post<OAuthAuthorization>(paths.oauthAuthorization(), {
      description: `heroku-toolbelt login from ${hostname()}`,
      scope: ['global'],
    }, {auth: 'basic', authorization: basic})
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      throw new UserError('Invalid email or password.', {code: 'unauthorized', exitCode: error.exitCode})
    }

    throw error
  }

  const token = auth.access_token?.token
  if (!token) throw new UserError('The platform answered the login without an access token.')
  return token
}

/** The account a token belongs to; fails as the API does (401) when the token is rejected. */
export function accountFor(api: ApiClient): Promise<Account> {
  return api.get<Account>(paths.account())
}

/** Revokes the authorization behind the client's token, if the platform knows it. */
export async function revokeCurrentAuthorization(api: ApiClient): Promise<'not-found' | 'revoked'> {
  try {
    const current = await api.get<OAuthAuthorization>(paths.oauthAuthorization('~'))
    await api.delete(paths.oauthAuthorization(current.id ?? '~'))
    return 'revoked'
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 401)) return 'not-found'
    throw error
  }
}

/** Reads a token from a stream (stdin for --with-token): the first non-empty line. */
export async function readTokenFrom(stream: NodeJS.ReadableStream): Promise<string> {
  const token = (await readFirstLine(stream))?.trim()
  if (!token) throw new UserError('No token on standard input.', {hint: 'Pipe it in: echo "$TOKEN" | heroku login --with-token'})
  if (/\s/.test(token)) throw new UserError('The token on standard input contains spaces.')
  return token
}
