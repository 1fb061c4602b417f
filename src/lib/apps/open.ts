import type {App} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {UserError} from '../errors.js'
import {openUrl} from '../ui/browser.js'

/** Opens app.web_url (joined with an optional path) in the browser, or prints it. */
export async function openApp(opts: {api: ApiClient, app: string, env?: NodeJS.ProcessEnv, out: Output, path?: string}): Promise<{app: string, url: string}> {
  const app = await opts.api.get<App>(paths.app(opts.app).self)
  if (!app.web_url) throw new UserError(`${opts.app} has no web URL.`)
  const url = opts.path ? new URL(opts.path.replace(/^\/+/, ''), app.web_url.endsWith('/') ? app.web_url : `${app.web_url}/`).toString() : app.web_url
  await openUrl(opts.out, url, opts.env)
  return {app: app.name ?? opts.app, url}
}
