import type {AddOn} from '@heroku-cli/schema'

import {Args, Flags} from '@oclif/core'

import {destroyAddon} from '../../lib/addons/destroy.js'
import {optionalApp} from '../../lib/addons/optional-app.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class AddonsDestroy extends AppCommand<typeof AddonsDestroy> {
  static override aliases = ['addons:remove']
  static override summary = 'permanently destroy an add-on and its data'
  static override description = 'On a terminal you are asked to type the owning app\'s name; elsewhere pass --confirm APP.'

  static override examples = [
    '<%= config.bin %> addons:destroy postgresql-shiny-12345',
    '<%= config.bin %> addons:destroy DATABASE -a my-app --confirm my-app',
  ]

  static override args = {
    addon: Args.string({description: 'add-on name or id, or an attachment name with --app', required: true}),
  }

  static override flags = {
    json: jsonFlag('the add-on object the DELETE returned (Platform API)'),
    confirm: Flags.string({char: 'c', description: 'the owning app\'s name, to confirm without a prompt', helpValue: 'APP'}),
  }

  async run(): Promise<AddOn> {
    return destroyAddon({
      addon: this.args.addon,
      api: this.api,
      app: await optionalApp(this.flags, () => this.app()),
      confirm: this.flags.confirm,
      out: this.out,
      prompter: this.prompter,
    })
  }
}
