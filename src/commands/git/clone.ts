import {Args, Flags} from '@oclif/core'

import {cloneApp} from '../../lib/apps/git-repo.js'
import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class GitClone extends BaseCommand<typeof GitClone> {
  static override description = 'clone an app\'s git repository (git clone of its git URL, with the remote named heroku)'

  static override examples = [
    '<%= config.bin %> git:clone -a my-app',
    '<%= config.bin %> git:clone -a my-app ~/src/my-app --remote production',
  ]

  static override args = {
    directory: Args.string({description: 'where to clone to (default: the app name)'}),
  }

  static override flags = {
    json: jsonFlag('the app, the directory and the git URL ({app, directory, url}; not an API object)'),
    app: Flags.string({char: 'a', description: 'app to clone', env: 'HEROKU_APP', helpValue: 'APP', required: true}),
    remote: Flags.string({char: 'r', default: 'heroku', description: 'name of the git remote in the clone', helpValue: 'NAME'}),
  }

  async run(): Promise<{app: string, directory: string, url: string}> {
    return cloneApp({api: this.api, app: this.flags.app, dir: this.args.directory, out: this.out, remote: this.flags.remote})
  }
}
