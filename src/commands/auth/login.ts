import {Flags} from '@oclif/core'

import {normaliseApiUrl} from '../../lib/api/base-url.js'
import {login, LoginResult} from '../../lib/auth/login-flow.js'
import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {helperCommandFor, installedHeroku} from '../../lib/git/installed-command.js'
import {trustLocalPlatformAt} from '../../lib/platform/local-ca.js'
import {writeSettings} from '../../lib/settings.js'

export default class Login extends BaseCommand<typeof Login> {
  static override aliases = ['login']
  static override summary = 'log in with your email and password, or a token from stdin'
  static override description = 'The token is checked with the platform, then kept in the OS keychain (or, where no keychain answers, in a file readable only by you, with a warning). HEROKU_API_KEY, when set, is used instead of any stored token and is never stored.'

  static override examples = [
    '<%= config.bin %> login',
    'echo "$TOKEN" | <%= config.bin %> login --with-token',
    '<%= config.bin %> login --api-url https://127.0.0.1:5400',
  ]

  static override flags = {
    json: jsonFlag('a summary of the login ({email, id, api_url, storage, git_credential_helper, git_host}; not an API object)'),
    'api-url': Flags.string({description: 'platform API to log in to; saved as the default', helpValue: 'URL'}),
    'git-setup': Flags.boolean({allowNo: true, description: 'let git use this login for the platform\'s git host (asked on a TTY when not given)'}),
    'with-token': Flags.boolean({description: 'read a token from stdin instead of asking for email and password'}),
  }

  async run(): Promise<LoginResult> {
    const apiUrl = this.flags['api-url'] ? normaliseApiUrl(this.flags['api-url'], '--api-url') : this.apiUrl()

    // the local platform at that address: trust its CA for that origin before the first request
    const caFile = await trustLocalPlatformAt(apiUrl, this.env)
    // git runs the installed heroku (a stable path), never a file inside this package or a clone
    const heroku = installedHeroku(this.config.root, this.env)
    const result = await login({
      apiUrl,
      caFile,
      client: token => this.makeApiClient(apiUrl, token),
      credentials: this.credentials,
      env: this.env,
      gitSetup: this.flags['git-setup'],
      helperCommand: helperCommandFor(heroku.path),
      helperOnPath: heroku.installed,
      out: this.out,
      prompter: this.prompter,
      tokenStream: this.flags['with-token'] ? process.stdin : undefined,
    })
    if (this.flags['api-url']) writeSettings({apiUrl}, this.env)
    return result
  }
}
