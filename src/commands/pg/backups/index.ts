import {AppCommand} from '../../../lib/command/app-command.js'
import {jsonFlag} from '../../../lib/command/json-flag.js'
import {type BackupsList, listBackups} from '../../../lib/pg/backups.js'

export default class PgBackups extends AppCommand<typeof PgBackups> {
  static override description = 'the app\'s database backups and restores, with size and status'
  static override examples = ['<%= config.bin %> pg:backups -a my-app']

  static override flags = {
    json: jsonFlag('the backups and restores ({backups, restores}; transfer objects of the Postgres backups API)'),
  }

  async run(): Promise<BackupsList> {
    return listBackups({api: this.api, app: await this.app(), out: this.out})
  }
}
