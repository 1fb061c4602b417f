import type {Dyno} from '@heroku-cli/schema'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {listDynos} from '../../lib/ps/dynos.js'

export default class Ps extends AppCommand<typeof Ps> {
  static override description = 'list an app\'s dynos, by process type, with their state and age'
  static override examples = ['<%= config.bin %> ps -a my-app', '<%= config.bin %> ps -a my-app --json']

  static override flags = {
    json: jsonFlag('the list of dyno objects (Platform API)'),
  }

  async run(): Promise<Dyno[]> {
    return listDynos({api: this.api, app: await this.app(), out: this.out})
  }
}
