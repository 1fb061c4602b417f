import type {Account} from '@heroku-cli/schema'

import {accountFor} from '../../lib/auth/login.js'
import {BaseCommand} from '../../lib/command/base.js'

export default class Whoami extends BaseCommand<typeof Whoami> {
  static override aliases = ['whoami']
  static override description = 'display the email of the account you are logged in as'
  static override examples = ['<%= config.bin %> whoami', '<%= config.bin %> whoami --json']

  async run(): Promise<Account> {
    const account = await accountFor(this.api)
    this.out.log(account.email)
    return account
  }
}
