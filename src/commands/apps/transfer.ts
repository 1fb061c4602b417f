import type {App, AppTransfer} from '@heroku-cli/schema'

import {Args, Flags} from '@oclif/core'

import {transferApps} from '../../lib/apps/transfer.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class AppsTransfer extends AppCommand<typeof AppsTransfer> {
  static override description = 'transfer applications to another user or team: a person accepts the transfer before the app is theirs (you stay on as a collaborator)'
  static override examples = [
    '<%= config.bin %> apps:transfer collaborator@example.com -a my-app',
    '<%= config.bin %> apps:transfer acme-widgets -a my-app',
    '<%= config.bin %> apps:transfer --bulk acme-widgets',
  ]

  static override args = {
    recipient: Args.string({description: 'user or team to transfer applications to', required: true}),
  }

  static override flags = {
    json: jsonFlag('the list of app-transfer objects (to a person) or team-app objects (to a team) (Platform API)'),
    bulk: Flags.boolean({description: 'transfer applications in bulk'}),
    confirm: Flags.string({char: 'c', hidden: true}),
    locked: Flags.boolean({char: 'l', description: 'lock the app upon transfer'}),
  }

  async run(): Promise<Array<App | AppTransfer>> {
    const {bulk, confirm, locked} = this.flags
    return transferApps({
      api: this.api, app: bulk ? undefined : await this.app(), bulk, confirm, locked, out: this.out, prompter: this.prompter, recipient: this.args.recipient,
    })
  }
}
