import type {ConfigVars} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {parseAssignments} from '../../lib/config/keys.js'
import {updateConfig} from '../../lib/config/vars.js'

export default class ConfigSet extends AppCommand<typeof ConfigSet> {
  static override aliases = ['config:add']
  static override summary = 'set one or more config vars'
  static override description = 'Each argument is KEY=VALUE; the value is everything after the first =, so it may contain =. Setting config vars makes a new release and restarts the app.'

  static override examples = [
    '<%= config.bin %> config:set RAILS_ENV=production -a my-app',
    '<%= config.bin %> config:set "GREETING=hello world" TOKEN=a=b=c -a my-app',
  ]

  static override args = {
    pairs: Args.string({description: 'KEY=VALUE pairs (the value may contain =)', required: true}),
  }

  static override strict = false

  static override flags = {
    json: jsonFlag('the config-vars object the PATCH returned (Platform API)'),
  }

  async run(): Promise<ConfigVars> {
    const {argv} = await this.parse(ConfigSet)
    const changes = parseAssignments(argv as string[])
    return updateConfig({api: this.api, app: await this.app(), changes, out: this.out})
  }
}
