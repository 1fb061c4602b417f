import type {PipelineCoupling} from '@heroku-cli/schema'

import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {addToPipeline, STAGES} from '../../lib/pipelines/pipelines.js'

export default class PipelinesAdd extends AppCommand<typeof PipelinesAdd> {
  static override description = 'add this app to a pipeline'
  static override examples = ['<%= config.bin %> pipelines:add my-pipeline -a my-app-production --stage production']

  static override args = {
    pipeline: Args.string({description: 'name or id of pipeline', required: true}),
  }

  static override flags = {
    json: jsonFlag('the pipeline-coupling object (Platform API)'),
    stage: Flags.string({char: 's', description: `stage of the app in the pipeline (${STAGES.join(', ')})`, helpValue: 'STAGE'}),
  }

  async run(): Promise<PipelineCoupling> {
    return addToPipeline({api: this.api, app: await this.app(), out: this.out, prompter: this.prompter, pipeline: this.args.pipeline, stage: this.flags.stage})
  }
}
