import type {AddOnService} from '@heroku-cli/schema'

import {listServices} from '../../lib/addons/services.js'
import {BaseCommand} from '../../lib/command/base.js'

export default class AddonsServices extends BaseCommand<typeof AddonsServices> {
  static override description = 'list the add-on services the platform offers'
  static override examples = ['<%= config.bin %> addons:services', '<%= config.bin %> addons:services --json']

  async run(): Promise<AddOnService[]> {
    return listServices({api: this.api, out: this.out})
  }
}
