import {accessSync, constants, realpathSync} from 'node:fs'
import {delimiter, isAbsolute, join} from 'node:path'

/**
 * What git (or anything else the CLI records on disk) should run to reach this CLI again: the
 * `heroku` on PATH that is this very toolbelt, by that PATH entry's own path — /usr/local/bin/heroku,
 * Homebrew's bin/heroku, npm's global bin — never the file it links to. Those links stay put when
 * the package behind them is upgraded, reinstalled or moved, where a path inside the package (or
 * a clone) would break. `installed: false` when no PATH entry is this CLI (run from a clone
 * before npm link): then this copy's own bin/run.js, the one thing that works until it is
 * installed — `heroku login` repairs the entry then (isOurHelper).
 */
export function installedHeroku(root: string, env: NodeJS.ProcessEnv = process.env): {installed: boolean, path: string} {
  // the npm bin (run.js) and the standalone tarball's launcher (bin/heroku) are both this CLI
  const ours = new Set([join(root, 'bin', 'run.js'), join(root, 'bin', 'heroku')].map(file => realOrUndefined(file)).filter(Boolean))
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue // a relative PATH entry depends on the cwd: not stable
    const candidate = join(dir, 'heroku')
    if (isExecutable(candidate) && ours.has(realOrUndefined(candidate))) return {installed: true, path: candidate}
  }

  return {installed: false, path: join(root, 'bin', 'run.js')}
}

/** The git credential helper value for a `heroku` command path (quoted for git's shell). */
export function helperCommandFor(herokuPath: string): string {
  if (herokuPath === 'heroku') return '!heroku git:credentials'
  return `!'${herokuPath.replaceAll("'", String.raw`'\''`)}' git:credentials`
}

/** Whether a credential helper value is one of ours, this path or any other (an older install, a clone). */
export function isOurHelper(value: string): boolean {
  return /\bgit:credentials$/.test(value.trim())
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path)
  } catch {
    return undefined
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}
