import type {Release} from '@heroku-cli/schema'

import {Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {listReleases} from '../../lib/releases/releases.js'

export default class Releases extends AppCommand<typeof Releases> {
  static override description = 'list an app\'s releases, newest first'
  static override examples = ['<%= config.bin %> releases -a my-app', '<%= config.bin %> releases -n 5 -a my-app --json']

  static override flags = {
    json: jsonFlag('the list of release objects (Platform API)'),
    num: Flags.integer({char: 'n', default: 15, description: 'how many releases to show', min: 1}),
  }

  async run(): Promise<Release[]> {
    return listReleases({api: this.api, app: await this.app(), num: this.flags.num, out: this.out})
  }
}
