import {Args, Flags} from '@oclif/core'

import {openServiceDocs} from '../../lib/addons/open.js'
import {BaseCommand} from '../../lib/command/base.js'

export default class AddonsDocs extends BaseCommand<typeof AddonsDocs> {
  static override description = 'open the documentation of an add-on service in a web browser'
  static override examples = ['<%= config.bin %> addons:docs heroku-postgresql', '<%= config.bin %> addons:docs heroku-redis --show-url']

  static override args = {
    service: Args.string({description: 'the add-on service, e.g. heroku-postgresql', required: true}),
  }

  static override flags = {
    'show-url': Flags.boolean({description: 'print the URL instead of opening it'}),
  }

  async run(): Promise<{service: string; url: string}> {
    return openServiceDocs({api: this.api, env: this.env, out: this.out, service: this.args.service, showUrl: this.flags['show-url']})
  }
}
