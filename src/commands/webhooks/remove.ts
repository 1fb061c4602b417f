import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {type AppWebhook, removeWebhook} from '../../lib/webhooks/webhooks.js'

export default class WebhooksRemove extends AppCommand<typeof WebhooksRemove> {
  static override description = 'removes a webhook from an app'
  static override examples = ['<%= config.bin %> webhooks:remove 99999999-9999-9999-9999-999999999999 -a my-app']

  static override args = {
    id: Args.string({description: 'id of webhook to remove', required: true}),
  }

  static override flags = {
    json: jsonFlag('the app-webhook object the DELETE returned (Platform API)'),
  }

  async run(): Promise<AppWebhook> {
    return removeWebhook({api: this.api, app: await this.app(), id: this.args.id, out: this.out})
  }
}
