// `heroku local --build`: the app compiled by the same buildpacks `git push` uses, in a cache
// dir outside the working tree (the tree is never written to), so that "works locally" means
// what it means on the platform. The processes then run in the built copy with the slug's
// process model: .profile.d/*.sh sourced first, the buildpacks' default process types under
// the Procfile's.
import {createHash} from 'node:crypto'
import {cpSync, existsSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {basename, join, resolve} from 'node:path'

import {BuildOutput} from '../../platform/build/output.js'
import {BuildFailure, runBuildpacks} from '../../platform/build/runner.js'
import {UserError} from '../errors.js'
import {DIR_NAME} from '../paths.js'

/** What a dyno's shell runs before the command, as the platform's dynos do. */
const PROFILE = 'for f in .profile.d/*.sh; do [ -r "$f" ] && . "$f"; done; '

/** Not copied: git's data, and dependencies the buildpack installs itself (from its cache). */
const SKIPPED = new Set(['.git', 'node_modules'])

export interface LocalBuild {
  /** the compiled copy of the app: the processes' working directory */
  appDir: string
  description: string
  /** type → command: the buildpacks' defaults under the Procfile's */
  processTypes: Record<string, string>
  /** the dyno's shell (bash, as on the platform, when this machine has it) */
  shell: string
  /** a Procfile command as a dyno runs it */
  wrap: (command: string) => string
}

/** ~/.cache/heroku-toolbelt/local/<name>-<hash of the path>: one per working tree. */
export function buildCacheDir(cwd: string, env: NodeJS.ProcessEnv): string {
  const root = join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), DIR_NAME, 'local')
  const id = createHash('sha256').update(resolve(cwd)).digest('hex').slice(0, 16)
  return join(root, `${basename(resolve(cwd)).replaceAll(/[^\w.-]/g, '_')}-${id}`)
}

/** A Procfile command as a dyno runs it: after .profile.d. */
function withProfile(command: string): string {
  return PROFILE + command
}

export async function buildLocally(opts: {cwd: string, env: NodeJS.ProcessEnv, print: (line: string) => void, timeoutMs?: number, vars: Record<string, string>}): Promise<LocalBuild> {
  const base = buildCacheDir(opts.cwd, opts.env)
  const dirs = {buildDir: join(base, 'app'), cacheDir: join(base, 'cache'), envDir: join(base, 'env'), homeDir: join(base, 'home')}
  // a fresh copy each time (files deleted from the tree must not linger); the cache is kept
  for (const dir of [dirs.buildDir, dirs.envDir, dirs.homeDir]) rmSync(dir, {force: true, recursive: true})
  for (const dir of Object.values(dirs)) mkdirSync(dir, {mode: 0o700, recursive: true})
  const source = resolve(opts.cwd)
  cpSync(source, dirs.buildDir, {filter: from => !(resolve(from, '..') === source && SKIPPED.has(basename(from))), recursive: true, verbatimSymlinks: true})
  // the build sees the .env vars as git push's build sees config vars: a file each
  for (const [key, value] of Object.entries(opts.vars)) writeFileSync(join(dirs.envDir, key), value, {mode: 0o600})

  const output = new BuildOutput('local', {write() {}})
  let pending = ''
  output.follow(chunk => {
    const lines = (pending + chunk).split('\n')
    pending = lines.pop()!
    for (const line of lines) opts.print(line)
  }, () => {
    if (pending !== '') opts.print(pending)
  })
  try {
    const result = await runBuildpacks({buildpacks: [], dirs, output, sourceVersion: 'local', timeoutMs: opts.timeoutMs ?? 15 * 60_000})
    return {appDir: dirs.buildDir, description: result.description, processTypes: result.processTypes, shell: existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh', wrap: withProfile}
  } catch (error) {
    if (error instanceof BuildFailure) throw new UserError(`The build failed: ${error.message}`, {hint: `The build is in ${base}; heroku local without --build runs the working tree as it is.`})
    throw error
  } finally {
    output.end()
  }
}
