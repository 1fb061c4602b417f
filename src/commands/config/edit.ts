import type {ConfigVars} from '@heroku-cli/schema'

import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {editConfig} from '../../lib/config/edit.js'

export default class ConfigEdit extends AppCommand<typeof ConfigEdit> {
  static override summary = 'edit the config vars in your editor ($VISUAL or $EDITOR)'
  static override description = 'The vars are written to a private temp file; once the editor exits, the changes are shown and applied only if you agree. Needs an interactive terminal: in scripts use config:set / config:unset.'

  static override examples = ['<%= config.bin %> config:edit -a my-app', 'EDITOR=nano <%= config.bin %> config:edit -a my-app']

  static override flags = {
    json: jsonFlag('the config-vars object the PATCH returned (Platform API; unchanged: the one read)'),
  }

  async run(): Promise<ConfigVars> {
    return editConfig({api: this.api, app: await this.app(), editor: this.env.VISUAL || this.env.EDITOR, out: this.out, prompter: this.prompter})
  }
}
