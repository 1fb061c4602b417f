import {Args, Flags} from '@oclif/core'

import {type Installation, removeBuildpack} from '../../lib/buildpacks/buildpacks.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class BuildpacksRemove extends AppCommand<typeof BuildpacksRemove> {
  static override summary = 'remove a buildpack from an app, by URL or --index'
  static override examples = [
    '<%= config.bin %> buildpacks:remove heroku/nodejs -a my-app',
    '<%= config.bin %> buildpacks:remove --index 2 -a my-app',
  ]

  static override args = {
    buildpack: Args.string({description: 'the buildpack name or URL to remove'}),
  }

  static override flags = {
    json: jsonFlag('the list of buildpack-installation objects the PUT returned (Platform API)'),
    index: Flags.integer({char: 'i', description: 'position of the buildpack to remove, starting at 1', helpValue: 'INDEX'}),
  }

  async run(): Promise<Installation[]> {
    return removeBuildpack({api: this.api, app: await this.app(), buildpack: this.args.buildpack, index: this.flags.index, out: this.out})
  }
}
