import {optionalApp} from '../../lib/addons/optional-app.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {type LabsList, listLabs} from '../../lib/labs/labs.js'

export default class Labs extends AppCommand<typeof Labs> {
  static override description = 'list experimental features (the account\'s, and the app\'s with an app)'
  static override examples = ['<%= config.bin %> labs', '<%= config.bin %> labs -a my-app', '<%= config.bin %> labs -a my-app --json']

  static override flags = {
    json: jsonFlag('the account-feature and app-feature lists ({user, app}, app null without --app; Platform API objects)'),
  }

  async run(): Promise<LabsList> {
    return listLabs({api: this.api, app: await optionalApp(this.flags, () => this.app()), out: this.out})
  }
}
