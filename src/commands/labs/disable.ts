import type {AccountFeature, AppFeature} from '@heroku-cli/schema'

import {Args, Flags} from '@oclif/core'

import {optionalApp} from '../../lib/addons/optional-app.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {setLabsFeature} from '../../lib/labs/labs.js'

export default class LabsDisable extends AppCommand<typeof LabsDisable> {
  static override description = 'disables an experimental feature (an app\'s with -a, else the account\'s)'
  static override examples = ['<%= config.bin %> labs:disable runtime-dyno-metadata -a my-app']

  static override args = {
    feature: Args.string({description: 'unique identifier or name of the account or app feature', required: true}),
  }

  static override flags = {
    json: jsonFlag('the account-feature or app-feature object (Platform API)'),
    confirm: Flags.string({description: 'accepted for compatibility with the Heroku CLI (its spaces-strict-tls feature asks for it)', helpValue: 'APP'}),
  }

  async run(): Promise<AccountFeature | AppFeature> {
    return setLabsFeature({api: this.api, app: await optionalApp(this.flags, () => this.app()), enabled: false, feature: this.args.feature, out: this.out})
  }
}
