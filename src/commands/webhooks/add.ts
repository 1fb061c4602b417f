import {Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {type AddedWebhook, addWebhook, parseIncludes, WEBHOOK_LEVELS} from '../../lib/webhooks/webhooks.js'

export default class WebhooksAdd extends AppCommand<typeof WebhooksAdd> {
  static override description = 'add a webhook to an app; the platform POSTs each change of the included entities to URL, signed with the secret (shown once)'
  static override examples = [
    '<%= config.bin %> webhooks:add -i api:release,api:build -l notify -u https://example.com/hooks -a my-app',
    '<%= config.bin %> webhooks:add -i api:formation -l sync -u https://example.com/hooks -t "Bearer TOKEN" -a my-app --json',
  ]

  static override flags = {
    json: jsonFlag('the app-webhook object (Platform API), with the secret the platform sent in its Heroku-Webhook-Secret header'),
    authorization: Flags.string({char: 't', description: 'authorization header to send with webhooks'}),
    include: Flags.string({char: 'i', description: 'comma delimited event types your server will receive', required: true}),
    level: Flags.string({char: 'l', description: 'notify does not retry, sync will retry until successful or timeout', options: [...WEBHOOK_LEVELS], required: true}),
    secret: Flags.string({char: 's', description: 'value to sign delivery with in Heroku-Webhook-Hmac-SHA256 header'}),
    url: Flags.string({char: 'u', description: 'URL for receiver', required: true}),
  }

  async run(): Promise<AddedWebhook> {
    const {authorization, include, level, secret, url} = this.flags
    return addWebhook({api: this.api, app: await this.app(), input: {authorization, include: parseIncludes(include), level, secret, url}, out: this.out})
  }
}
