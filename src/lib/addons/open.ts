import type {AddOn} from '@heroku-cli/schema'

import {chmod, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {ApiError} from '../api/api-error.js'
import {paths} from '../api/paths.js'
import {UserError} from '../errors.js'
import {openUrl} from '../ui/browser.js'
import {serviceDocsUrl} from './docs.js'
import {findAddon} from './resolve.js'

interface OpenOptions {
  api: ApiClient
  env?: NodeJS.ProcessEnv
  out: Output
  showUrl?: boolean
}

async function openOrShow(opts: OpenOptions, url: string): Promise<void> {
  if (opts.showUrl) opts.out.log(url)
  else await openUrl(opts.out, url, opts.env)
}

/** What GET /apps/{app}/addons/{addon}/sso answers (as the official CLI's addons:open --sudo reads it). */
export interface AddonSso {
  action: string
  method: string
  params?: Record<string, string>
}

export interface OpenAddonResult {
  addon: string
  /** true: through single sign-on (the browser lands signed in) */
  sso: boolean
  /** what was opened or shown: the SSO link, a local auto-submit page for a POST SSO, or web_url */
  url: string
}

/** The SSO link of the add-on, or undefined when the platform offers none for it (then web_url serves). */
async function addonSso(api: ApiClient, app: string, addon: AddOn): Promise<AddonSso | undefined> {
  try {
    const sso = await api.get<AddonSso>(paths.app(app).addon(addon.id).sso(), {
      headers: {Accept: 'application/vnd.heroku+json; version=3.add-ons-sso'},
    })
    if (typeof sso?.action !== 'string' || !/^https?:\/\//i.test(sso.action)) return undefined
    return sso
  } catch (error) {
    // no SSO for this add-on, or a platform without the endpoint: its web_url is the way in
    if (error instanceof ApiError && [403, 404, 405, 422].includes(error.status)) return undefined
    throw error
  }
}

const escapeHtml = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

/**
 * A POST SSO (Partner API providers): a page of the user's alone that posts the form at once, as
 * the official CLI does; the browser opens the file.
 */
async function autoSubmitPage(addon: AddOn, sso: AddonSso): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'heroku-sso-'))
  const file = join(dir, `${addon.name}.html`)
  const inputs = Object.entries(sso.params ?? {}).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(String(v))}">`).join('\n')
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>Signing in to ${escapeHtml(addon.name)}…</title></head>
<body onload="document.forms[0].submit()">
<form method="POST" action="${escapeHtml(sso.action)}">
${inputs}
<noscript><button type="submit">Continue to ${escapeHtml(addon.name)}</button></noscript>
</form></body></html>
`
  await writeFile(file, html, {mode: 0o600})
  await chmod(file, 0o600)
  return pathToFileURL(file).toString()
}

/**
 * Opens the add-on's dashboard signed in: the SSO link from GET /apps/{app}/addons/{addon}/sso
 * (single-use, short-lived), else addon.web_url. `--show-url` prints the URL instead.
 */
export async function openAddon(opts: OpenOptions & {addon: string, app?: string}): Promise<OpenAddonResult> {
  const addon = await findAddon(opts.api, opts.addon, opts.app)
  const app = opts.app ?? addon.app?.name ?? ''
  const sso = app ? await addonSso(opts.api, app, addon) : undefined
  let url: string | undefined
  if (sso !== undefined && sso.method.toLowerCase() === 'get') url = sso.action
  else if (sso !== undefined && sso.method.toLowerCase() === 'post') {
    if (opts.showUrl) {
      if (!addon.web_url) throw new UserError(`${addon.name}'s single sign-on is a form POST, which a URL cannot carry, and it has no dashboard URL.`, {hint: `Run heroku addons:open ${addon.name} without --show-url to open it in a browser.`})
      opts.out.warn(`${addon.name}'s single sign-on is a form POST, which a URL cannot carry: showing its dashboard URL (it asks you to sign in).`)
      url = addon.web_url
    } else {
      url = await autoSubmitPage(addon, sso)
    }
  }

  const viaSso = url !== undefined && url !== addon.web_url
  url ??= addon.web_url ?? undefined
  if (!url) throw new UserError(`${addon.name} has no dashboard URL.`, {hint: 'The add-on\'s provider offers no dashboard.'})
  if (opts.showUrl) {
    opts.out.log(url)
  } else {
    const spinner = await opts.out.spinner(`Opening ${addon.plan?.name ?? addon.name} for ${app || addon.name}`)
    const how = await openUrl(opts.out, url, opts.env)
    spinner.succeed(how === 'opened' ? 'done' : 'done (open the URL above)')
  }

  return {addon: addon.name, url, sso: viaSso}
}

export async function openServiceDocs(opts: OpenOptions & {service: string}): Promise<{service: string, url: string}> {
  const {service, url} = await serviceDocsUrl(opts.api, opts.service)
  await openOrShow(opts, url)
  return {service: service.name ?? opts.service, url}
}
