import type {App} from '@heroku-cli/schema'

import {existsSync} from 'node:fs'
import {resolve} from 'node:path'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {caFileFor, extraCaFor} from '../api/trust.js'
import {UserError} from '../errors.js'
import {gitCaKey} from '../git/credential-config.js'
import {setRemote} from '../git/remotes.js'
import {runGit} from '../git/run-git.js'
import {gitMessage} from './app-remotes.js'

/** GET the app, then `git remote add|set-url NAME app.git_url` in the repository at cwd. */
export async function setGitRemote(opts: {api: ApiClient, app: string, cwd?: string, out: Output, remote: string}): Promise<{action: string, app: string, remote: string, url: string}> {
  const app = await opts.api.get<App>(paths.app(opts.app).self)
  if (!app.git_url) throw new UserError(`${opts.app} has no git URL on this platform.`)
  let action: string
  try {
    action = await setRemote(opts.remote, app.git_url, opts.cwd)
  } catch (error) {
    throw new UserError(`Could not set the git remote ${opts.remote}: ${gitMessage(error)}`, {
      hint: 'Run this inside a git repository (git init).',
    })
  }

  opts.out.log(`Git remote ${opts.remote} ${action === 'unchanged' ? 'already points at' : `${action}:`} ${app.git_url}`)
  return {action, app: app.name ?? opts.app, remote: opts.remote, url: app.git_url}
}

/**
 * A local platform's git URL: git verifies it with the platform's CA, for that origin only, in the
 * clone and its later pulls (`git clone --config`, kept in the clone's .git/config).
 */
function caConfig(gitUrl: string): string[] {
  const file = caFileFor(gitUrl)
  if (!file) return []
  extraCaFor(gitUrl) // a missing file: our clear error, not git's
  return ['--config', `${gitCaKey(gitUrl)}=${file}`]
}

/** GET the app, then a real `git clone --origin REMOTE app.git_url DIR`. */
export async function cloneApp(opts: {api: ApiClient, app: string, cwd?: string, dir?: string, out: Output, remote: string}): Promise<{app: string, directory: string, url: string}> {
  const app = await opts.api.get<App>(paths.app(opts.app).self)
  if (!app.git_url) throw new UserError(`${opts.app} has no git URL on this platform.`)
  const dir = opts.dir ?? app.name ?? opts.app
  const directory = resolve(opts.cwd ?? process.cwd(), dir)
  if (existsSync(directory)) throw new UserError(`${dir} already exists.`, {hint: 'Give another directory: heroku git:clone -a APP DIR'})
  opts.out.info(`Cloning ${app.name} into ${dir}...`)
  try {
    await runGit(['clone', ...caConfig(app.git_url), '--origin', opts.remote, '--', app.git_url, directory], {cwd: opts.cwd})
  } catch (error) {
    if (error instanceof UserError) throw error
    throw new UserError(`git clone failed: ${gitMessage(error)}`)
  }

  const empty = (await runGit(['rev-parse', '--verify', '-q', 'HEAD'], {cwd: directory}).catch(() => '')).trim() === ''
  if (empty) opts.out.info('The app has no code yet: this is an empty repository.')
  opts.out.log(`Cloned ${app.name} into ${dir} (remote ${opts.remote})`)
  return {app: app.name ?? opts.app, directory, url: app.git_url}
}
