import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {type AppWebhook, parseIncludes, updateWebhook, WEBHOOK_LEVELS} from '../../lib/webhooks/webhooks.js'

export default class WebhooksUpdate extends AppCommand<typeof WebhooksUpdate> {
  static override description = 'updates a webhook in an app: what is not given stays as it is'
  static override examples = ['<%= config.bin %> webhooks:update 99999999-9999-9999-9999-999999999999 -i api:release -l sync -u https://example.com/hooks -a my-app']

  static override args = {
    id: Args.string({description: 'ID of the webhook', required: true}),
  }

  static override flags = {
    json: jsonFlag('the app-webhook object the PATCH returned (Platform API)'),
    authorization: Flags.string({char: 't', description: 'authorization header to send with webhooks'}),
    include: Flags.string({char: 'i', description: 'comma delimited event types your server will receive'}),
    level: Flags.string({char: 'l', description: 'notify does not retry, sync will retry until successful or timeout', options: [...WEBHOOK_LEVELS]}),
    secret: Flags.string({char: 's', description: 'value to sign delivery with in Heroku-Webhook-Hmac-SHA256 header'}),
    url: Flags.string({char: 'u', description: 'URL for receiver'}),
  }

  async run(): Promise<AppWebhook> {
    const {authorization, include, level, secret, url} = this.flags
    return updateWebhook({
      api: this.api, app: await this.app(), id: this.args.id, out: this.out,
      input: {authorization, include: include === undefined ? undefined : parseIncludes(include), level, secret, url},
    })
  }
}
