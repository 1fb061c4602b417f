import type {Account} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {CredentialStore, TokenStorage} from './credentials.js'
import type {Output} from '../ui/output.js'

import {gitBaseUrlFor} from '../git/git-host.js'
import {configureCredentialHelper, credentialHelperConfigured} from '../git/credential-config.js'
import {accountFor, createAuthorization, readTokenFrom} from './login.js'

export interface LoginOptions {
  apiUrl: string
  /** builds a client for apiUrl with the given token (or none, for the basic-auth step) */
  client: (token?: string) => ApiClient
  credentials: CredentialStore
  out: Output
  /** read the token from this stream instead of asking (--with-token) */
  tokenStream?: NodeJS.ReadableStream
  /** --git-setup / --no-git-setup; undefined asks on a TTY */
  gitSetup?: boolean
  helperCommand: string
  env?: NodeJS.ProcessEnv
}

export interface LoginResult {
  email: string
  id?: string
  api_url: string
  storage: TokenStorage
  git_credential_helper: 'configured' | 'already configured' | 'skipped'
  git_host: string
}

/**
 * `heroku login`: get a token (stdin, or email and password traded for an authorization),
 * check it with GET /account before keeping it, store it, and offer the git credential helper.
 */
export async function login(opts: LoginOptions): Promise<LoginResult> {
  const {out} = opts
  let token: string
  if (opts.tokenStream) {
    token = await readTokenFrom(opts.tokenStream)
  } else {
    out.info(`Logging in to ${opts.apiUrl}`)
    const email = await out.ask('Email:', {flag: '--with-token (reading a token from stdin)', what: 'your email'})
    const password = await out.askSecret('Password:', {flag: '--with-token (reading a token from stdin)', what: 'your password'})
    token = await createAuthorization(opts.client(), {email, password})
  }

  const account: Account = await accountFor(opts.client(token))
  const storage = await opts.credentials.save(opts.apiUrl, token)
  const gitBase = gitBaseUrlFor(opts.apiUrl, opts.env)
  const git = await setUpGit(opts, gitBase)
  out.log(`Logged in as ${out.color.cyan(account.email ?? '(unknown email)')}`)
  return {
    api_url: opts.apiUrl,
    email: account.email ?? '',
    git_credential_helper: git,
    git_host: gitBase,
    id: account.id,
    storage,
  }
}

async function setUpGit(opts: LoginOptions, gitBase: string): Promise<LoginResult['git_credential_helper']> {
  const {out} = opts
  if (await credentialHelperConfigured(gitBase, opts.helperCommand, opts.env)) return 'already configured'
  let wanted = opts.gitSetup
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
