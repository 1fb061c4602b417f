import type {Pipeline} from '@heroku-cli/schema'

import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {listPipelines} from '../../lib/pipelines/pipelines.js'

export default class Pipelines extends BaseCommand<typeof Pipelines> {
  static override description = 'list pipelines you have access to'
  static override examples = ['<%= config.bin %> pipelines', '<%= config.bin %> pipelines --json']

  static override flags = {
    json: jsonFlag('the list of pipeline objects (Platform API)'),
  }

  async run(): Promise<Pipeline[]> {
    return listPipelines({api: this.api, out: this.out})
  }
}
