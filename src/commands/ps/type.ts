import type {Formation} from '@heroku-cli/schema'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {listFormation} from '../../lib/ps/scale.js'

export default class PsType extends AppCommand<typeof PsType> {
  static override summary = 'list the app\'s process types with their dyno size and quantity'
  static override description = 'To change a size, use ps:scale TYPE=N:SIZE.'

  static override examples = ['<%= config.bin %> ps:type -a my-app', '<%= config.bin %> ps:type -a my-app --json']

  static override flags = {
    json: jsonFlag('the list of formation objects (Platform API)'),
  }

  async run(): Promise<Formation[]> {
    return listFormation({api: this.api, app: await this.app(), out: this.out})
  }
}
