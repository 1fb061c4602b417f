import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {pgReset, type PgResetResult} from '../../lib/pg/reset.js'

export default class PgReset extends AppCommand<typeof PgReset> {
  static override summary = 'delete all data in a database: its schemas dropped, an empty public made'
  static override description = 'On a terminal you are asked to type the app\'s name; elsewhere pass --confirm APP.'
  static override examples = ['<%= config.bin %> pg:reset -a my-app --confirm my-app']

  static override args = {
    database: Args.string({description: 'attachment (DATABASE, HEROKU_POSTGRESQL_RED) or add-on name; DATABASE by default'}),
  }

  static override flags = {
    json: jsonFlag('a summary ({addon, attachment, dropped_schemas}; not an API object)'),
    confirm: Flags.string({description: 'the app\'s name, to confirm without a prompt', helpValue: 'APP'}),
  }

  async run(): Promise<PgResetResult> {
    return pgReset({api: this.api, app: await this.app(), confirm: this.flags.confirm, database: this.args.database, out: this.out, prompter: this.prompter})
  }
}
