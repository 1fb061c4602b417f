import type {Dyno} from '@heroku-cli/schema'

import {Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {waitForDynos} from '../../lib/ps/wait.js'

export default class PsWait extends AppCommand<typeof PsWait> {
  static override summary = 'wait until every dyno runs the app\'s newest release'
  static override description = 'Polls the newest release and the dynos. Exits 0 once every dyno (of --type, if given) is up on it; exits 1 with the reason as soon as one of its dynos crashes or the release fails (its release phase did not succeed), or when --timeout runs out.'

  static override examples = [
    '<%= config.bin %> ps:wait -a my-app',
    '<%= config.bin %> ps:wait --type web --timeout 300 -a my-app',
    'git push heroku main && <%= config.bin %> ps:wait -a my-app --wait-interval 2',
  ]

  static override flags = {
    json: jsonFlag('the list of dyno objects, all up on the newest release (Platform API)'),
    timeout: Flags.integer({description: 'give up after this many seconds (default: no limit)', helpValue: 'SECONDS', min: 1}),
    type: Flags.string({char: 't', description: 'wait only for the dynos of this process type', helpValue: 'TYPE'}),
    'wait-interval': Flags.integer({char: 'w', default: 10, description: 'seconds between checks', helpValue: 'SECONDS', min: 1}),
    'with-run': Flags.boolean({char: 'R', description: 'wait for one-off (run) dynos too'}),
  }

  async run(): Promise<Dyno[]> {
    return waitForDynos({
      api: this.api,
      app: await this.app(),
      intervalMs: this.flags['wait-interval'] * 1000,
      out: this.out,
      timeoutMs: this.flags.timeout === undefined ? undefined : this.flags.timeout * 1000,
      type: this.flags.type,
      withRun: this.flags['with-run'],
    })
  }
}
