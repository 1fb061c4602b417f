import type {App} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'
import type {Prompter} from '../ui/prompter.js'

import {paths} from '../api/paths.js'
import {gitMessage, removeAppRemotes} from './app-remotes.js'
import {confirmDestructive} from './confirm.js'

export interface DestroyAppOptions {
  api: ApiClient
  app: string
  confirm?: string
  cwd?: string
  gitHost: string
  out: Output
  prompter: Prompter
}

/** GET the app, confirm, DELETE /apps/{app}, then remove the git remotes pointing at it. */
export async function destroyApp(opts: DestroyAppOptions): Promise<App> {
  const {api, out} = opts
  const path = paths.app(opts.app).self
  const app = await api.get<App>(path)
  const name = app.name ?? opts.app
  await confirmDestructive({action: `destroy ${name}, its add-ons and all their data`, app: name, confirm: opts.confirm, out, prompter: opts.prompter})
  const spinner = await out.spinner(`Destroying ${name} (including all add-ons)`)
  let destroyed: App
  try {
    destroyed = await api.delete<App>(path)
  } catch (error) {
    spinner.fail()
    throw error
  }

  spinner.succeed()
  try {
    const removed = await removeAppRemotes({app: name, cwd: opts.cwd, gitHost: opts.gitHost, gitUrl: app.git_url})
    for (const r of removed) out.info(`Git remote ${r} removed`)
  } catch (error) {
    out.warn(`${name} is destroyed, but its git remotes could not be removed: ${gitMessage(error)}`)
  }

  return destroyed ?? app
}
