import {Args, Flags} from '@oclif/core'

import {openAddon} from '../../lib/addons/open.js'
import {optionalApp} from '../../lib/addons/optional-app.js'
import {AppCommand} from '../../lib/command/app-command.js'

export default class AddonsOpen extends AppCommand<typeof AddonsOpen> {
  static override description = 'open an add-on\'s dashboard in a web browser'
  static override examples = ['<%= config.bin %> addons:open DATABASE -a my-app', '<%= config.bin %> addons:open postgresql-shiny-12345 --show-url']

  static override args = {
    addon: Args.string({description: 'add-on name or id, or an attachment name with --app', required: true}),
  }

  static override flags = {
    'show-url': Flags.boolean({description: 'print the URL instead of opening it'}),
  }

  async run(): Promise<{addon: string; url: string}> {
    return openAddon({
      addon: this.args.addon,
      api: this.api,
      app: await optionalApp(this.flags, () => this.app()),
      env: this.env,
      out: this.out,
      showUrl: this.flags['show-url'],
    })
  }
}
