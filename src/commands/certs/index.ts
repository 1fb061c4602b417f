import {listCerts, type SniEndpoint} from '../../lib/certs/certs.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class Certs extends AppCommand<typeof Certs> {
  static override description = 'list the SSL certificates of an app\'s custom domains (its SNI endpoints): names, common names, expiry, trust, type and how many domains use each'
  static override examples = ['<%= config.bin %> certs -a my-app', '<%= config.bin %> certs -a my-app --json']

  static override flags = {
    json: jsonFlag('the list of sni-endpoint objects (Platform API)'),
  }

  async run(): Promise<SniEndpoint[]> {
    return listCerts({api: this.api, app: await this.app(), out: this.out})
  }
}
