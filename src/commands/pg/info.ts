import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {pgInfo, type PgInfo} from '../../lib/pg/info.js'

export default class PgInfoCommand extends AppCommand<typeof PgInfoCommand> {
  static override aliases = ['pg']
  static override description = 'show a database: plan, status, connections, PostgreSQL version, data size and tables (from the database itself)'
  static override examples = ['<%= config.bin %> pg:info -a my-app', '<%= config.bin %> pg:info HEROKU_POSTGRESQL_RED -a my-app --json']

  static override args = {
    database: Args.string({description: 'attachment (DATABASE, HEROKU_POSTGRESQL_RED) or add-on name; DATABASE by default'}),
  }

  static override flags = {
    json: jsonFlag('the database summary ({addon, attachment, config_var, plan, status, database, plan_limit_bytes}; addon is the add-on object)'),
  }

  async run(): Promise<PgInfo> {
    return pgInfo({api: this.api, app: await this.app(), database: this.args.database, out: this.out})
  }
}
