import type {AddOn} from '@heroku-cli/schema'

import {Flags} from '@oclif/core'

import {listAddons} from '../../lib/addons/list.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class Addons extends AppCommand<typeof Addons> {
  static override summary = 'list an app\'s add-ons and their attachments, or all your add-ons with --all'
  static override examples = ['<%= config.bin %> addons -a my-app', '<%= config.bin %> addons --all --json']

  static override flags = {
    json: jsonFlag('the list of add-on objects (Platform API; the attachments are in the table only)'),
    all: Flags.boolean({char: 'A', description: 'list every add-on of your account'}),
  }

  async run(): Promise<AddOn[]> {
    return listAddons({api: this.api, app: this.flags.all ? undefined : await this.app(), out: this.out})
  }
}
