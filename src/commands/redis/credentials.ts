import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {redisCredentials, type RedisCredentials} from '../../lib/redis/redis.js'

export default class RedisCredentialsCommand extends AppCommand<typeof RedisCredentialsCommand> {
  static override description = 'show a Redis add-on\'s URL (it includes the password)'
  static override examples = ['<%= config.bin %> redis:credentials -a my-app']

  static override args = {
    database: Args.string({description: 'attachment (REDIS, HEROKU_REDIS_BLUE) or add-on name; REDIS by default'}),
  }

  static override flags = {
    json: jsonFlag('the connection URL ({addon, attachment, url}; not an API object)'),
    reset: Flags.boolean({description: 'reset the credentials (where the platform supports it: it says so otherwise)'}),
  }

  async run(): Promise<RedisCredentials> {
    return redisCredentials({api: this.api, app: await this.app(), database: this.args.database, out: this.out, reset: this.flags.reset})
  }
}
