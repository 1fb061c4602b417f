import {Args} from '@oclif/core'

import {addonInfo, AddonInfo} from '../../lib/addons/info.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {optionalApp} from '../../lib/addons/optional-app.js'

export default class AddonsInfo extends AppCommand<typeof AddonsInfo> {
  static override description = 'show an add-on: plan, owning app, attachments, config vars, state'
  static override examples = ['<%= config.bin %> addons:info postgresql-shiny-12345', '<%= config.bin %> addons:info DATABASE -a my-app']

  static override args = {
    addon: Args.string({description: 'add-on name or id, or an attachment name with --app', required: true}),
  }

  async run(): Promise<AddonInfo> {
    return addonInfo({addon: this.args.addon, api: this.api, app: await optionalApp(this.flags, () => this.app()), out: this.out})
  }
}
