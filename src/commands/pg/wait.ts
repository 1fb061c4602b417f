import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {pgWait} from '../../lib/pg/wait.js'

export default class PgWait extends AppCommand<typeof PgWait> {
  static override description = 'wait until a database (or every database of the app) is provisioned and accepts connections'
  static override examples = ['<%= config.bin %> pg:wait -a my-app']

  static override args = {
    database: Args.string({description: 'attachment or add-on name; all of the app\'s databases by default'}),
  }

  static override flags = {
    json: jsonFlag('the list of databases waited for ({addon, state}; not API objects)'),
  }

  async run(): Promise<Array<{addon: string, state: string}>> {
    return pgWait({api: this.api, app: await this.app(), database: this.args.database, out: this.out})
  }
}
