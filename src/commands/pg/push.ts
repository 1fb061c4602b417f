import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {pgPush, type PullPushResult} from '../../lib/pg/pull-push.js'

export default class PgPush extends AppCommand<typeof PgPush> {
  static override summary = 'copy a local database into an add-on\'s empty database'
  static override description = 'SOURCE is a database name on the server libpq\'s environment names (PGHOST, PGUSER …) or a postgres:// URL. The add-on\'s database must be empty (heroku pg:reset). Runs pg_dump | pg_restore on this machine.'
  static override examples = ['<%= config.bin %> pg:push mylocaldb DATABASE -a my-app']

  static override args = {
    source: Args.string({description: 'a local database name or postgres:// URL', required: true}),
    target: Args.string({description: 'the add-on (DATABASE, HEROKU_POSTGRESQL_RED or its name)', required: true}),
  }

  static override flags = {
    json: jsonFlag('a summary ({from, to, created}; not an API object)'),
  }

  async run(): Promise<PullPushResult> {
    return pgPush({api: this.api, app: await this.app(), env: this.env, out: this.out, source: this.args.source, target: this.args.target})
  }
}
