import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {pgPs, type PgQuery} from '../../lib/pg/activity.js'

export default class PgPs extends AppCommand<typeof PgPs> {
  static override description = 'the queries running on a database (pg_stat_activity), this connection left out'
  static override examples = ['<%= config.bin %> pg:ps -a my-app', '<%= config.bin %> pg:ps -a my-app --verbose']

  static override args = {
    database: Args.string({description: 'attachment (DATABASE, HEROKU_POSTGRESQL_RED) or add-on name; DATABASE by default'}),
  }

  static override flags = {
    json: jsonFlag('the list of running queries ({pid, state, source, running_for, waiting, query}; not API objects)'),
    verbose: Flags.boolean({char: 'v', description: 'idle connections too'}),
  }

  async run(): Promise<PgQuery[]> {
    return pgPs({api: this.api, app: await this.app(), database: this.args.database, out: this.out, verbose: this.flags.verbose})
  }
}
