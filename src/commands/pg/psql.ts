import {Args, Flags} from '@oclif/core'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {type PsqlResult, runPsql} from '../../lib/pg/psql.js'

export default class PgPsql extends AppCommand<typeof PgPsql> {
  static override summary = 'open a psql shell on a database, or run SQL with -c / -f'
  static override description = 'Runs the psql installed on this machine (apt-get install postgresql-client). The password reaches psql through its environment, never its command line.'
  static override examples = [
    '<%= config.bin %> pg:psql -a my-app',
    '<%= config.bin %> pg:psql -a my-app -c "SELECT count(*) FROM users"',
    '<%= config.bin %> pg:psql HEROKU_POSTGRESQL_RED -a my-app -f migrate.sql',
  ]

  static override args = {
    database: Args.string({description: 'attachment (DATABASE, HEROKU_POSTGRESQL_RED) or add-on name; DATABASE by default'}),
  }

  static override flags = {
    json: jsonFlag('psql\'s exit status and output ({addon, attachment, status, output}; not an API object)'),
    command: Flags.string({char: 'c', description: 'SQL to run (psql -c)', helpValue: 'SQL', exclusive: ['file']}),
    file: Flags.string({char: 'f', description: 'a file of SQL to run (psql -f)', helpValue: 'FILE', exclusive: ['command']}),
  }

  async run(): Promise<PsqlResult> {
    return runPsql({api: this.api, app: await this.app(), command: this.flags.command, database: this.args.database, env: this.env, file: this.flags.file, out: this.out})
  }
}
