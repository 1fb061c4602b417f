import {Flags} from '@oclif/core'

import {removeCert, type SniEndpoint} from '../../lib/certs/certs.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class CertsRemove extends AppCommand<typeof CertsRemove> {
  static override summary = 'remove an SSL certificate from an app'
  static override description = 'Its domains are then served with the platform\'s default certificate. On a terminal you are asked to type the app\'s name; elsewhere pass --confirm APP.'
  static override examples = ['<%= config.bin %> certs:remove -a my-app', '<%= config.bin %> certs:remove -a my-app --name sunny-frost-12345 --confirm my-app']

  static override flags = {
    json: jsonFlag('the sni-endpoint object the DELETE returned (Platform API)'),
    confirm: Flags.string({char: 'c', description: 'the app\'s name, to confirm without a prompt', helpValue: 'APP'}),
    name: Flags.string({description: 'the SSL certificate (SNI endpoint) name; needed when the app has several', helpValue: 'NAME'}),
  }

  async run(): Promise<SniEndpoint> {
    return removeCert({api: this.api, app: await this.app(), confirm: this.flags.confirm, name: this.flags.name, out: this.out, prompter: this.prompter})
  }
}
