import type {Domain} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {removeDomain} from '../../lib/domains/domains.js'

export default class DomainsRemove extends AppCommand<typeof DomainsRemove> {
  static override description = 'remove a custom domain from an app'
  static override examples = ['<%= config.bin %> domains:remove www.example.com -a my-app']

  static override args = {
    hostname: Args.string({description: 'the domain, e.g. www.example.com', required: true}),
  }

  static override flags = {
    json: jsonFlag('the domain object the DELETE returned (Platform API)'),
  }

  async run(): Promise<Domain> {
    return removeDomain({api: this.api, app: await this.app(), hostname: this.args.hostname, out: this.out})
  }
}
