import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {validateKey} from '../../lib/config/keys.js'
import {getConfigVar} from '../../lib/config/vars.js'

export default class ConfigGet extends AppCommand<typeof ConfigGet> {
  static override summary = 'print the value of one config var'
  static override description = 'An unset var prints an empty line (and null with --json).'

  static override examples = [
    '<%= config.bin %> config:get DATABASE_URL -a my-app',
    '<%= config.bin %> config:get RAILS_ENV -a my-app --shell',
  ]

  static override args = {
    key: Args.string({description: 'name of the config var', required: true}),
  }

  static override flags = {
    json: jsonFlag('the var and its value ({KEY: value}, null when unset; part of the config-vars object)'),
    shell: Flags.boolean({char: 's', description: 'print KEY=\'value\', quoted for sh'}),
  }

  async run(): Promise<Record<string, null | string>> {
    const key = validateKey(this.args.key)
    return getConfigVar({api: this.api, app: await this.app(), key, out: this.out, shell: this.flags.shell})
  }
}
