import {Args} from '@oclif/core'

import {BaseCommand} from '../../../lib/command/base.js'
import {jsonFlag} from '../../../lib/command/json-flag.js'
import {type AddonProviderInfo, registerProvider} from '../../../lib/platform/addon-providers.js'

export default class PlatformAddonsRegister extends BaseCommand<typeof PlatformAddonsRegister> {
  static override args = {manifest: Args.string({description: 'the add-on manifest (JSON, Heroku\'s format plus "plans")', required: true})}
  static override summary = 'register a partner add-on provider from its add-on manifest'
  static override description = 'The manifest\'s service joins the platform\'s catalog; your account owns the provider. The platform calls api.production.base_url (Add-on Partner API v3) with HTTP Basic id:api.password, and the partner calls back with the same credentials. Registering the same id again replaces its manifest. See docs/addons/partners.md.'

  static override examples = ['<%= config.bin %> platform:addons:register addon-manifest.json']

  static override flags = {
    json: jsonFlag('the add-on provider object (local platform API)'),
  }

  async run(): Promise<AddonProviderInfo> {
    return registerProvider({api: this.api, manifestPath: this.args.manifest, out: this.out})
  }
}
