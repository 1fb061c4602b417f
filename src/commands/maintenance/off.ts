import type {App} from '@heroku-cli/schema'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {setMaintenance} from '../../lib/maintenance/maintenance.js'

export default class MaintenanceOff extends AppCommand<typeof MaintenanceOff> {
  static override description = 'take the app out of maintenance mode'
  static override examples = ['<%= config.bin %> maintenance:off -a my-app']

  static override flags = {
    json: jsonFlag('the app object the PATCH returned (Platform API)'),
  }

  async run(): Promise<App> {
    return setMaintenance({api: this.api, app: await this.app(), on: false, out: this.out})
  }
}
