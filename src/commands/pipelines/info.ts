import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/command/base.js'
import {pipelineInfo, type PipelineInfo} from '../../lib/pipelines/pipelines.js'

export default class PipelinesInfo extends BaseCommand<typeof PipelinesInfo> {
  static override description = 'show list of apps in a pipeline'
  static override examples = ['<%= config.bin %> pipelines:info my-pipeline', '<%= config.bin %> pipelines:info my-pipeline --json']

  static override args = {
    pipeline: Args.string({description: 'pipeline to show list of apps for', required: true}),
  }

  async run(): Promise<PipelineInfo> {
    return pipelineInfo({api: this.api, out: this.out, pipeline: this.args.pipeline})
  }
}
