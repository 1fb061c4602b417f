import type {AddOnService} from '@heroku-cli/schema'

import {listServices} from '../../lib/addons/services.js'
import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class AddonsServices extends BaseCommand<typeof AddonsServices> {
  static override description = 'list the add-on services the platform offers'
  static override examples = ['<%= config.bin %> addons:services', '<%= config.bin %> addons:services --json']

  static override flags = {
    json: jsonFlag('the list of add-on-service objects (Platform API)'),
  }

  async run(): Promise<AddOnService[]> {
    return listServices({api: this.api, out: this.out})
  }
}
