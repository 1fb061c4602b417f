import {Flags} from '@oclif/core'

import {AppCommand} from '../../../lib/command/app-command.js'
import {jsonFlag} from '../../../lib/command/json-flag.js'
import {DELIVERY_STATUSES, listDeliveries, type WebhookDelivery} from '../../../lib/webhooks/webhooks.js'

export default class WebhooksDeliveries extends AppCommand<typeof WebhooksDeliveries> {
  static override description = 'list webhook deliveries on an app: status, attempts, the receiver\'s last answer'
  static override examples = ['<%= config.bin %> webhooks:deliveries -a my-app', '<%= config.bin %> webhooks:deliveries -s failed -a my-app --json']

  static override flags = {
    json: jsonFlag('the list of app-webhook-delivery objects (Platform API)'),
    status: Flags.string({char: 's', description: 'filter deliveries by status', options: [...DELIVERY_STATUSES]}),
  }

  async run(): Promise<WebhookDelivery[]> {
    return listDeliveries({api: this.api, app: await this.app(), out: this.out, status: this.flags.status})
  }
}
