import {Args, Flags} from '@oclif/core'

import {generateCert, type GeneratedCert} from '../../lib/certs/generate.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class CertsGenerate extends AppCommand<typeof CertsGenerate> {
  static override summary = 'make a self-signed certificate for a custom domain (with openssl) and add it to the app'
  static override description = 'Writes DOMAIN.crt and DOMAIN.key (0600) and adds them as with certs:add. The certificate is self-signed, for testing: browsers warn and other clients refuse it unless told to trust it (curl --cacert DOMAIN.crt). It does not come from the local platform\'s certificate authority, which may only vouch for localhost, *.localhost and 127.0.0.0/8 (its name constraints), so nothing it signed is trusted for a custom domain. For a trusted certificate, have a CA sign one and use certs:add. Needs openssl.'

  static override examples = [
    '<%= config.bin %> certs:generate www.example.com -a my-app',
    '<%= config.bin %> certs:generate www.example.com --no-add --dir certs',
  ]

  static override args = {
    DOMAIN: Args.string({description: 'the domain the certificate is for, e.g. www.example.com or *.example.com', required: true}),
  }

  static override flags = {
    json: jsonFlag('the files written and the sni-endpoint object if one was added ({certificate_file, key_file, sni_endpoint})'),
    add: Flags.boolean({allowNo: true, default: true, description: 'add it to the app once made (--no-add: only write the files)'}),
    days: Flags.integer({default: 90, description: 'days it is valid for', helpValue: 'DAYS'}),
    dir: Flags.string({default: '.', description: 'directory to write DOMAIN.crt and DOMAIN.key in', helpValue: 'DIR'}),
    domains: Flags.string({
      delimiter: ',',
      description: 'custom domains to use the certificate for (comma-separated); without it, on a terminal you are asked about each domain it covers, elsewhere every one it covers is used',
      helpValue: 'HOSTNAMES',
      multiple: true,
    }),
  }

  async run(): Promise<GeneratedCert> {
    return generateCert({
      add: this.flags.add,
      api: this.api,
      app: this.flags.add ? await this.app() : '',
      days: this.flags.days,
      dir: this.flags.dir,
      domain: this.args.DOMAIN,
      domains: this.flags.domains,
      out: this.out,
      prompter: this.prompter,
    })
  }
}
