import {Flags} from '@oclif/core'

import {AddonWithAttachments, listAddons} from '../../lib/addons/list.js'
import {AppCommand} from '../../lib/command/app-command.js'

export default class Addons extends AppCommand<typeof Addons> {
  static override summary = 'list an app\'s add-ons and their attachments, or all your add-ons with --all'
  static override examples = ['<%= config.bin %> addons -a my-app', '<%= config.bin %> addons --all --json']

  static override flags = {
    all: Flags.boolean({char: 'A', description: 'list every add-on of your account'}),
  }

  async run(): Promise<AddonWithAttachments[]> {
    return listAddons({api: this.api, app: this.flags.all ? undefined : await this.app(), out: this.out})
  }
}
