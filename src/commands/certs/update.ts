import {Args, Flags} from '@oclif/core'

import {type SniEndpoint, updateCert} from '../../lib/certs/certs.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class CertsUpdate extends AppCommand<typeof CertsUpdate> {
  static override summary = 'replace an SSL certificate of an app with a new certificate and key'
  static override description = 'The domains that use it keep using it while the new certificate covers them.'
  static override examples = ['<%= config.bin %> certs:update server.crt server.key -a my-app', '<%= config.bin %> certs:update server.crt server.key -a my-app --name sunny-frost-12345']

  static override args = {
    CRT: Args.string({description: 'path of the certificate (chain) file, PEM', required: true}),
    KEY: Args.string({description: 'path of the private key file, PEM', required: true}),
  }

  static override flags = {
    json: jsonFlag('the sni-endpoint object (Platform API)'),
    name: Flags.string({description: 'the SSL certificate (SNI endpoint) name; needed when the app has several', helpValue: 'NAME'}),
  }

  async run(): Promise<SniEndpoint> {
    return updateCert({api: this.api, app: await this.app(), certFile: this.args.CRT, keyFile: this.args.KEY, name: this.flags.name, out: this.out})
  }
}
