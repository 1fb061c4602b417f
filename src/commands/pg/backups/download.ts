import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../../lib/command/app-command.js'
import {jsonFlag} from '../../../lib/command/json-flag.js'
import {downloadBackup, type DownloadResult} from '../../../lib/pg/download.js'

export default class PgBackupsDownload extends AppCommand<typeof PgBackupsDownload> {
  static override description = 'download a backup (pg_dump custom format, for pg_restore) into a file readable by you only'
  static override examples = ['<%= config.bin %> pg:backups:download -a my-app', '<%= config.bin %> pg:backups:download b002 -o b002.dump -a my-app']

  static override args = {
    backup: Args.string({description: 'the backup (b001); the newest completed one by default'}),
  }

  static override flags = {
    json: jsonFlag('the file written ({backup, file, size_bytes}; not an API object)'),
    output: Flags.string({char: 'o', description: 'where to write it (latest.dump by default)', helpValue: 'FILE'}),
  }

  async run(): Promise<DownloadResult> {
    return downloadBackup({api: this.api, app: await this.app(), backup: this.args.backup, env: this.env, out: this.out, output: this.flags.output})
  }
}
