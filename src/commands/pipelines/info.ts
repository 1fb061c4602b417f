import type {Pipeline} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {pipelineInfo} from '../../lib/pipelines/pipelines.js'

export default class PipelinesInfo extends BaseCommand<typeof PipelinesInfo> {
  static override description = 'show list of apps in a pipeline'
  static override examples = ['<%= config.bin %> pipelines:info my-pipeline', '<%= config.bin %> pipelines:info my-pipeline --json']

  static override args = {
    pipeline: Args.string({description: 'pipeline to show list of apps for', required: true}),
  }

  static override flags = {
    json: jsonFlag('the pipeline object (Platform API; its apps and stages are in the human output only)'),
  }

  async run(): Promise<Pipeline> {
    return pipelineInfo({api: this.api, out: this.out, pipeline: this.args.pipeline})
  }
}
