import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {pgKill, type PgKillResult} from '../../lib/pg/activity.js'

export default class PgKill extends AppCommand<typeof PgKill> {
  static override description = 'cancel a query by its pid (pg:ps lists them); --force closes its connection'
  static override examples = ['<%= config.bin %> pg:kill 4242 -a my-app', '<%= config.bin %> pg:kill 4242 --force -a my-app']

  static override args = {
    pid: Args.string({description: 'the connection\'s pid (pg:ps)', required: true}),
    database: Args.string({description: 'attachment (DATABASE, HEROKU_POSTGRESQL_RED) or add-on name; DATABASE by default'}),
  }

  static override flags = {
    json: jsonFlag('the result ({pid, action, ok}; not an API object)'),
    force: Flags.boolean({char: 'f', description: 'terminate the connection (pg_terminate_backend) instead of cancelling its query'}),
  }

  async run(): Promise<PgKillResult> {
    return pgKill({api: this.api, app: await this.app(), database: this.args.database, force: this.flags.force, out: this.out, pid: this.args.pid})
  }
}
