import {Args} from '@oclif/core'

import {type CachePurge, cachePurge, parsePaths} from '../../lib/cache/cache.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class CachePurgeCommand extends AppCommand<typeof CachePurgeCommand> {
  static override summary = 'drop stored responses from the router cache of an app'
  static override description = 'With paths, drops the responses for those paths (whatever their query string); without, everything the app has stored. A new release empties the cache too.'
  static override examples = ['<%= config.bin %> cache:purge -a my-app', '<%= config.bin %> cache:purge /index.html /assets/app.css -a my-app']

  static override args = {
    paths: Args.string({description: 'paths to purge, e.g. /index.html; everything when omitted'}),
  }

  static override strict = false

  static override flags = {
    json: jsonFlag('the purge result object (router cache API of the platform)'),
  }

  async run(): Promise<CachePurge> {
    const {argv} = await this.parse(CachePurgeCommand)
    return cachePurge({api: this.api, app: await this.app(), out: this.out, paths: parsePaths(argv as string[])})
  }
}
