import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../../lib/command/app-command.js'
import {jsonFlag} from '../../../lib/command/json-flag.js'
import {captureBackup, type PgTransfer} from '../../../lib/pg/backups.js'

export default class PgBackupsCapture extends AppCommand<typeof PgBackupsCapture> {
  static override description = 'capture a backup of a database (pg_dump, run by the platform) and wait for it'
  static override examples = ['<%= config.bin %> pg:backups:capture -a my-app', '<%= config.bin %> pg:backups:capture HEROKU_POSTGRESQL_RED -a my-app']

  static override args = {
    database: Args.string({description: 'attachment (DATABASE, HEROKU_POSTGRESQL_RED) or add-on name; DATABASE by default'}),
  }

  static override flags = {
    json: jsonFlag('the backup (transfer) object of the Postgres backups API'),
    wait: Flags.boolean({allowNo: true, default: true, description: 'wait for the backup to finish (--no-wait returns once it started)'}),
  }

  async run(): Promise<PgTransfer> {
    return captureBackup({api: this.api, app: await this.app(), database: this.args.database, out: this.out, wait: this.flags.wait})
  }
}
