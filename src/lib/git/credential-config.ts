import type {Output} from '../ui/output.js'
import {runGit} from './run-git.js'

/**
 * Points git at `heroku git:credentials` for one base URL (global config). An empty helper
 * first resets any helper inherited for that URL (say `store`), so ours is the one git asks.
 */
export async function configureCredentialHelper(gitBaseUrl: string, helperCommand: string, env?: NodeJS.ProcessEnv): Promise<void> {
  const key = `credential.${gitBaseUrl}.helper`
  await runGit(['config', '--global', '--unset-all', key], {env}).catch(() => {}) // exit 5: nothing to unset
  await runGit(['config', '--global', '--add', key, ''], {env})
  await runGit(['config', '--global', '--add', key, helperCommand], {env})
}

export async function credentialHelperConfigured(gitBaseUrl: string, helperCommand: string, env?: NodeJS.ProcessEnv): Promise<boolean> {
  const out = await runGit(['config', '--global', '--get-all', `credential.${gitBaseUrl}.helper`], {env}).catch(() => '')
  return out.split('\n').includes(helperCommand)
}

/** The helper value for git: this very CLI, by absolute path, so another `heroku` on PATH never answers. */
export function helperCommandFor(binPath: string): string {
  return `!'${binPath.replaceAll("'", String.raw`'\''`)}' git:credentials`
}

export type HelperSetup = 'already configured' | 'configured' | 'skipped'

/**
 * Sets up git's credential helper for the platform's git host: `wanted` true or false decides
 * (--git-setup / --no-git-setup); undefined asks on a TTY and only suggests it otherwise.
 */
export async function offerCredentialHelper(opts: {out: Output; gitBase: string; helperCommand: string; wanted?: boolean; env?: NodeJS.ProcessEnv}): Promise<HelperSetup> {
  const {gitBase, out} = opts
  if (await credentialHelperConfigured(gitBase, opts.helperCommand, opts.env)) return 'already configured'
  let wanted = opts.wanted
  if (wanted === undefined) {
    if (!out.canPrompt) {
      out.info(`To let git push to ${gitBase} with this login, run heroku login --git-setup.`)
      return 'skipped'
    }

    wanted = await out.confirm(`Let git use this login for ${gitBase} (sets a credential helper in ~/.gitconfig)?`, {default: true, flag: '--git-setup'})
  }

  if (!wanted) return 'skipped'
  await configureCredentialHelper(gitBase, opts.helperCommand, opts.env)
  out.info(`git will ask heroku git:credentials for ${gitBase}.`)
  return 'configured'
}
