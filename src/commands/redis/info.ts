import {Args} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {redisInfo, type RedisInfo} from '../../lib/redis/redis.js'

export default class RedisInfoCommand extends AppCommand<typeof RedisInfoCommand> {
  static override aliases = ['redis']
  static override description = 'show a Redis add-on: plan, status, version, memory, clients and keys (from the server itself)'
  static override examples = ['<%= config.bin %> redis:info -a my-app']

  static override args = {
    database: Args.string({description: 'attachment (REDIS, HEROKU_REDIS_BLUE) or add-on name; REDIS by default'}),
  }

  static override flags = {
    json: jsonFlag('the Redis summary ({addon, attachment, config_var, plan, status, …}; not an API object)'),
  }

  async run(): Promise<RedisInfo> {
    return redisInfo({api: this.api, app: await this.app(), database: this.args.database, out: this.out})
  }
}
