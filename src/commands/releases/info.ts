import type {Release} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {parseVersion, releaseInfo} from '../../lib/releases/releases.js'

export default class ReleasesInfo extends AppCommand<typeof ReleasesInfo> {
  static override description = 'show one release (the newest by default)'
  static override examples = ['<%= config.bin %> releases:info -a my-app', '<%= config.bin %> releases:info v12 -a my-app --json']

  static override args = {
    release: Args.string({description: 'the release version, e.g. v12'}),
  }

  static override flags = {
    json: jsonFlag('the release object (Platform API)'),
  }

  async run(): Promise<Release> {
    const version = this.args.release === undefined ? undefined : parseVersion(this.args.release)
    return releaseInfo({api: this.api, app: await this.app(), out: this.out, version})
  }
}
