import type {PipelinePromotionTarget} from '@heroku-cli/schema'

import {Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {promote} from '../../lib/pipelines/pipelines.js'

export default class PipelinesPromote extends AppCommand<typeof PipelinesPromote> {
  static override description = 'promote the latest release of this app to its downstream app(s): its slug, with each app\'s own config, no rebuild'
  static override examples = [
    '<%= config.bin %> pipelines:promote -a my-app-staging',
    '<%= config.bin %> pipelines:promote -a my-app-staging --to my-app-eu,my-app-us',
  ]

  static override flags = {
    json: jsonFlag('the list of pipeline-promotion-target objects, as each ended (Platform API)'),
    to: Flags.string({char: 't', description: 'comma separated list of apps to promote to', helpValue: 'APP,APP'}),
  }

  async run(): Promise<PipelinePromotionTarget[]> {
    const to = this.flags.to?.split(',').map(app => app.trim()).filter(app => app !== '')
    return promote({api: this.api, app: await this.app(), out: this.out, to})
  }
}
