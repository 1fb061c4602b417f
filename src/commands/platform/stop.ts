import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {dataDirFlag} from '../../lib/command/platform-flags.js'
import {runningPlatform, stopPlatform} from '../../lib/platform/local-process.js'

export default class PlatformStop extends BaseCommand<typeof PlatformStop> {
  static override description = 'stop the local platform (its dynos stop with it)'
  static override examples = ['<%= config.bin %> platform:stop']
  static override flags = {
    json: jsonFlag('whether it stopped ({stopped, pid}; not an API object)'),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<{pid?: number, stopped: boolean}> {
    const state = runningPlatform(this.flags['data-dir'])
    if (!state) {
      this.out.log('The platform is not running.')
      return {stopped: false}
    }

    const how = await stopPlatform(state)
    this.out.log(how === 'stopped' ? `Stopped the platform (pid ${state.pid}).` : `The platform did not stop in time: killed it (pid ${state.pid}).`)
    return {pid: state.pid, stopped: true}
  }
}
