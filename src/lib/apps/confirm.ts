import type {Output} from '../ui/output.js'
import type {Prompter} from '../ui/prompter.js'

import {PromptUnavailableError, UsageError} from '../errors.js'

export interface ConfirmOptions {
  /** what is about to happen, shown before asking */
  action: string
  /** the name the user must type (or pass as --confirm) */
  app: string
  /** the value of --confirm, if given */
  confirm?: string
  out: Output
  prompter: Prompter
}

/**
 * Guards a destructive action. `--confirm APP` must name the app; without it, a person at a
 * terminal types the app name; anywhere else this fails naming the flag to pass.
 */
export async function confirmDestructive(opts: ConfirmOptions): Promise<void> {
  const {out, prompter, app} = opts
  if (opts.confirm !== undefined) {
    if (opts.confirm !== app) throw new UsageError(`Confirmation "${opts.confirm}" did not match ${app}: nothing was done.`, {hint: `Pass --confirm ${app}.`})
    return
  }

  if (!prompter.canPrompt) throw new PromptUnavailableError(`confirmation to ${opts.action}`, `--confirm ${app}`)
  out.warn(`This will ${opts.action}. It cannot be undone.\nTo proceed, type ${app} or re-run this command with --confirm ${app}.`)
  const answer = await prompter.input('>', {flag: `--confirm ${app}`, what: 'confirmation'})
  if (answer.trim() !== app) throw new UsageError(`Confirmation "${answer.trim()}" did not match ${app}: nothing was done.`)
}
