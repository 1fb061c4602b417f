import {Args, Flags} from '@oclif/core'

import {addCert, type SniEndpoint} from '../../lib/certs/certs.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class CertsAdd extends AppCommand<typeof CertsAdd> {
  static override summary = 'add an SSL certificate (and its key) for an app\'s custom domains'
  static override description = 'CRT is the certificate in PEM, followed by any intermediate certificates; KEY its private key in PEM (not encrypted). The certificate is served over HTTPS for the custom domains it covers (its subject alternative names; *.example.com covers one label).'
  static override examples = [
    '<%= config.bin %> certs:add server.crt server.key -a my-app',
    '<%= config.bin %> certs:add server.crt server.key -a my-app --domains www.example.com,api.example.com',
  ]

  static override args = {
    CRT: Args.string({description: 'path of the certificate (chain) file, PEM', required: true}),
    KEY: Args.string({description: 'path of the private key file, PEM', required: true}),
  }

  static override flags = {
    json: jsonFlag('the sni-endpoint object (Platform API)'),
    domains: Flags.string({
      delimiter: ',',
      description: 'custom domains to use the certificate for (comma-separated); without it, on a terminal you are asked about each domain it covers, elsewhere every one it covers is used',
      helpValue: 'HOSTNAMES',
      multiple: true,
    }),
  }

  async run(): Promise<SniEndpoint> {
    return addCert({api: this.api, app: await this.app(), certFile: this.args.CRT, domains: this.flags.domains, keyFile: this.args.KEY, out: this.out, prompter: this.prompter})
  }
}
