import type {Dyno} from '@heroku-cli/schema'

import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {remoteCommandWords, RUN_TRAILING_FLAGS, RUN_VALUE_FLAGS, separateRemoteCommand} from '../../lib/run/command-argv.js'
import {runDetached} from '../../lib/run/run.js'

export default class RunDetached extends AppCommand<typeof RunDetached> {
  static override summary = 'run a one-off process in the background; its output goes to the logs'
  static override description = 'Prints the dyno\'s name (run.N); follow it with heroku logs --dyno run.N --tail.'
  static override examples = ['<%= config.bin %> run:detached -a my-app -- node scripts/migrate.js']

  static override args = {
    command: Args.string({description: 'the command to run (and its arguments)', required: true}),
  }

  static override flags = {
    json: jsonFlag('the dyno object (Platform API)'),
    env: Flags.string({char: 'e', description: 'environment variables for the dyno: KEY=VALUE;KEY2=VALUE2', helpValue: 'ENV'}),
    size: Flags.string({char: 's', description: 'dyno size', helpValue: 'SIZE'}),
  }

  static override strict = false

  override async init(): Promise<void> {
    this.argv = separateRemoteCommand(this.argv, RUN_VALUE_FLAGS, RUN_TRAILING_FLAGS)
    await super.init()
  }

  async run(): Promise<Dyno> {
    const {raw} = await this.parse(RunDetached)
    return runDetached({api: this.api, app: await this.app(), argv: remoteCommandWords(raw), env: this.flags.env, out: this.out, size: this.flags.size})
  }
}
