import type {App} from '@heroku-cli/schema'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {maintenanceStatus} from '../../lib/maintenance/maintenance.js'

export default class Maintenance extends AppCommand<typeof Maintenance> {
  static override description = 'display the current maintenance status of an app (on or off)'
  static override examples = ['<%= config.bin %> maintenance -a my-app', '<%= config.bin %> maintenance -a my-app --json']

  static override flags = {
    json: jsonFlag('the app object (Platform API)'),
  }

  async run(): Promise<App> {
    return maintenanceStatus({api: this.api, app: await this.app(), out: this.out})
  }
}
