// Accounts for the local platform: the owner created on first start, further users added by
// `heroku platform:users:add`. Passwords and tokens are returned in plain text exactly once.

import type {Store} from './store/database.js'

import {mintAuthorization} from './api/oauth-authorizations.js'
import {generatePassword, hashPassword} from './auth/secrets.js'
import {type AccountRow, findAccountByEmail, insertAccount} from './store/accounts.js'

export {openStore} from './store/database.js'

const EMAIL = /^[^\s@]+@[^\s@]+$/
export const MIN_PASSWORD_LENGTH = 8

export interface NewUser {
  account: {email: string, id: string}
  /** the password, only when generated here (show it once); null when the caller chose it */
  generatedPassword: null | string
  /** an API token for the account, in plain text; only its hash is stored */
  token: string
}

export class UserInputError extends Error {}

/** Creates an account with an API token. Throws UserInputError for a bad email/password or a taken email. */
export async function createUser(store: Store, input: {email: string, name?: string, password?: string}): Promise<NewUser> {
  const email = input.email.trim()
  if (!EMAIL.test(email)) throw new UserInputError(`${JSON.stringify(input.email)} is not an email address.`)
  if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH) {
    throw new UserInputError(`Passwords must have at least ${MIN_PASSWORD_LENGTH} characters.`)
  }

  const password = input.password ?? generatePassword()
  const passwordHash = await hashPassword(password)
  return store.transaction(() => {
    if (findAccountByEmail(store, email)) throw new UserInputError(`An account for ${email} already exists.`)
    const account: AccountRow = insertAccount(store, {email, name: input.name ?? null, passwordHash})
    const {token} = mintAuthorization(store, account, {description: 'Created with the account'})
    return {account: {id: account.id, email: account.email}, generatedPassword: input.password === undefined ? password : null, token}
  })
}

export type EnsureOwnerResult =
  | (NewUser & {created: true})
  | {account: {email: string, id: string}, created: false}

/** On first start, creates the owner account; afterwards finds it and reveals nothing. */
export async function ensureOwner(store: Store, input: {email: string, password?: string}): Promise<EnsureOwnerResult> {
  const existing = findAccountByEmail(store, input.email.trim())
  if (existing) return {created: false, account: {id: existing.id, email: existing.email}}
  return {created: true, ...await createUser(store, input)}
}
