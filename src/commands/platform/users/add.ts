import {Args, Flags} from '@oclif/core'
import {resolve} from 'node:path'

import {BaseCommand} from '../../../lib/command/base.js'
import {jsonFlag} from '../../../lib/command/json-flag.js'
import {dataDirFlag} from '../../../lib/command/platform-flags.js'
import {UsageError} from '../../../lib/errors.js'
import {addPlatformUser} from '../../../lib/platform/accounts.js'
import {runningPlatform} from '../../../lib/platform/local-process.js'
import {readFirstLine} from '../../../lib/stdin.js'

export default class PlatformUsersAdd extends BaseCommand<typeof PlatformUsersAdd> {
  static override args = {email: Args.string({description: 'the new account\'s email', required: true})}
  static override summary = 'add an account to the local platform'
  static override description = 'The password is asked for twice on a terminal, or read from stdin with --password-stdin. The new user then logs in with heroku login --api-url URL.'

  static override examples = [
    '<%= config.bin %> platform:users:add jane@example.com',
    'echo "$PASSWORD" | <%= config.bin %> platform:users:add jane@example.com --password-stdin',
  ]

  static override flags = {
    json: jsonFlag('the user made ({email, id}; not an API object)'),
    'data-dir': dataDirFlag,
    'password-stdin': Flags.boolean({description: 'read the password from stdin'}),
  }

  async run(): Promise<{email: string, id: string}> {
    const dataDir = resolve(this.flags['data-dir'])
    const password = this.flags['password-stdin'] ? await passwordFromStdin() : await this.askPassword()
    const account = await addPlatformUser(dataDir, this.args.email, password)
    const url = runningPlatform(dataDir)?.url
    this.out.log(`Added ${account.email}.${url ? ` They log in with: heroku login --api-url ${url}` : ''}`)
    return account
  }

  private async askPassword(): Promise<string> {
    const password = await this.prompter.password('Password:', {flag: '--password-stdin', what: 'a password'})
    const again = await this.prompter.password('Password again:', {flag: '--password-stdin', what: 'a password'})
    if (password !== again) throw new UsageError('The passwords differ.')
    return password
  }
}

async function passwordFromStdin(): Promise<string> {
  const password = await readFirstLine(process.stdin)
  if (!password) throw new UsageError('No password on standard input.', {hint: 'echo "$PASSWORD" | heroku platform:users:add EMAIL --password-stdin'})
  return password
}
