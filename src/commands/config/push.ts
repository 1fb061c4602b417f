import {Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {pushConfig, type PushConfigResult} from '../../lib/config/push.js'

export default class ConfigPush extends AppCommand<typeof ConfigPush> {
  static override summary = 'set the vars of a .env file on the app'
  static override description = 'Sets the vars the app does not have; a var it has with another value is kept unless --overwrite. This makes a new release and restarts the app, so on a terminal you are asked first; elsewhere pass --confirm APP.'

  static override examples = [
    '<%= config.bin %> config:push -a my-app',
    '<%= config.bin %> config:push -a my-app -f .env.production --overwrite --confirm my-app',
  ]

  static override flags = {
    json: jsonFlag('a summary ({file, pushed, kept, config_vars}; config_vars is the config-vars object the PATCH returned)'),
    confirm: Flags.string({char: 'c', description: 'the app\'s name, to confirm without a prompt', helpValue: 'APP'}),
    file: Flags.string({char: 'f', default: '.env', description: 'the .env file to read', helpValue: 'FILE'}),
    overwrite: Flags.boolean({char: 'o', description: 'replace the values of vars the app has already'}),
  }

  async run(): Promise<PushConfigResult> {
    const {confirm, file, overwrite} = this.flags
    return pushConfig({api: this.api, app: await this.app(), confirm, cwd: process.cwd(), file, out: this.out, overwrite, prompter: this.prompter})
  }
}
