import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {type AppWebhook, webhookInfo} from '../../lib/webhooks/webhooks.js'

export default class WebhooksInfo extends AppCommand<typeof WebhooksInfo> {
  static override description = 'info for a webhook on an app'
  static override examples = ['<%= config.bin %> webhooks:info 99999999-9999-9999-9999-999999999999 -a my-app']

  static override args = {
    id: Args.string({description: 'ID of the webhook', required: true}),
  }

  static override flags = {
    json: jsonFlag('the app-webhook object (Platform API)'),
  }

  async run(): Promise<AppWebhook> {
    return webhookInfo({api: this.api, app: await this.app(), id: this.args.id, out: this.out})
  }
}
