import type {Build} from '@heroku-cli/schema'

import {Flags} from '@oclif/core'

import {listBuilds} from '../../lib/builds/builds.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class Builds extends AppCommand<typeof Builds> {
  static override summary = 'list an app\'s builds, newest first'
  static override examples = ['<%= config.bin %> builds -a my-app', '<%= config.bin %> builds -a my-app -n 50 --json']

  static override flags = {
    json: jsonFlag('the list of build objects (Platform API)'),
    num: Flags.integer({char: 'n', default: 15, description: 'number of builds to show', max: 1000, min: 1}),
  }

  async run(): Promise<Build[]> {
    return listBuilds({api: this.api, app: await this.app(), num: this.flags.num, out: this.out})
  }
}
