import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../../lib/command/app-command.js'
import {jsonFlag} from '../../../lib/command/json-flag.js'
import {type PgTransfer, restoreBackup} from '../../../lib/pg/backups.js'

export default class PgBackupsRestore extends AppCommand<typeof PgBackupsRestore> {
  static override summary = 'restore a backup into a database, replacing its data'
  static override description = 'BACKUP defaults to the newest completed backup, DATABASE to DATABASE. On a terminal you are asked to type the app\'s name; elsewhere pass --confirm APP.'
  static override examples = ['<%= config.bin %> pg:backups:restore -a my-app --confirm my-app', '<%= config.bin %> pg:backups:restore b003 HEROKU_POSTGRESQL_RED -a my-app --confirm my-app']

  static override args = {
    backup: Args.string({description: 'the backup (b001); the newest completed one by default'}),
    database: Args.string({description: 'attachment or add-on name to restore into; DATABASE by default'}),
  }

  static override flags = {
    json: jsonFlag('the restore (transfer) object of the Postgres backups API'),
    confirm: Flags.string({description: 'the app\'s name, to confirm without a prompt', helpValue: 'APP'}),
  }

  async run(): Promise<PgTransfer> {
    return restoreBackup({api: this.api, app: await this.app(), backup: this.args.backup, confirm: this.flags.confirm, database: this.args.database, out: this.out, prompter: this.prompter})
  }
}
