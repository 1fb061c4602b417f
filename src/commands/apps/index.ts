import type {App} from '@heroku-cli/schema'

import {listApps} from '../../lib/apps/list.js'
import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class Apps extends BaseCommand<typeof Apps> {
  static override aliases = ['apps:list']
  static override description = 'list your apps'
  static override examples = ['<%= config.bin %> apps', '<%= config.bin %> apps --json']

  static override flags = {
    json: jsonFlag('the list of app objects (Platform API)'),
  }

  async run(): Promise<App[]> {
    return listApps({api: this.api, out: this.out})
  }
}
