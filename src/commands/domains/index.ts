import type {Domain} from '@heroku-cli/schema'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {listDomains} from '../../lib/domains/domains.js'

export default class Domains extends AppCommand<typeof Domains> {
  static override description = 'list an app\'s domains, with the DNS target of each custom one'
  static override examples = ['<%= config.bin %> domains -a my-app', '<%= config.bin %> domains -a my-app --json']

  static override flags = {
    json: jsonFlag('the list of domain objects (Platform API)'),
  }

  async run(): Promise<Domain[]> {
    return listDomains({api: this.api, app: await this.app(), out: this.out})
  }
}
