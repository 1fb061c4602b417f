import {BaseCommand} from '../../../lib/command/base.js'
import {jsonFlag} from '../../../lib/command/json-flag.js'
import {type AddonProviderInfo, listProviders} from '../../../lib/platform/addon-providers.js'

export default class PlatformAddons extends BaseCommand<typeof PlatformAddons> {
  static override summary = 'list the partner add-on providers registered on the platform'
  static override description = 'Partner providers offer add-on services the platform does not run itself, through the Add-on Partner API (see docs/addons/partners.md). Secrets of their manifests are never shown.'
  static override examples = ['<%= config.bin %> platform:addons', '<%= config.bin %> platform:addons --json']

  static override flags = {
    json: jsonFlag('the list of add-on provider objects (local platform API)'),
  }

  async run(): Promise<AddonProviderInfo[]> {
    return listProviders({api: this.api, out: this.out})
  }
}
