import type {LogDrain} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {addDrain} from '../../lib/drains/drains.js'

export default class DrainsAdd extends AppCommand<typeof DrainsAdd> {
  static override description = 'adds a log drain to an app: syslog://HOST:PORT, syslog+tls://HOST:PORT or https://…'
  static override examples = ['<%= config.bin %> drains:add syslog+tls://logs.example.com:6514 -a my-app', '<%= config.bin %> drains:add https://user:pass@logs.example.com/drain -a my-app']

  static override args = {
    url: Args.string({description: 'URL of the log drain', required: true}),
  }

  static override flags = {
    json: jsonFlag('the log-drain object (Platform API)'),
  }

  async run(): Promise<LogDrain> {
    return addDrain({api: this.api, app: await this.app(), out: this.out, url: this.args.url})
  }
}
