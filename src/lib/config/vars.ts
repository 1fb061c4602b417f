import type {ConfigVars} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {newestRelease} from '../releases/newest.js'
import {shellLines} from './keys.js'

export function getConfigVars(api: ApiClient, app: string): Promise<ConfigVars> {
  return api.get<ConfigVars>(paths.app(app).configVars())
}

export interface ShowConfigOptions {
  api: ApiClient
  app: string
  out: Output
  shell?: boolean
}

/** GET /apps/{app}/config-vars, shown as a list, or as `KEY='value'` lines for sh. */
export async function showConfig(opts: ShowConfigOptions): Promise<ConfigVars> {
  const {api, out, app} = opts
  const vars = await getConfigVars(api, app)
  const sorted = Object.fromEntries(Object.entries(vars).sort(([a], [b]) => a.localeCompare(b)))
  if (opts.shell) {
    if (Object.keys(sorted).length > 0) out.log(shellLines(sorted))
    return vars
  }

  if (Object.keys(sorted).length === 0) {
    out.log(`${app} has no config vars.`)
    return vars
  }

  out.heading(`${app} Config Vars`)
  out.keyValues(Object.entries(sorted), {multiline: true})
  return vars
}

/** One var's value; an unset var prints an empty line, as the Heroku CLI does. */
export async function getConfigVar(opts: {api: ApiClient, app: string, key: string, out: Output, shell?: boolean}): Promise<Record<string, null | string>> {
  const vars = await getConfigVars(opts.api, opts.app)
  const value = Object.hasOwn(vars, opts.key) ? vars[opts.key] : null
  if (opts.shell) {
    if (value !== null) opts.out.log(shellLines({[opts.key]: value}))
  } else {
    opts.out.log(value ?? '')
  }

  return {[opts.key]: value}
}

export interface UpdateConfigOptions {
  api: ApiClient
  app: string
  /** a value to set, or null to unset */
  changes: Record<string, null | string>
  out: Output
}

function listKeys(keys: string[]): string {
  return keys.length <= 1 ? keys.join('') : `${keys.slice(0, -1).join(', ')} and ${keys.at(-1)}`
}

/** PATCH /apps/{app}/config-vars, then reports the release it made; returns the config vars the PATCH answered. */
export async function updateConfig(opts: UpdateConfigOptions): Promise<ConfigVars> {
  const {api, out, app, changes} = opts
  const keys = Object.keys(changes)
  const unsetting = keys.every(k => changes[k] === null)
  const spinner = await out.spinner(`${unsetting ? 'Unsetting' : 'Setting'} ${listKeys(keys)} and restarting ${app}`)
  let configVars: ConfigVars
  try {
    configVars = await api.patch<ConfigVars>(paths.app(app).configVars(), changes)
  } catch (error) {
    spinner.fail()
    throw error
  }

  const release = await newestRelease(api, app)
  spinner.succeed(release?.version === undefined ? 'done' : `done, v${release.version}`)
  const set = Object.fromEntries(keys.filter(k => changes[k] !== null).map(k => [k, changes[k]]))
  if (Object.keys(set).length > 0) out.keyValues(Object.entries(set), {multiline: true})
  return configVars
}
