import {revokeCurrentAuthorization} from '../../lib/auth/login.js'
import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class Logout extends BaseCommand<typeof Logout> {
  static override aliases = ['logout']
  static override description = 'revoke the stored token on the platform and forget it locally'
  static override examples = ['<%= config.bin %> logout']

  static override flags = {
    json: jsonFlag('a summary ({api_url, revoked, forgotten}; not an API object)'),
  }

  async run(): Promise<{api_url: string, forgotten: string[], revoked: boolean}> {
    const apiUrl = this.apiUrl()
    const stored = await this.credentials.read(apiUrl)
    let revoked = false
    if (stored && stored.source !== 'env') {
      try {
        revoked = (await revokeCurrentAuthorization(this.makeApiClient(apiUrl, stored.token))) === 'revoked'
      } catch (error) {
        // the platform may be down: forgetting the token locally is still what the user asked for
        this.out.warn(`Could not revoke the token on ${apiUrl}: ${(error as Error).message}`)
      }
    }

    const forgotten = await this.credentials.forget(apiUrl)
    if (this.env.HEROKU_API_KEY) this.out.warn('HEROKU_API_KEY is set in your environment: unset it to be logged out.')
    if (stored?.source === 'netrc') this.out.warn('A token for this host stays in ~/.netrc (written by the Heroku CLI); heroku-toolbelt never edits it.')
    this.out.log(forgotten.length > 0 || revoked ? 'Logged out.' : `You were not logged in to ${apiUrl}.`)
    return {api_url: apiUrl, forgotten, revoked}
  }
}
