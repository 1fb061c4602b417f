import type {App} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import {createAddon} from '../addons/create.js'
import type {Output} from '../ui/output.js'
import {addNewAppRemote, gitMessage} from './app-remotes.js'

export interface CreateAppOptions {
  api: ApiClient
  out: Output
  /** the server picks one when absent */
  name?: string
  region?: string
  stack?: string
  /** git remote to add when cwd is a repository; none when undefined */
  remote?: string
  /** plans to provision once the app exists */
  addons?: string[]
  cwd?: string
}

/**
 * POST /apps; prints `web URL | git URL`; then (inside a git repository) adds a remote to the git
 * URL the app carries, unless that remote exists; then provisions any add-ons asked for.
 */
export async function createApp(opts: CreateAppOptions): Promise<App> {
  const {api, out} = opts
  const body: Record<string, string> = {}
  if (opts.name) body.name = opts.name
  if (opts.region) body.region = opts.region
  if (opts.stack) body.stack = opts.stack

  const spinner = await out.spinner(`Creating ${opts.name ?? 'app'}`)
  let app: App
  try {
    app = await api.post<App>('/apps', body)
  } catch (error) {
    spinner.fail()
    throw error
  }

  // as the official CLI says it: "Creating my-app... done, stack is heroku-24"
  const stack = app.build_stack?.name ?? app.stack?.name
  spinner.succeed(['done', opts.name ? '' : app.name, stack ? `stack is ${stack}` : ''].filter(Boolean).join(', '))
  out.log([app.web_url, app.git_url].filter(Boolean).join(' | '))
  if (opts.remote && app.git_url) {
    // the app exists now: a git problem is worth a warning, not a failed command
    try {
      const remote = await addNewAppRemote({cwd: opts.cwd, gitUrl: app.git_url, name: opts.remote})
      if (remote?.action === 'added') out.info(`Git remote ${remote.name} added`)
      if (remote?.action === 'kept') {
        out.warn(`The git remote ${remote.name} points at ${remote.url}: kept as it is, and no remote added for ${app.name}.\nAdd one with: heroku git:remote -a ${app.name} -r NAME (or create with --remote NAME)`)
      }
    } catch (error) {
      out.warn(`Could not add the git remote ${opts.remote}: ${gitMessage(error)}\nAdd it with: heroku git:remote -a ${app.name} -r ${opts.remote}`)
    }
  }

  for (const plan of opts.addons ?? []) {
    // eslint-disable-next-line no-await-in-loop -- one add-on at a time, reported in order
    await createAddon({api, app: app.name ?? '', out, plan})
  }
  return app
}
