import {clearBuildpacks, type Installation} from '../../lib/buildpacks/buildpacks.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class BuildpacksClear extends AppCommand<typeof BuildpacksClear> {
  static override summary = 'clear all of an app\'s buildpacks, so that the next build detects them'
  static override examples = ['<%= config.bin %> buildpacks:clear -a my-app']

  static override flags = {
    json: jsonFlag('the list of buildpack-installation objects the PUT returned (Platform API)'),
  }

  async run(): Promise<Installation[]> {
    return clearBuildpacks({api: this.api, app: await this.app(), out: this.out})
  }
}
