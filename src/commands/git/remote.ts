import {setGitRemote} from '../../lib/apps/git-repo.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {UsageError} from '../../lib/errors.js'

export default class GitRemote extends AppCommand<typeof GitRemote> {
  static override summary = 'add a git remote for an app, or point an existing one at it'
  static override description = 'The remote is named heroku unless -r/--remote names another; its URL is the app\'s git URL.'

  static override examples = [
    '<%= config.bin %> git:remote -a my-app',
    '<%= config.bin %> git:remote -a my-app-staging -r staging',
  ]

  static override flags = {
    json: jsonFlag('the remote set ({app, remote, url, action}; not an API object)'),
  }

  async run(): Promise<{action: string, app: string, remote: string, url: string}> {
    const {flags} = this
    const remote = flags.remote ?? 'heroku'
    // -r names the remote to write here, so the app comes from --app (or HEROKU_APP) only
    if (!flags.app) {
      throw new UsageError('Which app? Pass --app APP.', {hint: 'e.g. heroku git:remote -a my-app'})
    }

    return setGitRemote({api: this.api, app: flags.app, out: this.out, remote})
  }
}
