import type {LogDrain} from '@heroku-cli/schema'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {listDrains} from '../../lib/drains/drains.js'

export default class Drains extends AppCommand<typeof Drains> {
  static override description = 'display the log drains of an app'
  static override examples = ['<%= config.bin %> drains -a my-app', '<%= config.bin %> drains -a my-app --json']

  static override flags = {
    json: jsonFlag('the list of log-drain objects (Platform API)'),
  }

  async run(): Promise<LogDrain[]> {
    return listDrains({api: this.api, app: await this.app(), out: this.out})
  }
}
