import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {type AppWebhook, listWebhooks} from '../../lib/webhooks/webhooks.js'

export default class Webhooks extends AppCommand<typeof Webhooks> {
  static override description = 'list webhooks on an app'
  static override examples = ['<%= config.bin %> webhooks -a my-app', '<%= config.bin %> webhooks -a my-app --json']

  static override flags = {
    json: jsonFlag('the list of app-webhook objects (Platform API)'),
  }

  async run(): Promise<AppWebhook[]> {
    return listWebhooks({api: this.api, app: await this.app(), out: this.out})
  }
}
