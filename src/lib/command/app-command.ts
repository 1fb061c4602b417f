import {Command, Flags} from '@oclif/core'

import {UsageError} from '../errors.js'
import {gitHostFor} from '../git/git-host.js'
import {appRemotes} from '../git/remotes.js'
import {BaseCommand} from './base.js'

export const appFlags = {
  app: Flags.string({char: 'a', description: 'app to run command against', env: 'HEROKU_APP', helpValue: 'APP'}),
  remote: Flags.string({char: 'r', description: 'git remote of app to use', helpValue: 'REMOTE'}),
}

/**
 * A command that acts on one app: --app/-a, else HEROKU_APP, else the app behind the git remote
 * named by --remote/-r, else the remote `heroku`, else the only platform remote.
 */
export abstract class AppCommand<T extends typeof Command> extends BaseCommand<T> {
  static override baseFlags = {...BaseCommand.baseFlags, ...appFlags}

  private resolvedApp?: string

  /** The app this command acts on. */
  protected async app(): Promise<string> {
    if (this.resolvedApp) return this.resolvedApp
    const flags = this.flags as {app?: string, remote?: string}
    this.resolvedApp = flags.app ?? await this.appFromRemotes(flags.remote)
    return this.resolvedApp
  }

  private async appFromRemotes(remoteName?: string): Promise<string> {
    const remotes = await appRemotes(gitHostFor(this.apiUrl(), this.env))
    if (remoteName) {
      const remote = remotes.find(r => r.name === remoteName)
      if (!remote) throw new UsageError(`The git remote ${remoteName} does not point at an app on ${gitHostFor(this.apiUrl(), this.env)}.`, {hint: 'Pass --app APP, or check git remote -v.'})
      return remote.app
    }

    const heroku = remotes.find(r => r.name === 'heroku')
    if (heroku) return heroku.app
    const apps = [...new Set(remotes.map(r => r.app))]
    if (apps.length === 1) return apps[0]
    if (apps.length > 1) {
      throw new UsageError(`This repository has remotes for several apps: ${apps.join(', ')}.`, {hint: 'Pass --app APP or --remote REMOTE.'})
    }

    throw new UsageError('No app specified.', {hint: 'Pass --app APP, set HEROKU_APP, or run inside a git repository with a heroku remote.'})
  }
}
