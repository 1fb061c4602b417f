import type {Pipeline} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {destroyPipeline} from '../../lib/pipelines/pipelines.js'

export default class PipelinesDestroy extends BaseCommand<typeof PipelinesDestroy> {
  static override description = 'destroy a pipeline (its apps stay, outside any pipeline)'
  static override examples = ['<%= config.bin %> pipelines:destroy my-pipeline']

  static override args = {
    pipeline: Args.string({description: 'name or id of pipeline', required: true}),
  }

  static override flags = {
    json: jsonFlag('the pipeline object the DELETE returned (Platform API)'),
  }

  async run(): Promise<Pipeline> {
    return destroyPipeline({api: this.api, out: this.out, pipeline: this.args.pipeline})
  }
}
