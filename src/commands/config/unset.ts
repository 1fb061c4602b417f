import type {ConfigVars} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {validateKey} from '../../lib/config/keys.js'
import {updateConfig} from '../../lib/config/vars.js'
import {UsageError} from '../../lib/errors.js'

export default class ConfigUnset extends AppCommand<typeof ConfigUnset> {
  static override aliases = ['config:remove']
  static override summary = 'unset one or more config vars'
  static override description = 'Makes a new release and restarts the app.'

  static override examples = ['<%= config.bin %> config:unset RAILS_ENV -a my-app', '<%= config.bin %> config:unset A B C -a my-app']

  static override args = {
    keys: Args.string({description: 'names of the config vars to unset', required: true}),
  }

  static override strict = false

  static override flags = {
    json: jsonFlag('the config-vars object the PATCH returned (Platform API)'),
  }

  async run(): Promise<ConfigVars> {
    const {argv} = await this.parse(ConfigUnset)
    const keys = (argv as string[]).map(k => validateKey(k))
    if (keys.length === 0) throw new UsageError('Give at least one config var name to unset.')
    const changes = Object.fromEntries(keys.map(k => [k, null]))
    return updateConfig({api: this.api, app: await this.app(), changes, out: this.out})
  }
}
