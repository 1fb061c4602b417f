import type {Pipeline} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {renamePipeline} from '../../lib/pipelines/pipelines.js'

export default class PipelinesRename extends BaseCommand<typeof PipelinesRename> {
  static override description = 'rename a pipeline'
  static override examples = ['<%= config.bin %> pipelines:rename my-pipeline new-pipeline-name']

  static override args = {
    pipeline: Args.string({description: 'name or id of pipeline to rename', required: true}),
    name: Args.string({description: 'new name of pipeline', required: true}),
  }

  static override flags = {
    json: jsonFlag('the pipeline object the PATCH returned (Platform API)'),
  }

  async run(): Promise<Pipeline> {
    return renamePipeline({api: this.api, name: this.args.name, out: this.out, pipeline: this.args.pipeline})
  }
}
