// One bare repository per app, keyed by the app's id (so a rename changes nothing on disk):
//   <dataDir>/git/repos/<app-id>.git
// All of them share one hooks directory (core.hooksPath), <dataDir>/git/hooks, rewritten at
// start-up, so every repository runs the current pre-receive hook (see hook.ts).
import {existsSync} from 'node:fs'
import {mkdir, rename, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {runStep} from '../build/process.js'
import {HOOK_CLIENT_FILE, hookClientSource, preReceiveScript} from './hook.js'

export const reposRoot = (dataDir: string): string => join(dataDir, 'git', 'repos')
export const hooksDir = (dataDir: string): string => join(dataDir, 'git', 'hooks')
export const repoDir = (dataDir: string, appId: string): string => join(reposRoot(dataDir), `${appId}.git`)

/** git run by the platform: no user or system config, never a prompt. */
export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: '/nonexistent',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LANG: 'C',
    ...extra,
  }
}

export async function git(args: string[], options: {cwd?: string, env?: NodeJS.ProcessEnv} = {}): Promise<string> {
  const output: string[] = []
  const result = await runStep('git', args, {cwd: options.cwd, env: options.env ?? gitEnv(), onOutput: chunk => output.push(chunk), timeoutMs: 60_000})
  if (result.code !== 0) throw new Error(`git ${args[0]} failed (exit ${result.code ?? result.signal}): ${output.join('').trim()}`)
  return result.stdout
}

/** Writes the shared hooks; called once at start-up. */
export async function installHooks(dataDir: string): Promise<void> {
  const dir = hooksDir(dataDir)
  await mkdir(dir, {recursive: true, mode: 0o700})
  await writeFile(join(dir, HOOK_CLIENT_FILE), hookClientSource, {mode: 0o600})
  await writeFile(join(dir, 'pre-receive'), preReceiveScript, {mode: 0o700})
}

const creating = new Map<string, Promise<string>>()

/** The app's bare repository, created on first use (initial branch main). */
export function ensureRepo(dataDir: string, appId: string): Promise<string> {
  const dir = repoDir(dataDir, appId)
  if (existsSync(dir)) return Promise.resolve(dir)
  let pending = creating.get(dir)
  if (pending === undefined) {
    pending = createRepo(dataDir, dir).finally(() => creating.delete(dir))
    creating.set(dir, pending)
  }

  return pending
}

async function createRepo(dataDir: string, dir: string): Promise<string> {
  await mkdir(reposRoot(dataDir), {recursive: true, mode: 0o700})
  // built aside and renamed into place: a repository is either complete or absent
  const partial = `${dir}.${process.pid}.partial`
  await rm(partial, {recursive: true, force: true})
  await git(['init', '--bare', '--quiet', '--initial-branch=main', partial])
  await git(['config', 'core.hooksPath', hooksDir(dataDir)], {cwd: partial})
  await git(['config', 'http.receivepack', 'true'], {cwd: partial})
  await git(['config', 'receive.denyDeletes', 'true'], {cwd: partial})
  if (existsSync(dir)) {
    await rm(partial, {recursive: true, force: true})
    return dir
  }

  await rename(partial, dir)
  return dir
}

export async function removeRepo(dataDir: string, appId: string): Promise<void> {
  await rm(repoDir(dataDir, appId), {recursive: true, force: true})
}
