import type {Plan} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {listPlans} from '../../lib/addons/services.js'
import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class AddonsPlans extends BaseCommand<typeof AddonsPlans> {
  static override description = 'list the plans of an add-on service'
  static override examples = ['<%= config.bin %> addons:plans heroku-postgresql', '<%= config.bin %> addons:plans heroku-redis --json']

  static override args = {
    service: Args.string({description: 'the add-on service, e.g. heroku-postgresql', required: true}),
  }

  static override flags = {
    json: jsonFlag('the list of plan objects of the service (Platform API)'),
  }

  async run(): Promise<Plan[]> {
    return listPlans({api: this.api, out: this.out, service: this.args.service})
  }
}
