import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {stopDynos} from '../../lib/ps/dynos.js'

export default class PsStop extends AppCommand<typeof PsStop> {
  static override aliases = ['stop', 'ps:kill']
  static override description = 'stop one dyno (web.1) or every dyno of a process type (web)'
  static override examples = ['<%= config.bin %> ps:stop web.1 -a my-app', '<%= config.bin %> ps:stop worker -a my-app']

  static override args = {
    target: Args.string({description: 'dyno (web.1) or process type (web)', required: true}),
  }

  static override flags = {
    json: jsonFlag('what was stopped ({app, stopped}; the API answers with no object)'),
  }

  async run(): Promise<{app: string, stopped: string}> {
    return stopDynos({api: this.api, app: await this.app(), out: this.out, target: this.args.target})
  }
}
