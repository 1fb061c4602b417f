import type {LogDrain} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {removeDrain} from '../../lib/drains/drains.js'

export default class DrainsRemove extends AppCommand<typeof DrainsRemove> {
  static override description = 'removes a log drain from an app'
  static override examples = ['<%= config.bin %> drains:remove syslog+tls://logs.example.com:6514 -a my-app', '<%= config.bin %> drains:remove d.01234567-89ab-cdef-0123-456789abcdef -a my-app']

  static override args = {
    url: Args.string({description: 'URL or token of the log drain', required: true}),
  }

  static override flags = {
    json: jsonFlag('the log-drain object the DELETE returned (Platform API)'),
  }

  async run(): Promise<LogDrain> {
    return removeDrain({api: this.api, app: await this.app(), drain: this.args.url, out: this.out})
  }
}
