import {Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {pullConfig, type PullConfigResult} from '../../lib/config/pull.js'

export default class ConfigPull extends AppCommand<typeof ConfigPull> {
  static override summary = 'write the app\'s config vars into a .env file, for heroku local'
  static override description = 'Adds the vars the file does not have; a var it has with another value is kept unless --overwrite. Comments and other lines stay. The file is made readable by you only (mode 0600): it holds the app\'s secrets.'

  static override examples = [
    '<%= config.bin %> config:pull -a my-app',
    '<%= config.bin %> config:pull -a my-app --overwrite',
    '<%= config.bin %> config:pull -a my-app -f .env.production',
  ]

  static override flags = {
    json: jsonFlag('a summary of the file written ({file, added, overwritten, kept}; not an API object)'),
    file: Flags.string({char: 'f', default: '.env', description: 'the .env file to write', helpValue: 'FILE'}),
    overwrite: Flags.boolean({char: 'o', description: 'replace the values of vars the file has already'}),
  }

  async run(): Promise<PullConfigResult> {
    return pullConfig({api: this.api, app: await this.app(), cwd: process.cwd(), file: this.flags.file, out: this.out, overwrite: this.flags.overwrite})
  }
}
