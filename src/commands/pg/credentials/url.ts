import {Args} from '@oclif/core'

import {AppCommand} from '../../../lib/command/app-command.js'
import {jsonFlag} from '../../../lib/command/json-flag.js'
import {type PgCredentials, pgCredentialsUrl} from '../../../lib/pg/credentials.js'

export default class PgCredentialsUrl extends AppCommand<typeof PgCredentialsUrl> {
  static override description = 'show a database\'s connection URL and libpq connection string (they include the password)'
  static override examples = ['<%= config.bin %> pg:credentials:url -a my-app']

  static override args = {
    database: Args.string({description: 'attachment (DATABASE, HEROKU_POSTGRESQL_RED) or add-on name; DATABASE by default'}),
  }

  static override flags = {
    json: jsonFlag('the connection settings ({addon, attachment, url, host, port, database, user, password}; not an API object)'),
  }

  async run(): Promise<PgCredentials> {
    return pgCredentialsUrl({api: this.api, app: await this.app(), database: this.args.database, out: this.out})
  }
}
