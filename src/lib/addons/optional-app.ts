import {UsageError} from '../errors.js'

/**
 * Add-on commands work with or without an app: an add-on name is global, an attachment name
 * (DATABASE) needs one. The app when one is given or found in git remotes; undefined otherwise.
 */
export async function optionalApp(flags: {app?: string, remote?: string}, resolve: () => Promise<string>): Promise<string | undefined> {
  if (flags.app || flags.remote) return resolve()
  try {
    return await resolve()
  } catch (error) {
    if (error instanceof UsageError) return undefined
    throw error
  }
}
