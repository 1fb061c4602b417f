import type {AddOnAttachment} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {detachAddon} from '../../lib/addons/attach.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class AddonsDetach extends AppCommand<typeof AddonsDetach> {
  static override description = 'detach an add-on attachment from an app (the add-on itself stays)'
  static override examples = ['<%= config.bin %> addons:detach SHARED_DB -a other-app']

  static override args = {
    attachment: Args.string({description: 'attachment name (e.g. SHARED_DB) or id', required: true}),
  }

  static override flags = {
    json: jsonFlag('the add-on-attachment object the DELETE returned (Platform API)'),
  }

  async run(): Promise<AddOnAttachment> {
    return detachAddon({api: this.api, app: await this.app(), attachment: this.args.attachment, out: this.out})
  }
}
