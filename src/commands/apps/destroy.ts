import type {App} from '@heroku-cli/schema'

import {Args, Flags} from '@oclif/core'

import {destroyApp} from '../../lib/apps/destroy.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {gitHostFor} from '../../lib/git/git-host.js'

export default class AppsDestroy extends AppCommand<typeof AppsDestroy> {
  static override aliases = ['destroy', 'apps:delete']
  static override summary = 'permanently destroy an app, its add-ons and their data'
  static override description = 'On a terminal you are asked to type the app\'s name; elsewhere pass --confirm APP. The git remotes of this repository that point at the app are removed.'

  static override examples = [
    '<%= config.bin %> apps:destroy -a my-app',
    '<%= config.bin %> apps:destroy -a my-app --confirm my-app',
  ]

  static override args = {
    app: Args.string({description: 'app to destroy (same as --app)'}),
  }

  static override flags = {
    json: jsonFlag('the app object the DELETE returned (Platform API)'),
    confirm: Flags.string({char: 'c', description: 'the app\'s name, to confirm without a prompt', helpValue: 'APP'}),
  }

  async run(): Promise<App> {
    return destroyApp({
      api: this.api,
      app: this.args.app ?? await this.app(),
      confirm: this.flags.confirm,
      gitHost: gitHostFor(this.apiUrl(), this.env),
      out: this.out,
      prompter: this.prompter,
    })
  }
}
