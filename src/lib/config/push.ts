// `heroku config:push`: the vars of a .env file onto the app. It makes a release and restarts
// the app, so it is confirmed (a prompt on a terminal, --confirm APP elsewhere); a key the app
// has with another value is replaced only with --overwrite.
import type {ConfigVars} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'
import type {Prompter} from '../ui/prompter.js'

import {CancelledError, PromptUnavailableError, UsageError} from '../errors.js'
import {readEnvFile} from '../local/env-file.js'
import {validateKey} from './keys.js'
import {getConfigVars, updateConfig} from './vars.js'

export interface PushConfigOptions {
  api: ApiClient
  app: string
  confirm?: string
  cwd: string
  file: string
  out: Output
  overwrite: boolean
  prompter: Prompter
}

export interface PushConfigResult {
  /** the config vars the PATCH answered; absent when nothing was pushed */
  config_vars?: ConfigVars
  file: string
  /** on the app with another value, left as they are */
  kept: string[]
  pushed: string[]
}

export async function pushConfig(opts: PushConfigOptions): Promise<PushConfigResult> {
  const {app, out} = opts
  const local = readEnvFile(opts.cwd, opts.file)
  for (const key of Object.keys(local)) validateKey(key)
  const remote = await getConfigVars(opts.api, app)
  const pushed: string[] = []
  const kept: string[] = []
  for (const key of Object.keys(local).sort()) {
    if (!Object.hasOwn(remote, key)) pushed.push(key)
    else if (remote[key] !== local[key]) (opts.overwrite ? pushed : kept).push(key)
  }

  if (kept.length > 0) out.warn(`${app} keeps its own value of ${kept.join(', ')} (${opts.file} differs). Pass --overwrite to replace them.`)
  if (pushed.length === 0) {
    out.info(`${app} already has every var of ${opts.file}: nothing to push.`)
    return {file: opts.file, kept, pushed}
  }

  await confirmPush({app, confirm: opts.confirm, keys: pushed, prompter: opts.prompter})
  const configVars = await updateConfig({api: opts.api, app, changes: Object.fromEntries(pushed.map(k => [k, local[k]])), out})
  return {config_vars: configVars, file: opts.file, kept, pushed}
}

async function confirmPush(opts: {app: string, confirm?: string, keys: string[], prompter: Prompter}): Promise<void> {
  const {app, prompter} = opts
  if (opts.confirm !== undefined) {
    if (opts.confirm !== app) throw new UsageError(`Confirmation "${opts.confirm}" did not match ${app}: nothing was pushed.`, {hint: `Pass --confirm ${app}.`})
    return
  }

  if (!prompter.canPrompt) throw new PromptUnavailableError(`confirmation to set ${opts.keys.join(', ')} on ${app}`, `--confirm ${app}`)
  const yes = await prompter.confirm(`Set ${opts.keys.join(', ')} on ${app}? This makes a new release and restarts the app.`, {flag: `--confirm ${app}`, what: 'confirmation'})
  if (!yes) throw new CancelledError()
}
