import {existsSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {createUser, ensureOwner, openStore, UserInputError} from '../../platform/bootstrap.js'
import {firstAccountEmail} from '../../platform/store/accounts.js'
import {countApps as countStoredApps} from '../../platform/store/apps.js'
import {DATABASE_FILE} from '../../platform/store/database.js'
import {UsageError, UserError} from '../errors.js'

export interface OwnerResult {
  created: boolean
  email: string
  /** shown once, only when generated here */
  generatedPassword?: string
  /** the owner's first API token, only when the account was just created */
  token?: string
}

/**
 * Creates the platform's owner account on first start (straight in its store). Later starts
 * need no email: the first account is the owner (more are added with platform:users:add).
 */
export async function ensurePlatformOwner(dataDir: string, email: string | undefined, password?: string): Promise<OwnerResult> {
  const store = openStore(dataDir)
  try {
    const ownerEmail = firstAccountEmail(store)
    if (ownerEmail !== undefined) return {created: false, email: ownerEmail} // --email only matters on first start
    if (email === undefined) throw new UsageError('No email for the owner account.', {hint: 'Pass --email you@example.com (or set git config --global user.email).'})
    const result = await ensureOwner(store, {email, password})
    if (!result.created) return {created: false, email: result.account.email}
    return {created: true, email: result.account.email, generatedPassword: result.generatedPassword ?? undefined, token: result.token}
  } catch (error) {
    throw asUserError(error)
  } finally {
    store.close()
  }
}

/** The generated owner password, in a 0600 file of the data dir (when no terminal may show it); returns its path. */
export function writeOwnerPasswordFile(dataDir: string, password: string): string {
  const file = join(dataDir, OWNER_PASSWORD_FILE)
  rmSync(file, {force: true}) // a file left from an earlier store would keep its own mode
  writeFileSync(file, password + '\n', {mode: 0o600})
  return file
}

export const OWNER_PASSWORD_FILE = 'owner-password'

/** Adds an account to a platform's store (the running server shares it through SQLite WAL). */
export async function addPlatformUser(dataDir: string, email: string, password: string): Promise<{email: string, id: string}> {
  const store = openExistingStore(dataDir)
  try {
    const user = await createUser(store, {email, password})
    return user.account
  } catch (error) {
    throw asUserError(error)
  } finally {
    store.close()
  }
}

/** Counts apps for platform:status. */
export function countApps(dataDir: string): number {
  const store = openExistingStore(dataDir)
  try {
    return countStoredApps(store)
  } finally {
    store.close()
  }
}

/** A platform's store, never a new one: a typo in --data-dir must not create an empty platform. */
function openExistingStore(dataDir: string) {
  if (!existsSync(join(dataDir, DATABASE_FILE))) {
    throw new UserError(`No platform has been started in ${dataDir}.`, {hint: 'Start it with heroku platform:start (or pass the --data-dir it uses).'})
  }

  return openStore(dataDir)
}

function asUserError(error: unknown): unknown {
  return error instanceof UserInputError ? new UserError(error.message, {code: 'invalid_params'}) : error
}
