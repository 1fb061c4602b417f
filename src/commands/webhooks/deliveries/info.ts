import {Args} from '@oclif/core'

import {AppCommand} from '../../../lib/command/app-command.js'
import {jsonFlag} from '../../../lib/command/json-flag.js'
import {deliveryInfo, type WebhookDelivery} from '../../../lib/webhooks/webhooks.js'

export default class WebhooksDeliveriesInfo extends AppCommand<typeof WebhooksDeliveriesInfo> {
  static override description = 'info for a webhook delivery on an app, with its event\'s payload'
  static override examples = ['<%= config.bin %> webhooks:deliveries:info 99999999-9999-9999-9999-999999999999 -a my-app']

  static override args = {
    id: Args.string({description: 'ID of the webhook delivery', required: true}),
  }

  static override flags = {
    json: jsonFlag('the app-webhook-delivery object (Platform API; the event payload is in the human output only)'),
  }

  async run(): Promise<WebhookDelivery> {
    return deliveryInfo({api: this.api, app: await this.app(), id: this.args.id, out: this.out})
  }
}
