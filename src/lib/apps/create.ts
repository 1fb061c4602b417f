import type {App} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {createAddon} from '../addons/create.js'
import {ApiError} from '../api/api-error.js'
import {paths} from '../api/paths.js'
import {UserError} from '../errors.js'
import {addNewAppRemote, gitMessage} from './app-remotes.js'

export interface CreateAppOptions {
  /** plans to provision once the app exists */
  addons?: string[]
  api: ApiClient
  cwd?: string
  /** the server picks one when absent */
  name?: string
  out: Output
  region?: string
  /** git remote to add when cwd is a repository; none when undefined */
  remote?: string
  stack?: string
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
    app = await api.post<App>(paths.apps(), body)
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

  await addAddons({api, app: app.name ?? '', out, plans: opts.addons ?? []})
  return app
}

/**
 * Provisions each plan in order, each reported as heroku addons:create reports it. One that
 * fails does not stop the others; then the command fails, saying that the app exists (it is
 * kept) and how to add what is missing.
 */
async function addAddons(opts: {api: ApiClient, app: string, out: Output, plans: string[]}): Promise<void> {
  const {api, app, out} = opts
  const failed: Array<{error: unknown, plan: string}> = []
  for (const plan of opts.plans) {
    try {
      await createAddon({api, app, out, plan})
    } catch (error) {
      failed.push({error, plan})
      const requestId = error instanceof ApiError && error.requestId ? ` (request ID ${error.requestId})` : ''
      if (opts.plans.length > 1) out.warn(`Could not add ${plan}: ${messageOf(error)}${requestId}`)
    }
  }

  if (failed.length === 0) return
  const [first] = failed
  // each failure's own hint once (two unknown services need the services list once)
  const hints = [...new Set(failed.map(f => (f.error instanceof UserError ? f.error.hint : undefined)).filter(Boolean))]
  const retry = failed.map(f => `heroku addons:create ${f.plan} -a ${app}`).join(', ')
  const message = failed.length === 1
    ? `The app ${app} was created, but the add-on ${first.plan} could not be added: ${messageOf(first.error)}`
    : `The app ${app} was created, but ${failed.length} of its ${opts.plans.length} add-ons could not be added: ${failed.map(f => f.plan).join(', ')}.`
  const hint = [...hints, `The app is kept: add ${failed.length === 1 ? 'it' : 'them'} with ${retry}.`].join(' ')
  // one failure keeps what the API said of it (status, request id) for --json and the error line
  if (failed.length === 1 && first.error instanceof ApiError) throw Object.assign(new ApiError({...first.error, message}), {hint})
  // a bug stays a bug (reported as one), once the user knows the app exists
  if (!(first.error instanceof UserError)) {
    out.warn(`${message}\n${hint}`)
    throw first.error
  }

  throw new UserError(message, {cause: first.error, code: first.error.code, exitCode: first.error.exitCode, hint})
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
