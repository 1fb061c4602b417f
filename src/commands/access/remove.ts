import type {Collaborator} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {removeAccess} from '../../lib/access/access.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class AccessRemove extends AppCommand<typeof AccessRemove> {
  static override description = 'remove users from an app (a collaborator may remove itself)'
  static override examples = ['<%= config.bin %> access:remove user@example.com -a my-app']

  static override args = {
    email: Args.string({description: 'email address of the collaborator to remove', required: true}),
  }

  static override flags = {
    json: jsonFlag('the collaborator object the DELETE returned (Platform API)'),
  }

  async run(): Promise<Collaborator> {
    return removeAccess({api: this.api, app: await this.app(), email: this.args.email, out: this.out})
  }
}
