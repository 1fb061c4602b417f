import {Flags} from '@oclif/core'

import {certInfo, type SniEndpoint} from '../../lib/certs/certs.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class CertsInfo extends AppCommand<typeof CertsInfo> {
  static override description = 'show an SSL certificate of an app: its names, domains, validity, issuer and whether it is trusted'
  static override examples = ['<%= config.bin %> certs:info -a my-app', '<%= config.bin %> certs:info -a my-app --name sunny-frost-12345 --json']

  static override flags = {
    json: jsonFlag('the sni-endpoint object (Platform API)'),
    name: Flags.string({description: 'the SSL certificate (SNI endpoint) name; needed when the app has several', helpValue: 'NAME'}),
  }

  async run(): Promise<SniEndpoint> {
    return certInfo({api: this.api, app: await this.app(), name: this.flags.name, out: this.out})
  }
}
