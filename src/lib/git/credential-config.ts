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
