import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {remoteCommandWords, RUN_TRAILING_FLAGS, RUN_VALUE_FLAGS, separateRemoteCommand} from '../../lib/run/command-argv.js'
import {runAttached, type RunResult} from '../../lib/run/run.js'

export default class Run extends AppCommand<typeof Run> {
  static override summary = 'run a one-off process inside a dyno, attached to this terminal'
  static override description = 'stdin, stdout and stderr pass through; on a terminal the remote command gets one too (raw mode: Ctrl-C and keys go to the remote process). The command\'s exit code becomes ours (--no-exit-code always exits 0 once the command ran).\n\nFlags for heroku go before the command: everything from the command on, flags included, is the remote command\'s (heroku run node -e "..." runs node -e), except -a/--app and -r/--remote at the very end (heroku run rails console -a my-app, as on Heroku). A -- before the command passes even those on (heroku run -- ls -a /tmp).'

  static override examples = [
    '<%= config.bin %> run bash -a my-app',
    '<%= config.bin %> run -a my-app --env "DEBUG=1;LEVEL=3" node scripts/report.js --since yesterday',
    '<%= config.bin %> run node -e "console.log(process.env.DATABASE_URL)"',
    'echo "select 1" | <%= config.bin %> run --no-tty -a my-app -- psql "$DATABASE_URL"',
  ]

  static override args = {
    command: Args.string({description: 'the command to run (and its arguments)', required: true}),
  }

  static override flags = {
    json: jsonFlag('how the command ended ({app, dyno, command, status, exitCode}; not an API object)'),
    env: Flags.string({char: 'e', description: 'environment variables for the dyno: KEY=VALUE;KEY2=VALUE2', helpValue: 'ENV'}),
    'exit-code': Flags.boolean({allowNo: true, default: true, description: 'exit with the remote command\'s exit code'}),
    'no-tty': Flags.boolean({description: 'never allocate a terminal, even when stdin is one'}),
    size: Flags.string({char: 's', description: 'dyno size', helpValue: 'SIZE'}),
  }

  static override strict = false

  override async init(): Promise<void> {
    this.argv = separateRemoteCommand(this.argv, RUN_VALUE_FLAGS, RUN_TRAILING_FLAGS)
    await super.init()
  }

  async run(): Promise<RunResult> {
    const {raw} = await this.parse(Run)
    const result = await runAttached({
      api: this.api,
      app: await this.app(),
      argv: remoteCommandWords(raw),
      columns: process.stdout.columns,
      env: this.flags.env,
      exitCode: this.flags['exit-code'],
      io: {
        resizes: process.stdout,
        signals: process,
        size: () => ({columns: process.stdout.columns, rows: process.stdout.rows}),
        stderr: process.stderr,
        stdin: process.stdin,
        stdout: process.stdout,
        userAgent: `heroku-toolbelt/${this.config.version}`,
      },
      noTty: this.flags['no-tty'],
      out: this.out,
      rows: process.stdout.rows,
      size: this.flags.size,
    })
    if (result.exitCode !== 0) this.exit(result.exitCode)
    return result
  }
}
