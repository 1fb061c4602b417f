import {Args, Flags} from '@oclif/core'

import {type Installation, setBuildpack} from '../../lib/buildpacks/buildpacks.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class BuildpacksSet extends AppCommand<typeof BuildpacksSet> {
  static override summary = 'set the buildpack of an app (replacing the one at --index, the first by default)'
  static override description = 'A buildpack is a built-in name (heroku/nodejs, heroku/static, heroku/procfile), or on the local platform a classic buildpack directory given as an absolute path or file:// URL.'
  static override examples = [
    '<%= config.bin %> buildpacks:set heroku/nodejs -a my-app',
    '<%= config.bin %> buildpacks:set file:///home/me/my-buildpack -i 2 -a my-app',
  ]

  static override args = {
    buildpack: Args.string({description: 'a buildpack name or URL', required: true}),
  }

  static override flags = {
    json: jsonFlag('the list of buildpack-installation objects the PUT returned (Platform API)'),
    index: Flags.integer({char: 'i', description: 'position of the buildpack to replace, starting at 1', helpValue: 'INDEX'}),
  }

  async run(): Promise<Installation[]> {
    return setBuildpack({api: this.api, app: await this.app(), buildpack: this.args.buildpack, index: this.flags.index, out: this.out})
  }
}
