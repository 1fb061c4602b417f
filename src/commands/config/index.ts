import type {ConfigVars} from '@heroku-cli/schema'

import {Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {showConfig} from '../../lib/config/vars.js'

export default class Config extends AppCommand<typeof Config> {
  static override summary = 'display the config vars of an app'
  static override description = '--shell prints KEY=\'value\' lines that sh can eval back to the exact values.'

  static override examples = [
    '<%= config.bin %> config -a my-app',
    '<%= config.bin %> config -a my-app --shell > .env',
    '<%= config.bin %> config -a my-app --json',
  ]

  static override flags = {
    json: jsonFlag('the config-vars object (Platform API)'),
    shell: Flags.boolean({char: 's', description: 'print KEY=\'value\' lines, quoted for sh'}),
  }

  async run(): Promise<ConfigVars> {
    return showConfig({api: this.api, app: await this.app(), out: this.out, shell: this.flags.shell})
  }
}
