import {appFromGitUrl, isGitRepo, listRemotes, removeRemote, setRemote} from '../git/remotes.js'

/** A git remote of the repository at cwd that points at one app. */
export interface AppRemote {
  name: string
  url: string
}

/** Remotes pointing at the app: the app's own git URL, or a URL naming the app on this git host. */
export async function remotesForApp(opts: {app: string, cwd?: string, gitHost: string, gitUrl?: string}): Promise<AppRemote[]> {
  const remotes = await listRemotes(opts.cwd)
  return remotes.filter(r => (opts.gitUrl !== undefined && r.url === opts.gitUrl) || appFromGitUrl(r.url, opts.gitHost) === opts.app)
}

/**
 * For a new app: adds the remote unless one of that name already exists. A remote pointing at
 * another app is the user's, and is kept as it is (the official CLI does the same).
 */
export async function addNewAppRemote(opts: {cwd?: string, gitUrl: string, name: string}): Promise<undefined | {action: 'added' | 'kept' | 'unchanged', name: string, url: string}> {
  if (!(await isGitRepo(opts.cwd))) return undefined
  const existing = (await listRemotes(opts.cwd)).find(r => r.name === opts.name)
  if (existing) return {action: existing.url === opts.gitUrl ? 'unchanged' : 'kept', name: opts.name, url: existing.url}
  await setRemote(opts.name, opts.gitUrl, opts.cwd)
  return {action: 'added', name: opts.name, url: opts.gitUrl}
}

/** Removes every remote pointing at the app; returns their names. */
export async function removeAppRemotes(opts: {app: string, cwd?: string, gitHost: string, gitUrl?: string}): Promise<string[]> {
  const found = await remotesForApp(opts)
  for (const r of found) {
    await removeRemote(r.name, opts.cwd)
  }

  return found.map(r => r.name)
}

/** Points every remote that pointed at the old app at the new git URL; returns their names. */
export async function repointAppRemotes(opts: {cwd?: string, gitHost: string, newGitUrl: string, oldApp: string, oldGitUrl?: string}): Promise<string[]> {
  const found = await remotesForApp({app: opts.oldApp, cwd: opts.cwd, gitHost: opts.gitHost, gitUrl: opts.oldGitUrl})
  for (const r of found) {
    await setRemote(r.name, opts.newGitUrl, opts.cwd)
  }

  return found.map(r => r.name)
}

/** What git said when a git command failed. */
export function gitMessage(error: unknown): string {
  return String((error as {stderr?: string}).stderr || (error as Error).message).trim()
}
