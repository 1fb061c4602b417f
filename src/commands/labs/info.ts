import type {AccountFeature, AppFeature} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {optionalApp} from '../../lib/addons/optional-app.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {labsInfo} from '../../lib/labs/labs.js'

export default class LabsInfo extends AppCommand<typeof LabsInfo> {
  static override description = 'show feature info'
  static override examples = ['<%= config.bin %> labs:info runtime-dyno-metadata -a my-app']

  static override args = {
    feature: Args.string({description: 'unique identifier or name of the account or app feature', required: true}),
  }

  static override flags = {
    json: jsonFlag('the account-feature or app-feature object (Platform API)'),
  }

  async run(): Promise<AccountFeature | AppFeature> {
    return labsInfo({api: this.api, app: await optionalApp(this.flags, () => this.app()), feature: this.args.feature, out: this.out})
  }
}
