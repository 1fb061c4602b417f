import type {App} from '@heroku-cli/schema'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {setMaintenance} from '../../lib/maintenance/maintenance.js'

export default class MaintenanceOn extends AppCommand<typeof MaintenanceOn> {
  static override description = 'put the app into maintenance mode: the router answers 503 (H80) with the maintenance page (MAINTENANCE_PAGE_URL, else a built-in one)'
  static override examples = ['<%= config.bin %> maintenance:on -a my-app']

  static override flags = {
    json: jsonFlag('the app object the PATCH returned (Platform API)'),
  }

  async run(): Promise<App> {
    return setMaintenance({api: this.api, app: await this.app(), on: true, out: this.out})
  }
}
