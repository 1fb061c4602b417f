import type {AddOnAttachment} from '@heroku-cli/schema'

import {Args, Flags} from '@oclif/core'

import {attachAddon} from '../../lib/addons/attach.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class AddonsAttach extends AppCommand<typeof AddonsAttach> {
  static override description = 'attach an existing add-on to another app, which gets its config vars'
  static override examples = [
    '<%= config.bin %> addons:attach postgresql-shiny-12345 -a other-app',
    '<%= config.bin %> addons:attach postgresql-shiny-12345 --as SHARED_DB -a other-app',
  ]

  static override args = {
    addon: Args.string({description: 'add-on name or id', required: true}),
  }

  static override flags = {
    json: jsonFlag('the add-on-attachment object (Platform API)'),
    as: Flags.string({description: 'name of the attachment (and its config vars)', helpValue: 'NAME'}),
    confirm: Flags.string({description: 'the app\'s name, when the platform asks to confirm replacing an attachment', helpValue: 'APP'}),
  }

  async run(): Promise<AddOnAttachment> {
    return attachAddon({addon: this.args.addon, api: this.api, app: await this.app(), as: this.flags.as, confirm: this.flags.confirm, out: this.out})
  }
}
