import type {Collaborator} from '@heroku-cli/schema'

import {listAccess} from '../../lib/access/access.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class Access extends AppCommand<typeof Access> {
  static override description = 'list who has access to an app'
  static override examples = ['<%= config.bin %> access -a my-app', '<%= config.bin %> access -a my-app --json']

  static override flags = {
    json: jsonFlag('the list of collaborator objects (Platform API)'),
  }

  async run(): Promise<Collaborator[]> {
    return listAccess({api: this.api, app: await this.app(), out: this.out})
  }
}
