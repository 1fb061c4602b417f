import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {restartDynos} from '../../lib/ps/dynos.js'

export default class PsRestart extends AppCommand<typeof PsRestart> {
  static override aliases = ['restart']
  static override description = 'restart every dyno of the app, the dynos of one process type (web), or one dyno (web.1)'
  static override examples = ['<%= config.bin %> ps:restart -a my-app', '<%= config.bin %> ps:restart web -a my-app', '<%= config.bin %> ps:restart web.1 -a my-app']

  static override args = {
    target: Args.string({description: 'process type (web) or dyno (web.1); all dynos when omitted'}),
  }

  static override flags = {
    json: jsonFlag('what was restarted ({app, restarted}; the API answers with no object)'),
  }

  async run(): Promise<{app: string, restarted: string}> {
    return restartDynos({api: this.api, app: await this.app(), out: this.out, target: this.args.target})
  }
}
