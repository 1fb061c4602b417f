import {Args, Flags} from '@oclif/core'

import {openServiceDocs} from '../../lib/addons/open.js'
import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class AddonsDocs extends BaseCommand<typeof AddonsDocs> {
  static override summary = 'open the documentation of an add-on service in a web browser'
  static override description = 'The page is the service\'s Dev Center article (https://devcenter.heroku.com/articles/SERVICE), as Heroku documents its services, unless the platform gives the service a docs_url of its own. The argument is a service (SERVICE or SERVICE:PLAN) or the name of an add-on of it. Without a browser (no TTY, CI, no display) the URL is printed instead.'
  static override examples = ['<%= config.bin %> addons:docs heroku-postgresql', '<%= config.bin %> addons:docs heroku-redis --show-url', '<%= config.bin %> addons:docs redis-round-2']

  static override args = {
    service: Args.string({description: 'the add-on service, e.g. heroku-postgresql, or an add-on of it', required: true}),
  }

  static override flags = {
    json: jsonFlag('the service and the URL of its documentation ({service, url}; not an API object)'),
    'show-url': Flags.boolean({description: 'print the URL instead of opening it'}),
  }

  async run(): Promise<{service: string, url: string}> {
    return openServiceDocs({api: this.api, env: this.env, out: this.out, service: this.args.service, showUrl: this.flags['show-url']})
  }
}
