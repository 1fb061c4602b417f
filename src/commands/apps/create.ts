import type {App} from '@heroku-cli/schema'

import {Args, Flags} from '@oclif/core'

import {createApp} from '../../lib/apps/create.js'
import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class AppsCreate extends BaseCommand<typeof AppsCreate> {
  static override aliases = ['create']
  static override summary = 'create a new app'
  static override description = 'Without a name the platform picks one. Inside a git repository, a git remote (heroku, or --remote NAME) is added that points at the app\'s git URL, so that git push deploys it.'

  static override examples = [
    '<%= config.bin %> apps:create',
    '<%= config.bin %> apps:create my-app --region eu',
    '<%= config.bin %> apps:create my-app --remote staging --addons heroku-postgresql,heroku-redis:mini',
    '<%= config.bin %> apps:create my-app --no-remote --json',
  ]

  static override args = {
    name: Args.string({description: 'name of the app (letters, digits and dashes); the platform picks one when omitted'}),
  }

  static override flags = {
    json: jsonFlag('the app object (Platform API)'),
    addons: Flags.string({description: 'comma-separated add-ons (SERVICE or SERVICE:PLAN) to add once the app exists; if one fails, the command exits 1 and the app is kept', helpValue: 'PLAN,PLAN'}),
    'no-remote': Flags.boolean({description: 'do not add a git remote', exclusive: ['remote']}),
    region: Flags.string({description: 'region to create the app in', helpValue: 'REGION'}),
    remote: Flags.string({char: 'r', default: 'heroku', description: 'name of the git remote to add', helpValue: 'NAME'}),
    stack: Flags.string({char: 's', description: 'stack to build and run the app on', helpValue: 'STACK'}),
  }

  async run(): Promise<App> {
    return createApp({
      addons: this.flags.addons?.split(',').map(a => a.trim()).filter(Boolean),
      api: this.api,
      name: this.args.name,
      out: this.out,
      region: this.flags.region,
      remote: this.flags['no-remote'] ? undefined : this.flags.remote,
      stack: this.flags.stack,
    })
  }
}
