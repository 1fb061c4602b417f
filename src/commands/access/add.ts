import type {Collaborator} from '@heroku-cli/schema'

import {Args, Flags} from '@oclif/core'

import {addAccess} from '../../lib/access/access.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class AccessAdd extends AppCommand<typeof AccessAdd> {
  static override description = 'add new users to your app: they may deploy, change config, scale, read logs, run dynos and use add-ons, but not destroy, rename or transfer it, nor manage its collaborators'
  static override examples = ['<%= config.bin %> access:add user@example.com -a my-app']

  static override args = {
    email: Args.string({description: 'email address of the account to add', required: true}),
  }

  static override flags = {
    json: jsonFlag('the collaborator object (Platform API)'),
    permissions: Flags.string({char: 'p', description: 'list of permissions comma separated (team apps only)'}),
  }

  async run(): Promise<Collaborator> {
    return addAccess({api: this.api, app: await this.app(), email: this.args.email, out: this.out, permissions: this.flags.permissions})
  }
}
