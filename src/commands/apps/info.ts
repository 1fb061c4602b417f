import type {App} from '@heroku-cli/schema'

import {Args, Flags} from '@oclif/core'

import {appInfo} from '../../lib/apps/info.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class AppsInfo extends AppCommand<typeof AppsInfo> {
  static override aliases = ['info']
  static override description = 'show an app\'s details: URLs, owner, region, stack, add-ons and dynos'
  static override examples = [
    '<%= config.bin %> apps:info -a my-app',
    '<%= config.bin %> apps:info my-app --shell',
    '<%= config.bin %> apps:info -a my-app --json',
  ]

  static override args = {
    app: Args.string({description: 'app to show (same as --app)'}),
  }

  static override flags = {
    json: jsonFlag('the app object (Platform API; the add-ons, dynos and pipeline are in the human output only)'),
    shell: Flags.boolean({char: 's', description: 'print key=value lines, quoted for sh'}),
  }

  async run(): Promise<App> {
    return appInfo({api: this.api, app: this.args.app ?? await this.app(), out: this.out, shell: this.flags.shell})
  }
}
