import {runGit} from './run-git.js'

export interface GitRemote {
  name: string
  url: string
}

/** The remotes of the repository at cwd; none when cwd is not in a git repository. */
export async function listRemotes(cwd?: string): Promise<GitRemote[]> {
  let out: string
  try {
    out = await runGit(['config', '--get-regexp', String.raw`^remote\..*\.url$`], {cwd})
  } catch {
    return [] // not a repository, or no remotes: git exits 1
  }

  return out.split('\n').filter(Boolean).map(line => {
    const [key, ...url] = line.split(' ')
    return {name: key.replace(/^remote\./, '').replace(/\.url$/, ''), url: url.join(' ')}
  })
}

export async function isGitRepo(cwd?: string): Promise<boolean> {
  try {
    await runGit(['rev-parse', '--git-dir'], {cwd})
    return true
  } catch {
    return false
  }
}

/** Adds the remote, or points an existing one of that name at the new URL. */
export async function setRemote(name: string, url: string, cwd?: string): Promise<'added' | 'unchanged' | 'updated'> {
  const existing = (await listRemotes(cwd)).find(r => r.name === name)
  if (existing?.url === url) return 'unchanged'
  await runGit(existing ? ['remote', 'set-url', name, url] : ['remote', 'add', name, url], {cwd})
  return existing ? 'updated' : 'added'
}

export async function removeRemote(name: string, cwd?: string): Promise<void> {
  await runGit(['remote', 'remove', name], {cwd})
}

/**
 * The app a git URL points at, if it is on the given git host: https://git.heroku.com/APP.git,
 * http://127.0.0.1:5400/APP.git, or ssh git@heroku.com:APP.git.
 */
export function appFromGitUrl(url: string, gitHost: string): string | undefined {
  const ssh = /^(?:ssh:\/\/)?git@([^:/]+)[:/]([^/]+?)(?:\.git)?$/.exec(url)
  if (ssh) {
    const host = ssh[1].toLowerCase()
    return host === gitHost || `git.${host}` === gitHost ? ssh[2] : undefined
  }

  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }

  if (parsed.host.toLowerCase() !== gitHost) return undefined
  const match = /^\/([^/]+?)\.git\/?$/.exec(parsed.pathname)
  return match ? decodeURIComponent(match[1]) : undefined
}

/** Remotes of this repository that point at apps on the platform, with their app names. */
export async function appRemotes(gitHost: string, cwd?: string): Promise<Array<GitRemote & {app: string}>> {
  const remotes = await listRemotes(cwd)
  return remotes.flatMap(r => {
    const app = appFromGitUrl(r.url, gitHost)
    return app ? [{...r, app}] : []
  })
}
