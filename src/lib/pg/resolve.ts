import type {AddOn, AddOnAttachment} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'

import {findAddon} from '../addons/resolve.js'
import {paths} from '../api/paths.js'
import {UserError} from '../errors.js'

/** An add-on of a data service as the CLI uses it: the API object, its attachment on the app and its URL. */
export interface ResolvedDatabase {
  addon: AddOn
  /** the attachment on the app the command acts on, e.g. DATABASE */
  attachment: string
  /** its config var, e.g. DATABASE_URL */
  configVar: string
  /** the URL from the app's config (secret: never printed unless asked for) */
  url: string
}

export interface ResolveOptions {
  api: ApiClient
  app: string
  /** an attachment name (DATABASE, DATABASE_URL, HEROKU_POSTGRESQL_RED), an add-on name or id */
  database?: string
  /** the attachment used when none is named: DATABASE, REDIS */
  defaultAttachment: string
  /** heroku-postgresql or heroku-redis */
  service: string
}

/**
 * Resolves `DATABASE`-style names the way Heroku does: the add-on through the app
 * (GET /apps/{app}/addons/{name}, which knows attachment names), its attachment on that app, and
 * the attachment's `<NAME>_URL` from the app's config vars.
 */
export async function resolveDatabase(opts: ResolveOptions): Promise<ResolvedDatabase> {
  const {api, app} = opts
  const given = (opts.database ?? opts.defaultAttachment).replace(/_URL$/i, '')
  const found = await findAddon(api, given, app).then(addon => ({addon, attachment: undefined as AddOnAttachment | undefined})).catch(async error => {
    if ((error as {status?: number}).status !== 404) throw error
    // a platform that knows add-ons in an app's context by id and name only (or app::ATTACHMENT):
    // the attachment resolver, as the official CLI resolves DATABASE
    const attachment = await resolveAttachment(api, app, given, opts.service)
    if (attachment?.addon?.id === undefined) {
      throw new UserError(`${app} has no ${opts.service} add-on ${given}.`, {
        hint: `List the app's add-ons with heroku addons -a ${app}; create one with heroku addons:create ${opts.service} -a ${app}.`,
        code: 'not_found',
        cause: error,
      })
    }

    return {addon: await api.get<AddOn>(paths.addon(attachment.addon.id)), attachment: attachment as AddOnAttachment | undefined}
  })
  const {addon} = found
  const service = addon.addon_service?.name
  if (service !== opts.service) {
    throw new UserError(`${addon.name} is a ${service ?? 'different'} add-on, not ${opts.service}.`, {hint: `Name a ${opts.service} add-on or its attachment (e.g. ${opts.defaultAttachment}).`})
  }

  let {attachment} = found
  if (attachment === undefined) {
    const attachments = await api.get<AddOnAttachment[]>(paths.addonAttachments(addon.id))
    const onApp = attachments.filter(a => a.app?.name === app || a.app?.id === app)
    attachment = onApp.find(a => a.name?.toUpperCase() === given.toUpperCase()) ?? onApp.find(a => a.name === opts.defaultAttachment) ?? onApp[0]
  }

  if (attachment === undefined) throw new UserError(`${addon.name} is not attached to ${app}.`, {hint: `Attach it with heroku addons:attach ${addon.name} -a ${app}.`})
  const name = attachment.name ?? opts.defaultAttachment
  const configVar = `${name}_URL`
  const config = await api.get<Record<string, null | string>>(paths.app(attachment.app?.name ?? app).configVars())
  const url = config[configVar]
  if (!url) {
    const state = addon.state === 'provisioning' ? ` (${addon.name} is still provisioning: heroku addons:wait ${addon.name})` : ''
    throw new UserError(`${app} has no ${configVar} config var${state}.`, {hint: `See heroku addons:info ${addon.name} -a ${app}.`})
  }

  return {addon, attachment: name, configVar, url}
}

/** POST /actions/addon-attachments/resolve: the attachment a name means in the app, of that service. */
async function resolveAttachment(api: ApiClient, app: string, name: string, service: string): Promise<AddOnAttachment | undefined> {
  try {
    const found = await api.post<AddOnAttachment[]>(paths.attachmentResolve(), {addon_attachment: name, addon_service: service, app})
    return found.find(a => a.app?.name === app || a.app?.id === app) ?? found[0]
  } catch (error) {
    if ((error as {status?: number}).status === 404) return undefined
    throw error
  }
}

/** Whether a URL's host is this machine (no TLS expected there). */
export function isLocalHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '::1' || hostname === '[::1]' || hostname.startsWith('127.')
}
