import type {Account} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {HelperSetup} from '../git/credential-config.js'
import type {Output} from '../ui/output.js'
import type {Prompter} from '../ui/prompter.js'
import type {CredentialStore, TokenStorage} from './credentials.js'

import {offerCredentialHelper} from '../git/credential-config.js'
import {gitBaseUrlFor} from '../git/git-host.js'
import {accountFor, createAuthorization, readTokenFrom} from './login.js'

export interface LoginOptions {
  apiUrl: string
  /** the local platform's CA file, when apiUrl is a TLS local platform: git setup trusts it for that origin */
  caFile?: string
  /** builds a client for apiUrl with the given token (or none, for the basic-auth step) */
  client: (token?: string) => ApiClient
  credentials: CredentialStore
  env?: NodeJS.ProcessEnv
  /** --git-setup / --no-git-setup; undefined asks on a TTY */
  gitSetup?: boolean
  helperCommand: string
  /** false when no `heroku` on PATH is this CLI (see installedHeroku) */
  helperOnPath?: boolean
  out: Output
  prompter: Prompter
  /** read the token from this stream instead of asking (--with-token) */
  tokenStream?: NodeJS.ReadableStream
}

export interface LoginResult {
  api_url: string
  email: string
  git_credential_helper: HelperSetup
  git_host: string
  id?: string
  storage: TokenStorage
}

/**
 * `heroku login`: get a token (stdin, or email and password traded for an authorization),
 * check it with GET /account before keeping it, store it, and offer the git credential helper.
 */
export async function login(opts: LoginOptions): Promise<LoginResult> {
  const {out, prompter} = opts
  let token: string
  if (opts.tokenStream) {
    token = await readTokenFrom(opts.tokenStream)
  } else {
    out.info(`Logging in to ${opts.apiUrl}`)
    const email = await prompter.input('Email:', {flag: '--with-token (reading a token from stdin)', what: 'your email'})
    const password = await prompter.password('Password:', {flag: '--with-token (reading a token from stdin)', what: 'your password'})
    token = await createAuthorization(opts.client(), {email, password})
  }

  const account: Account = await accountFor(opts.client(token))
  const storage = await opts.credentials.save(opts.apiUrl, token)
  const gitBase = gitBaseUrlFor(opts.apiUrl, opts.env)
  // the platform's CA is for its own origin: a git host elsewhere (HEROKU_GIT_HOST) is not covered
  const caFile = new URL(gitBase).origin === new URL(opts.apiUrl).origin ? opts.caFile : undefined
  const git = await offerCredentialHelper({caFile, env: opts.env, gitBase, helperCommand: opts.helperCommand, helperOnPath: opts.helperOnPath, out, prompter, wanted: opts.gitSetup})
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
