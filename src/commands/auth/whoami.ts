import type {Account} from '@heroku-cli/schema'

import {accountFor} from '../../lib/auth/login.js'
import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class Whoami extends BaseCommand<typeof Whoami> {
  static override aliases = ['whoami']
  static override description = 'display the email of the account you are logged in as'
  static override examples = ['<%= config.bin %> whoami', '<%= config.bin %> whoami --json']

  static override flags = {
    json: jsonFlag('the account object (Platform API)'),
  }

  async run(): Promise<Account> {
    const account = await accountFor(this.api)
    this.out.log(account.email)
    return account
  }
}
