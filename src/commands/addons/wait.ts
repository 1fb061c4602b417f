import type {AddOn} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {waitIntervalFlag} from '../../lib/addons/wait-flag.js'
import {waitForAddons} from '../../lib/addons/wait.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class AddonsWait extends AppCommand<typeof AddonsWait> {
  static override description = 'wait until an add-on (or every add-on of the app) is provisioned'
  static override examples = ['<%= config.bin %> addons:wait -a my-app', '<%= config.bin %> addons:wait postgresql-shiny-12345 -a my-app']

  static override args = {
    addon: Args.string({description: 'add-on name or id (default: every add-on of the app)'}),
  }

  static override flags = {
    json: jsonFlag('the list of add-on objects, as each ended (Platform API)'),
    'wait-interval': waitIntervalFlag,
  }

  async run(): Promise<AddOn[]> {
    return waitForAddons({addon: this.args.addon, api: this.api, app: await this.app(), intervalMs: this.flags['wait-interval'] * 1000, out: this.out})
  }
}
