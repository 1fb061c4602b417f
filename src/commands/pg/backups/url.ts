import {Args} from '@oclif/core'

import {AppCommand} from '../../../lib/command/app-command.js'
import {jsonFlag} from '../../../lib/command/json-flag.js'
import {showBackupUrl} from '../../../lib/pg/backups.js'

export default class PgBackupsUrl extends AppCommand<typeof PgBackupsUrl> {
  static override description = 'a download URL for a backup, valid for a few minutes (anyone with it can download the backup)'
  static override examples = ['<%= config.bin %> pg:backups:url -a my-app', '<%= config.bin %> pg:backups:url b001 -a my-app']

  static override args = {
    backup: Args.string({description: 'the backup (b001); the newest completed one by default'}),
  }

  static override flags = {
    json: jsonFlag('the backup\'s signed URL ({backup, url, expires_at}, from the Postgres backups API)'),
  }

  async run(): Promise<{backup: string, expires_at: string, url: string}> {
    return showBackupUrl({api: this.api, app: await this.app(), backup: this.args.backup, out: this.out})
  }
}
