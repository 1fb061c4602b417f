import type {Release} from '@heroku-cli/schema'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {retryRelease} from '../../lib/releases/releases.js'

export default class ReleasesRetry extends AppCommand<typeof ReleasesRetry> {
  static override summary = 'run the newest release again (its release command too)'
  static override description = 'This makes a new release of the newest release\'s code with the current config vars, so that its release command runs again.'

  static override examples = ['<%= config.bin %> releases:retry -a my-app']

  static override flags = {
    json: jsonFlag('the new release object (Platform API)'),
  }

  async run(): Promise<Release> {
    return retryRelease({api: this.api, app: await this.app(), out: this.out})
  }
}
