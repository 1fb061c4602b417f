import type {Release} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {parseVersion, rollback} from '../../lib/releases/releases.js'

export default class ReleasesRollback extends AppCommand<typeof ReleasesRollback> {
  static override aliases = ['rollback']
  static override summary = 'roll back to an earlier release (the one before the newest by default)'
  static override description = 'This makes a new release with the code and config vars of the old one; add-ons and databases are not rolled back.'

  static override examples = ['<%= config.bin %> releases:rollback -a my-app', '<%= config.bin %> releases:rollback v10 -a my-app']

  static override args = {
    release: Args.string({description: 'the release version to roll back to, e.g. v10'}),
  }

  static override flags = {
    json: jsonFlag('the new release object (Platform API)'),
  }

  async run(): Promise<Release> {
    const version = this.args.release === undefined ? undefined : parseVersion(this.args.release)
    return rollback({api: this.api, app: await this.app(), out: this.out, version})
  }
}
