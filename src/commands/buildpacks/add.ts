import {Args, Flags} from '@oclif/core'

import {addBuildpack, type Installation} from '../../lib/buildpacks/buildpacks.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class BuildpacksAdd extends AppCommand<typeof BuildpacksAdd> {
  static override summary = 'add a buildpack to an app (at the end, or at --index)'
  static override examples = [
    '<%= config.bin %> buildpacks:add heroku/nodejs -a my-app',
    '<%= config.bin %> buildpacks:add heroku/static --index 1 -a my-app',
  ]

  static override args = {
    buildpack: Args.string({description: 'a buildpack name or URL', required: true}),
  }

  static override flags = {
    json: jsonFlag('the list of buildpack-installation objects the PUT returned (Platform API)'),
    index: Flags.integer({char: 'i', description: 'position to insert the buildpack at, starting at 1', helpValue: 'INDEX'}),
  }

  async run(): Promise<Installation[]> {
    return addBuildpack({api: this.api, app: await this.app(), buildpack: this.args.buildpack, index: this.flags.index, out: this.out})
  }
}
