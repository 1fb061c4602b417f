import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {type RunCommandResult, runLocalCommand} from '../../lib/local/run-command.js'
import {remoteCommandWords, separateRemoteCommand} from '../../lib/run/command-argv.js'

const VALUE_FLAGS = ['-e', '--env', '-p', '--port'] as const

export default class LocalRun extends BaseCommand<typeof LocalRun> {
  static override summary = 'run one command with the environment heroku local gives its processes'
  static override description = 'The command gets this shell\'s environment, the .env file over it (-e FILE, several allowed) and PORT (5006, or -p). One word is run as a shell line (\'echo $PORT\'); several are the program and its arguments as typed. Flags for heroku go before the command. Its exit code becomes ours.'

  static override examples = [
    '<%= config.bin %> local:run npm test',
    '<%= config.bin %> local:run -e .env.test node scripts/migrate.js --dry-run',
    '<%= config.bin %> local:run \'echo $DATABASE_URL\'',
  ]

  static override args = {
    command: Args.string({description: 'the command to run (and its arguments)', required: true}),
  }

  static override flags = {
    json: jsonFlag('how the command ended ({command, exit_code, signal}; not an API object)'),
    env: Flags.string({char: 'e', description: 'env file to read (default .env, if there is one); several allowed', helpValue: 'FILE', multiple: true}),
    port: Flags.integer({char: 'p', description: 'PORT for the command (default 5006, or PORT in .env)', helpValue: 'PORT', max: 65_535, min: 1}),
  }

  static override strict = false

  override async init(): Promise<void> {
    this.argv = separateRemoteCommand(this.argv, VALUE_FLAGS)
    await super.init()
  }

  async run(): Promise<RunCommandResult> {
    const {raw} = await this.parse(LocalRun)
    const result = await runLocalCommand({
      argv: remoteCommandWords(raw),
      cwd: process.cwd(),
      env: this.env,
      envFiles: this.flags.env,
      json: this.jsonEnabled(),
      port: this.flags.port,
      stdinIsTTY: Boolean(process.stdin.isTTY),
    })
    if (result.exit_code !== 0) {
      if (this.jsonEnabled()) this.out.jsonLine(result)
      this.exit(result.exit_code)
    }

    return result
  }
}
