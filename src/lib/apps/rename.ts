import type {App} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {gitMessage, repointAppRemotes} from './app-remotes.js'

export interface RenameAppOptions {
  api: ApiClient
  app: string
  cwd?: string
  gitHost: string
  newName: string
  out: Output
}

/** PATCH /apps/{app} {name}, then points the git remotes of the old app at the new git URL. */
export async function renameApp(opts: RenameAppOptions): Promise<App> {
  const {api, out} = opts
  const path = paths.app(opts.app).self
  const old = await api.get<App>(path)
  const spinner = await out.spinner(`Renaming ${opts.app} to ${opts.newName}`)
  let app: App
  try {
    app = await api.patch<App>(path, {name: opts.newName})
  } catch (error) {
    spinner.fail()
    throw error
  }

  spinner.succeed()
  out.log([app.web_url, app.git_url].filter(Boolean).join(' | '))
  if (app.git_url) {
    try {
      const updated = await repointAppRemotes({cwd: opts.cwd, gitHost: opts.gitHost, newGitUrl: app.git_url, oldApp: opts.app, oldGitUrl: old.git_url})
      for (const r of updated) out.info(`Git remote ${r} updated`)
    } catch (error) {
      out.warn(`The app is renamed, but its git remotes could not be updated: ${gitMessage(error)}\nUpdate them with: heroku git:remote -a ${app.name}`)
    }
  }

  return app
}
