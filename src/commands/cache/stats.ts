import {type CacheStats, cacheStats} from '../../lib/cache/cache.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class CacheStatsCommand extends AppCommand<typeof CacheStatsCommand> {
  static override summary = 'show the router cache of an app: hit ratio, entries, bytes'
  static override description = 'The local platform\'s router caches what an app marks cacheable (Cache-Control, Expires). This API is the local platform\'s own, not part of the Platform API.'
  static override examples = ['<%= config.bin %> cache:stats -a my-app', '<%= config.bin %> cache:stats -a my-app --json']

  static override flags = {
    json: jsonFlag('the cache-stats object (router cache API of the platform)'),
  }

  async run(): Promise<CacheStats> {
    return cacheStats({api: this.api, app: await this.app(), out: this.out})
  }
}
