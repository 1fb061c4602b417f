// A store constraint that a handler's own checks missed (a race it lost, or data an older
// platform let in) is the client's conflict, not the platform's crash: a 409 (or 422) that
// says what clashed, never a 500 "UNIQUE constraint failed".
import {isSqliteError} from '../store/sqlite.js'
import {type ApiError, conflict, invalidParams} from './errors.js'

/** UNIQUE columns as SQLite names them → what that means to a client. */
const TAKEN: Record<string, string> = {
  'accounts.email': 'An account with that email already exists.',
  'apps.name': 'An app with that name already exists.',
  'domains.hostname': 'That hostname is already in use by an app.',
  'addons.name': 'An add-on with that name already exists.',
  'addon_attachments.app_id, addon_attachments.name': 'The app already has an add-on attachment of that name.',
  'formations.app_id, formations.type': 'The app already has a formation of that process type.',
  'releases.app_id, releases.version': 'Another release of the app was made at the same moment; retry.',
}

/** The API error for a SQLite constraint violation; undefined for any other error. */
export function constraintError(error: unknown): ApiError | undefined {
  if (!isSqliteError(error) || !error.code.startsWith('SQLITE_CONSTRAINT')) return undefined
  switch (error.code) {
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY': {
      const columns = error.message.replace(/^UNIQUE constraint failed: /, '')
      return conflict(TAKEN[columns] ?? `The request conflicts with what already exists (${columns}).`)
    }

    case 'SQLITE_CONSTRAINT_FOREIGNKEY': {
      return conflict('The request refers to something that no longer exists (it may have just been deleted).')
    }

    default: {
      return invalidParams(`The request would store an invalid value (${error.message}).`)
    }
  }
}
