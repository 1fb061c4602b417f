import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {NotLoggedInError} from '../../lib/errors.js'

export default class Token extends BaseCommand<typeof Token> {
  static override summary = 'print the API token of the current login'
  static override description = 'Handy for scripts: HEROKU_API_KEY=$(heroku auth:token). Treat it as a password.'

  static override examples = ['<%= config.bin %> auth:token']

  static override flags = {
    json: jsonFlag('the token and where it came from ({token, source}; not an API object)'),
  }

  async run(): Promise<{source: string, token: string}> {
    const apiUrl = this.apiUrl()
    const found = await this.credentials.read(apiUrl)
    if (!found) throw new NotLoggedInError(`Not logged in to ${apiUrl}.`)
    if (this.out.interactive) this.out.info(` ›   Warning: this token is a secret; it comes from your ${found.source}.`)
    this.out.log(found.token)
    return found
  }
}
