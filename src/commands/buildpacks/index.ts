import {type Installation, listBuildpacks} from '../../lib/buildpacks/buildpacks.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class Buildpacks extends AppCommand<typeof Buildpacks> {
  static override summary = 'list an app\'s buildpacks, in the order they run'
  static override description = 'With none set, git push detects the buildpack (Node.js, static site, Procfile).'
  static override examples = ['<%= config.bin %> buildpacks -a my-app', '<%= config.bin %> buildpacks -a my-app --json']

  static override flags = {
    json: jsonFlag('the list of buildpack-installation objects (Platform API)'),
  }

  async run(): Promise<Installation[]> {
    return listBuildpacks({api: this.api, app: await this.app(), out: this.out})
  }
}
