import type {Formation} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {listFormation, parseScaleChanges, scale} from '../../lib/ps/scale.js'

export default class PsScale extends AppCommand<typeof PsScale> {
  static override aliases = ['scale']
  static override summary = 'scale dynos: set the number (and size) of dynos of process types'
  static override description = 'TYPE=N sets, TYPE+N and TYPE-N change relative to now; :SIZE sets the dyno size. All changes go to the platform in one batch. Without changes, shows the formation.'

  static override examples = [
    '<%= config.bin %> ps:scale web=2 worker+1 -a my-app',
    '<%= config.bin %> ps:scale web=1:standard-2x -a my-app',
    '<%= config.bin %> ps:scale -a my-app',
  ]

  static override args = {
    changes: Args.string({description: 'TYPE=N, TYPE+N or TYPE-N, optionally :SIZE'}),
  }

  static override strict = false

  static override flags = {
    json: jsonFlag('the list of formation objects (Platform API)'),
  }

  async run(): Promise<Formation[]> {
    const {argv} = await this.parse(PsScale)
    const app = await this.app()
    if (argv.length === 0) return listFormation({api: this.api, app, out: this.out})
    return scale({api: this.api, app, changes: parseScaleChanges(argv as string[]), out: this.out})
  }
}
