import {Args} from '@oclif/core'

import {BaseCommand} from '../../../lib/command/base.js'
import {jsonFlag} from '../../../lib/command/json-flag.js'
import {type AddonProviderInfo, unregisterProvider} from '../../../lib/platform/addon-providers.js'

export default class PlatformAddonsUnregister extends BaseCommand<typeof PlatformAddonsUnregister> {
  static override args = {id: Args.string({description: 'the provider\'s slug (its manifest\'s id)', required: true})}
  static override summary = 'remove a partner add-on provider you registered'
  static override description = 'Its service leaves the catalog. The platform refuses while add-ons of it exist: destroy them first (heroku addons:destroy).'
  static override examples = ['<%= config.bin %> platform:addons:unregister mongohq']

  static override flags = {
    json: jsonFlag('the add-on provider object the DELETE returned (local platform API)'),
  }

  async run(): Promise<AddonProviderInfo> {
    return unregisterProvider({api: this.api, id: this.args.id, out: this.out})
  }
}
