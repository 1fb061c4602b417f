import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {runLocal, type RunLocalResult} from '../../lib/local/run-local.js'

export default class Local extends BaseCommand<typeof Local> {
  static override aliases = ['local:start']
  static override summary = 'run the app\'s Procfile on this machine'
  static override description = `Starts the Procfile's process types (all but release), each with this shell's environment, the .env file over it (-e FILE, several allowed, later ones win) and a PORT: 5006 (or -p) for the first web process and 100 more for each further process. Each line of output is prefixed with its process's name.

Ctrl-C or SIGTERM stops every process and what it started (SIGTERM, then SIGKILL after a grace period). When one process exits, the others are stopped and heroku local exits with its exit code. Without a Procfile, a Node.js app runs the web command the Node.js buildpack would give it (npm start).

--build compiles the app first with the buildpacks git push uses, in a copy under ~/.cache/heroku-toolbelt/local (the working tree is not written to; the buildpacks' cache is kept between runs), then runs the processes there as the platform runs a dyno: .profile.d/*.sh sourced first, the buildpacks' default process types under the Procfile's.`

  static override examples = [
    '<%= config.bin %> local',
    '<%= config.bin %> local web',
    '<%= config.bin %> local web=2 worker',
    '<%= config.bin %> local -c web=2,worker=1 -e .env -e .env.local',
    '<%= config.bin %> local -f Procfile.dev -p 3000',
    '<%= config.bin %> local --build',
  ]

  static override args = {
    processes: Args.string({description: 'process types to run, each maybe TYPE=COUNT (web=2); default: all but release'}),
  }

  static override flags = {
    json: jsonFlag('how the processes ended ({processes, stopped_by, exit_code}; not an API object)'),
    build: Flags.boolean({description: 'first compile the app with the buildpacks git push uses (into a cache dir outside this tree), then run the result as a dyno would'}),
    concurrency: Flags.string({char: 'c', description: 'how many of each process type: web=2,worker=1', helpValue: 'TYPE=N,…'}),
    env: Flags.string({char: 'e', description: 'env file to read (default .env, if there is one); several allowed', helpValue: 'FILE', multiple: true}),
    port: Flags.integer({char: 'p', description: 'PORT of the first web process (default 5006, or PORT in .env)', helpValue: 'PORT', max: 65_535, min: 1}),
    procfile: Flags.string({char: 'f', description: 'Procfile to read (default ./Procfile)', helpValue: 'FILE'}),
  }

  static override strict = false

  async run(): Promise<RunLocalResult> {
    const {argv} = await this.parse(Local)
    const result = await runLocal({
      build: this.flags.build,
      concurrency: this.flags.concurrency,
      cwd: process.cwd(),
      env: this.env,
      envFiles: this.flags.env,
      out: this.out,
      port: this.flags.port,
      procfile: this.flags.procfile,
      selected: argv as string[],
    })
    if (result.exit_code !== 0) {
      if (this.jsonEnabled()) this.out.jsonLine(result)
      this.exit(result.exit_code)
    }

    return result
  }
}
