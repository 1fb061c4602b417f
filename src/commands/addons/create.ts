import type {AddOn} from '@heroku-cli/schema'

import {Args, Flags} from '@oclif/core'

import {createAddon} from '../../lib/addons/create.js'
import {parseProviderOptions} from '../../lib/addons/provider-options.js'
import {waitIntervalFlag} from '../../lib/addons/wait-flag.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {UsageError} from '../../lib/errors.js'

export default class AddonsCreate extends AppCommand<typeof AddonsCreate> {
  static override aliases = ['addons:add']
  static override summary = 'create an add-on and attach it to an app'
  static override description = 'Prints "Adding SERVICE on APP... done, vN (PRICE)": the release the add-on made and what it costs; then the config vars it set. Options for the provider go after --, e.g. -- --version 15 (sent as config {version: "15"}). Without --wait, an add-on that takes time to provision finishes in the background ("done, provisioning"). See the services with heroku addons:services and their plans with heroku addons:plans SERVICE.'

  static override examples = [
    '<%= config.bin %> addons:create heroku-postgresql -a my-app',
    '<%= config.bin %> addons:add sendgrid -a my-app',
    '<%= config.bin %> addons:create heroku-postgresql:essential-0 --as ANALYTICS_DB --wait -a my-app',
    '<%= config.bin %> addons:create heroku-postgresql -a my-app -- --version 15',
  ]

  static override args = {
    plan: Args.string({description: 'SERVICE or SERVICE:PLAN', required: true}),
  }

  static override flags = {
    json: jsonFlag('the add-on object (Platform API), as provisioned (after --wait, as it ended)'),
    as: Flags.string({description: 'name of the attachment (and of its config vars, e.g. ANALYTICS_DB_URL)', helpValue: 'NAME'}),
    name: Flags.string({description: 'name of the add-on (unique across the platform)', helpValue: 'NAME'}),
    wait: Flags.boolean({description: 'wait until the add-on is provisioned'}),
    'wait-interval': waitIntervalFlag,
  }

  static override strict = false

  async run(): Promise<AddOn> {
    const dashdash = this.argv.indexOf('--')
    const providerArgs = dashdash === -1 ? [] : this.argv.slice(dashdash + 1)
    // strict is off only to let provider options through after --
    const {argv} = await this.parse(AddonsCreate)
    if (argv.length > 1 + providerArgs.length) {
      throw new UsageError(`Unexpected argument ${String(argv[1])}: give one SERVICE[:PLAN]; provider options go after --.`, {hint: 'e.g. heroku addons:create heroku-postgresql -a my-app -- --version 15'})
    }

    return createAddon({
      api: this.api,
      app: await this.app(),
      as: this.flags.as,
      config: parseProviderOptions(providerArgs),
      name: this.flags.name,
      out: this.out,
      plan: this.args.plan,
      wait: this.flags.wait,
      waitIntervalMs: this.flags['wait-interval'] * 1000,
    })
  }
}
