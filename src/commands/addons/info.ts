import type {AddOn} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {addonInfo} from '../../lib/addons/info.js'
import {optionalApp} from '../../lib/addons/optional-app.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class AddonsInfo extends AppCommand<typeof AddonsInfo> {
  static override description = 'show an add-on: plan, owning app, attachments, config vars, state'
  static override examples = ['<%= config.bin %> addons:info postgresql-shiny-12345', '<%= config.bin %> addons:info DATABASE -a my-app']

  static override args = {
    addon: Args.string({description: 'add-on name or id, or an attachment name with --app', required: true}),
  }

  static override flags = {
    json: jsonFlag('the add-on object (Platform API; its attachments are in the human output only)'),
  }

  async run(): Promise<AddOn> {
    return addonInfo({addon: this.args.addon, api: this.api, app: await optionalApp(this.flags, () => this.app()), out: this.out})
  }
}
