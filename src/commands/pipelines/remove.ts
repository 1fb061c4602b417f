import type {PipelineCoupling} from '@heroku-cli/schema'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {removeFromPipeline} from '../../lib/pipelines/pipelines.js'

export default class PipelinesRemove extends AppCommand<typeof PipelinesRemove> {
  static override description = 'remove this app from its pipeline'
  static override examples = ['<%= config.bin %> pipelines:remove -a my-app-staging']

  static override flags = {
    json: jsonFlag('the pipeline-coupling object the DELETE returned (Platform API)'),
  }

  async run(): Promise<PipelineCoupling> {
    return removeFromPipeline({api: this.api, app: await this.app(), out: this.out})
  }
}
