import {Args, Flags} from '@oclif/core'

import {openAddon, type OpenAddonResult} from '../../lib/addons/open.js'
import {optionalApp} from '../../lib/addons/optional-app.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class AddonsOpen extends AppCommand<typeof AddonsOpen> {
  static override summary = 'open an add-on\'s dashboard in a web browser, signed in'
  static override description = 'Uses the add-on\'s single sign-on where the platform offers it (a short-lived, single-use link), else its dashboard URL. --show-url prints the link instead.'
  static override examples = ['<%= config.bin %> addons:open DATABASE -a my-app', '<%= config.bin %> addons:open postgresql-shiny-12345 --show-url']

  static override args = {
    addon: Args.string({description: 'add-on name or id, or an attachment name with --app', required: true}),
  }

  static override flags = {
    json: jsonFlag('what was opened ({addon, url, sso}; not an API object)'),
    'show-url': Flags.boolean({description: 'print the URL instead of opening it (an SSO link works once, for a minute)'}),
  }

  async run(): Promise<OpenAddonResult> {
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
