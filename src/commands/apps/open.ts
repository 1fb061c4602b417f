import {Args} from '@oclif/core'

import {openApp} from '../../lib/apps/open.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class AppsOpen extends AppCommand<typeof AppsOpen> {
  static override aliases = ['open']
  static override summary = 'open the app in a web browser'
  static override description = 'Where no browser can open (no display, not a terminal), the URL is printed instead.'

  static override examples = ['<%= config.bin %> open -a my-app', '<%= config.bin %> apps:open /admin -a my-app']

  static override args = {
    path: Args.string({description: 'path to open on the app, e.g. /admin'}),
  }

  static override flags = {
    json: jsonFlag('the app and the URL opened ({app, url}; not an API object)'),
  }

  async run(): Promise<{app: string, url: string}> {
    return openApp({api: this.api, app: await this.app(), env: this.env, out: this.out, path: this.args.path})
  }
}
