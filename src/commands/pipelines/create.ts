import type {Pipeline} from '@heroku-cli/schema'

import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {createPipeline, STAGES} from '../../lib/pipelines/pipelines.js'

export default class PipelinesCreate extends AppCommand<typeof PipelinesCreate> {
  static override description = 'create a new pipeline with the app as its first app'
  static override examples = ['<%= config.bin %> pipelines:create my-pipeline -a my-app-staging --stage staging']

  static override args = {
    name: Args.string({description: 'name of pipeline (defaults to the app\'s name without a stage suffix such as -staging)'}),
  }

  static override flags = {
    json: jsonFlag('the pipeline object (Platform API; the app\'s coupling is in the human output only)'),
    stage: Flags.string({char: 's', description: `stage of first app in pipeline (${STAGES.join(', ')})`, helpValue: 'STAGE'}),
  }

  async run(): Promise<Pipeline> {
    return createPipeline({api: this.api, app: await this.app(), name: this.args.name, out: this.out, prompter: this.prompter, stage: this.flags.stage})
  }
}
