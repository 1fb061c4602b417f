import {AppCommand} from '../../../lib/command/app-command.js'
import {jsonFlag} from '../../../lib/command/json-flag.js'
import {listEvents, type WebhookEvent} from '../../../lib/webhooks/webhooks.js'

export default class WebhooksEvents extends AppCommand<typeof WebhooksEvents> {
  static override description = 'list webhook events on an app (deprecated: use webhooks:deliveries)'
  static override examples = ['<%= config.bin %> webhooks:events -a my-app']

  static override flags = {
    json: jsonFlag('the list of app-webhook-event objects (Platform API)'),
  }

  async run(): Promise<WebhookEvent[]> {
    return listEvents({api: this.api, app: await this.app(), out: this.out})
  }
}
