import {Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {streamLogs} from '../../lib/logs/logs.js'

export default class Logs extends AppCommand<typeof Logs> {
  static override summary = 'display recent log output, or follow it with --tail'
  static override description = '--json prints one JSON object a line ({line, timestamp, source, dyno, message}). With --tail, a dropped stream is reconnected once; Ctrl-C stops.'

  static override examples = [
    '<%= config.bin %> logs -a my-app',
    '<%= config.bin %> logs -a my-app --tail --dyno web.1',
    '<%= config.bin %> logs -a my-app -n 200 --source app --json | jq -r .message',
  ]

  static override flags = {
    json: jsonFlag('one JSON object a log line ({timestamp, source, dyno, message, line}; the logs are text, not API objects)'),
    dyno: Flags.string({char: 'd', description: 'only this dyno (web.1) or process type (web)', helpValue: 'DYNO'}),
    num: Flags.integer({char: 'n', description: 'number of recent lines to show first', min: 0}),
    source: Flags.string({char: 's', description: 'only this source: app, heroku, …', helpValue: 'SOURCE'}),
    tail: Flags.boolean({char: 't', description: 'keep streaming new lines'}),
  }

  async run(): Promise<void> {
    const controller = new AbortController()
    const onSigint = () => controller.abort()
    process.once('SIGINT', onSigint)
    try {
      await streamLogs({
        api: this.api,
        app: await this.app(),
        dyno: this.flags.dyno,
        json: this.jsonEnabled(),
        lines: this.flags.num,
        out: this.out,
        signal: controller.signal,
        source: this.flags.source,
        tail: this.flags.tail,
        userAgent: `heroku-toolbelt/${this.config.version}`,
      })
    } finally {
      process.removeListener('SIGINT', onSigint)
    }
  }
}
