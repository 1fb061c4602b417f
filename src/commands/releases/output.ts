import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {parseVersion, releaseOutput} from '../../lib/releases/releases.js'

export default class ReleasesOutput extends AppCommand<typeof ReleasesOutput> {
  static override description = 'what a release\'s release command printed (the newest release by default)'
  static override examples = ['<%= config.bin %> releases:output -a my-app', '<%= config.bin %> releases:output v12 -a my-app --json']

  static override args = {
    release: Args.string({description: 'the release version, e.g. v12'}),
  }

  static override flags = {
    json: jsonFlag('the release\'s version, status and release-command output ({version, status, output})'),
  }

  async run(): Promise<{output: string, status?: string, version?: number}> {
    const version = this.args.release === undefined ? undefined : parseVersion(this.args.release)
    const {release, output} = await releaseOutput({api: this.api, app: await this.app(), out: this.out, version})
    return {version: release.version, status: release.status, output}
  }
}
