import type {Domain} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {addDomain} from '../../lib/domains/domains.js'

export default class DomainsAdd extends AppCommand<typeof DomainsAdd> {
  static override description = 'add a custom domain to an app, and show the DNS target to point it at'
  static override examples = ['<%= config.bin %> domains:add www.example.com -a my-app']

  static override args = {
    hostname: Args.string({description: 'the domain, e.g. www.example.com', required: true}),
  }

  static override flags = {
    json: jsonFlag('the domain object (Platform API)'),
  }

  async run(): Promise<Domain> {
    return addDomain({api: this.api, app: await this.app(), hostname: this.args.hostname, out: this.out})
  }
}
