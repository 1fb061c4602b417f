import type {Output} from '../ui/output.js'
import type {Prompter} from '../ui/prompter.js'

import {isOurHelper} from './installed-command.js'
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

/**
 * The git config key that gives git a CA file for one origin only: `http.https://HOST:PORT/.sslCAInfo`
 * (git matches it by scheme, host and port, never for another server).
 */
export function gitCaKey(url: string): string {
  return `http.${new URL(url).origin}/.sslCAInfo`
}

/** The git command that trusts `caFile` for `url`'s origin (what --git-setup runs). */
export function gitCaCommand(url: string, caFile: string): string {
  return `git config --global ${gitCaKey(url)} ${caFile}`
}

/** Lets git verify `url`'s origin with `caFile` (global config); a no-op when it already does. */
export async function configureGitCa(url: string, caFile: string, env?: NodeJS.ProcessEnv): Promise<'already configured' | 'configured'> {
  const key = gitCaKey(url)
  const now = (await runGit(['config', '--global', '--get', key], {env}).catch(() => '')).trim()
  if (now === caFile) return 'already configured'
  await runGit(['config', '--global', key, caFile], {env})
  return 'configured'
}

/** The helper values git has for one base URL (global config), in order. */
async function configuredHelpers(gitBaseUrl: string, env?: NodeJS.ProcessEnv): Promise<string[]> {
  const out = await runGit(['config', '--global', '--get-all', `credential.${gitBaseUrl}.helper`], {env}).catch(() => '')
  return out.split('\n').filter(Boolean)
}

export type HelperSetup = 'already configured' | 'configured' | 'repaired' | 'skipped'

export interface OfferCredentialHelperOptions {
  /** the local platform's CA file: git is told to verify gitBase (and only it) with it */
  caFile?: string
  env?: NodeJS.ProcessEnv
  gitBase: string
  helperCommand: string
  /** false when no `heroku` on PATH is this CLI (run from a clone): git will need one there */
  helperOnPath?: boolean
  out: Output
  prompter: Prompter
  wanted?: boolean
}

/**
 * Sets up git's credential helper for the platform's git host: `wanted` true or false decides
 * (--git-setup / --no-git-setup); undefined asks on a TTY and only suggests it otherwise.
 */
export async function offerCredentialHelper(opts: OfferCredentialHelperOptions): Promise<HelperSetup> {
  const {gitBase, out, prompter} = opts
  const helpers = await configuredHelpers(gitBase, opts.env)
  if (helpers.includes(opts.helperCommand)) {
    if (opts.wanted !== false) await setUpGitCa(opts)
    return 'already configured'
  }

  if (helpers.some(h => isOurHelper(h)) && opts.wanted !== false) {
    // set up before, by another install or a clone that may be gone: asked once already
    await configureCredentialHelper(gitBase, opts.helperCommand, opts.env)
    out.info(`git's credential helper for ${gitBase} now runs ${opts.helperCommand.slice(1)} (was ${helpers.filter(h => isOurHelper(h)).join(', ')}).`)
    warnIfNotOnPath(opts)
    await setUpGitCa(opts)
    return 'repaired'
  }

  let {wanted} = opts
  if (wanted === undefined) {
    if (!prompter.canPrompt) {
      out.info(`To let git push to ${gitBase} with this login, run heroku login --git-setup.`)
      return 'skipped'
    }

    wanted = await prompter.confirm(`Let git use this login for ${gitBase} (sets a credential helper in ~/.gitconfig)?`, {default: true, flag: '--git-setup'})
  }

  if (!wanted) return 'skipped'
  await configureCredentialHelper(gitBase, opts.helperCommand, opts.env)
  out.info(`git will ask heroku git:credentials for ${gitBase}.`)
  warnIfNotOnPath(opts)
  await setUpGitCa(opts)
  return 'configured'
}

/** git verifies an https gitBase with the local platform's CA, for that origin only. */
async function setUpGitCa(opts: {caFile?: string, env?: NodeJS.ProcessEnv, gitBase: string, out: Output}): Promise<void> {
  if (!opts.caFile || !opts.gitBase.startsWith('https:')) return
  if (await configureGitCa(opts.gitBase, opts.caFile, opts.env) === 'configured') {
    opts.out.info(`git trusts the platform's certificate authority for ${new URL(opts.gitBase).origin} only (${gitCaKey(opts.gitBase)}).`)
  }

  const forced = (opts.env ?? process.env).GIT_SSL_CAINFO
  if (forced && forced !== opts.caFile) {
    opts.out.warn(`GIT_SSL_CAINFO=${forced} is set: it overrides git's per-URL setting, so git cannot verify ${new URL(opts.gitBase).origin} until it is unset.`)
  }
}

function warnIfNotOnPath(opts: {helperOnPath?: boolean, out: Output}): void {
  if (opts.helperOnPath === false) opts.out.warn('heroku is not on your PATH: git push runs this copy\'s bin/run.js until you install it (npm link in the clone, or README "Install"); heroku login then points git at the installed one.')
}
