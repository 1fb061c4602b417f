import type {App} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {renameApp} from '../../lib/apps/rename.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {gitHostFor} from '../../lib/git/git-host.js'

export default class AppsRename extends AppCommand<typeof AppsRename> {
  static override aliases = ['rename']
  static override summary = 'rename an app'
  static override description = 'Its URLs change with it. The git remotes of this repository that pointed at the app are updated to its new git URL.'

  static override examples = ['<%= config.bin %> apps:rename new-name -a old-name']

  static override args = {
    newname: Args.string({description: 'the new name', required: true}),
  }

  static override flags = {
    json: jsonFlag('the renamed app object (Platform API)'),
  }

  async run(): Promise<App> {
    return renameApp({
      api: this.api,
      app: await this.app(),
      gitHost: gitHostFor(this.apiUrl(), this.env),
      newName: this.args.newname,
      out: this.out,
    })
  }
}
