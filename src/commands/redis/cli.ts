import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {redisCli, type RedisCliResult} from '../../lib/redis/redis.js'

export default class RedisCli extends AppCommand<typeof RedisCli> {
  static override summary = 'open redis-cli on a Redis add-on, or run one command with -c'
  static override description = 'Runs the redis-cli installed on this machine (apt-get install redis-tools). The password reaches it through REDISCLI_AUTH, never its command line.'
  static override examples = ['<%= config.bin %> redis:cli -a my-app', '<%= config.bin %> redis:cli -a my-app -c "SET greeting hello"']

  static override args = {
    database: Args.string({description: 'attachment (REDIS, HEROKU_REDIS_BLUE) or add-on name; REDIS by default'}),
  }

  static override flags = {
    json: jsonFlag('redis-cli\'s exit status and output ({addon, attachment, status, output}; not an API object)'),
    command: Flags.string({char: 'c', description: 'one command to run, as typed at redis-cli\'s prompt', helpValue: 'COMMAND'}),
  }

  async run(): Promise<RedisCliResult> {
    return redisCli({api: this.api, app: await this.app(), command: this.flags.command, database: this.args.database, env: this.env, out: this.out})
  }
}
