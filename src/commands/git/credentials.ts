import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/command/base.js'
import {formatCredentialAnswer, isPlatformGitHost, parseCredentialRequest} from '../../lib/git/credential-helper.js'
import {gitHostFor} from '../../lib/git/git-host.js'

export default class GitCredentials extends BaseCommand<typeof GitCredentials> {
  static override args = {
    operation: Args.string({description: 'what git asks', options: ['get', 'store', 'erase'], required: true}),
  }

  static override summary = 'git credential helper: gives git the stored token for the platform\'s git host'
  static override description = 'git runs this itself once `heroku login --git-setup` has configured it. It answers nothing for any other host, and never stores what git offers.'

  static override enableJsonFlag = false
  static override examples = ['git config --global credential.https://git.heroku.com.helper \'!heroku git:credentials\'']
  static override hidden = false

  async run(): Promise<void> {
    let input = ''
    for await (const chunk of process.stdin) input += String(chunk)
    if (this.args.operation !== 'get') return // store/erase: the credential store is ours, not git's
    const apiUrl = this.apiUrl()
    const request = parseCredentialRequest(input)
    if (!isPlatformGitHost(request, gitHostFor(apiUrl, this.env))) return
    const found = await this.credentials.read(apiUrl)
    if (!found) return // git then asks the next helper, or the user
    process.stdout.write(formatCredentialAnswer(found.token))
  }
}
