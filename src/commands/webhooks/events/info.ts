import {Args} from '@oclif/core'

import {AppCommand} from '../../../lib/command/app-command.js'
import {jsonFlag} from '../../../lib/command/json-flag.js'
import {eventInfo, type WebhookEvent} from '../../../lib/webhooks/webhooks.js'

export default class WebhooksEventsInfo extends AppCommand<typeof WebhooksEventsInfo> {
  static override description = 'info for a webhook event on an app (deprecated: use webhooks:deliveries:info)'
  static override examples = ['<%= config.bin %> webhooks:events:info 99999999-9999-9999-9999-999999999999 -a my-app']

  static override args = {
    id: Args.string({description: 'ID of the webhook event', required: true}),
  }

  static override flags = {
    json: jsonFlag('the app-webhook-event object (Platform API)'),
  }

  async run(): Promise<WebhookEvent> {
    return eventInfo({api: this.api, app: await this.app(), id: this.args.id, out: this.out})
  }
}
