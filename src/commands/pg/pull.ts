import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {pgPull, type PullPushResult} from '../../lib/pg/pull-push.js'

export default class PgPull extends AppCommand<typeof PgPull> {
  static override summary = 'copy an add-on\'s database into a new local database'
  static override description = 'TARGET is a database name on the server libpq\'s environment names (PGHOST, PGUSER …), made if missing, or a postgres:// URL; it must be empty. Runs pg_dump | pg_restore on this machine.'
  static override examples = ['<%= config.bin %> pg:pull DATABASE mylocaldb -a my-app', '<%= config.bin %> pg:pull DATABASE postgres://me:pw@localhost/mydb -a my-app']

  static override args = {
    source: Args.string({description: 'the add-on (DATABASE, HEROKU_POSTGRESQL_RED or its name)', required: true}),
    target: Args.string({description: 'a local database name or postgres:// URL', required: true}),
  }

  static override flags = {
    json: jsonFlag('a summary ({from, to, created}; not an API object)'),
  }

  async run(): Promise<PullPushResult> {
    return pgPull({api: this.api, app: await this.app(), env: this.env, out: this.out, source: this.args.source, target: this.args.target})
  }
}
