import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../../lib/command/app-command.js'
import {jsonFlag} from '../../../lib/command/json-flag.js'
import {deleteBackup, type PgTransfer} from '../../../lib/pg/backups.js'

export default class PgBackupsDelete extends AppCommand<typeof PgBackupsDelete> {
  static override summary = 'delete a backup'
  static override description = 'On a terminal you are asked to type the app\'s name; elsewhere pass --confirm APP.'
  static override examples = ['<%= config.bin %> pg:backups:delete b001 -a my-app --confirm my-app']

  static override args = {
    backup: Args.string({description: 'the backup (b001)', required: true}),
  }

  static override flags = {
    json: jsonFlag('the backup (transfer) object the DELETE returned (Postgres backups API)'),
    confirm: Flags.string({description: 'the app\'s name, to confirm without a prompt', helpValue: 'APP'}),
  }

  async run(): Promise<PgTransfer> {
    return deleteBackup({api: this.api, app: await this.app(), backup: this.args.backup, confirm: this.flags.confirm, out: this.out, prompter: this.prompter})
  }
}
