// Which buildpacks exist: the built-in classic buildpacks shipped in this package (buildpacks/
// at the package root) and any classic buildpack directory on this machine (a path or file://
// URL). Nothing is downloaded: the platform has no network access to fetch buildpacks.
import {existsSync, statSync} from 'node:fs'
import {isAbsolute, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

/** buildpacks/ at the package root: three levels up from src/platform/build and dist/platform/build */
export const BUILTIN_BUILDPACKS_DIR = fileURLToPath(new URL('../../../buildpacks/', import.meta.url))

export interface BuiltinBuildpack {
  /** other spellings that mean the same buildpack */
  aliases: string[]
  dir: string
  /** the name users give: heroku/nodejs */
  name: string
}

const builtin = (short: string, aliases: string[]): BuiltinBuildpack => ({
  name: `heroku/${short}`,
  dir: join(BUILTIN_BUILDPACKS_DIR, short),
  aliases: [short, `urn:buildpack:heroku/${short}`, ...aliases],
})

/** in auto-detection order: the first whose bin/detect succeeds builds the app */
export const BUILTIN_BUILDPACKS: readonly BuiltinBuildpack[] = [
  builtin('nodejs', ['https://github.com/heroku/heroku-buildpack-nodejs', 'https://github.com/heroku/heroku-buildpack-nodejs.git']),
  builtin('static', ['https://github.com/heroku/heroku-buildpack-static', 'heroku-community/static']),
  builtin('procfile', ['heroku-community/procfile']),
]

/** A buildpack reference as stored with an app (`buildpack-installation`) or given to a build. */
export interface BuildpackRef {
  name: string
  url: string
}

export interface ResolvedBuildpack extends BuildpackRef {
  dir: string
}

export class BuildpackError extends Error {}

const BUILTIN_LIST = BUILTIN_BUILDPACKS.map(b => b.name).join(', ')

/**
 * Normalises what a user typed (a built-in name, a local directory, a file:// URL) to the stored
 * reference. Throws BuildpackError with an actionable message for anything this platform cannot use.
 */
export function canonicalBuildpack(input: string): BuildpackRef {
  const value = input.trim()
  if (value === '') throw new BuildpackError('A buildpack cannot be empty.')
  const known = BUILTIN_BUILDPACKS.find(b => b.name === value || b.aliases.includes(value.replace(/\/+$/, '')))
  if (known) return {url: known.name, name: known.name}
  let path: string | undefined
  if (/^file:\/\//i.test(value)) {
    try {
      path = fileURLToPath(value)
    } catch {
      throw new BuildpackError(`${value} is not a valid file:// URL (use file:///absolute/path).`)
    }
  } else if (isAbsolute(value)) {
    path = resolve(value)
  }

  if (path !== undefined) {
    checkBuildpackDir(path, value)
    const url = `file://${path}`
    return {url, name: url}
  }

  if (/^https?:\/\//i.test(value)) {
    throw new BuildpackError(`Cannot use ${value}: this platform does not download buildpacks (it has no network access). Clone the buildpack and give its directory (an absolute path or file:// URL), or use a built-in one: ${BUILTIN_LIST}.`)
  }

  throw new BuildpackError(`Unknown buildpack ${value}. Use a built-in one (${BUILTIN_LIST}), or a classic buildpack directory on this machine as an absolute path or file:// URL.`)
}

function checkBuildpackDir(path: string, given: string): void {
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new BuildpackError(`Buildpack ${given}: ${path} is not a directory.`)
  for (const script of ['bin/detect', 'bin/compile']) {
    if (!existsSync(join(path, script))) throw new BuildpackError(`Buildpack ${given}: ${join(path, script)} is missing; a classic buildpack has bin/detect, bin/compile and bin/release.`)
  }
}

/** The directory to run a stored reference from; re-checked at build time (a path can vanish). */
export function resolveBuildpack(ref: BuildpackRef): ResolvedBuildpack {
  const canonical = canonicalBuildpack(ref.url || ref.name)
  const known = BUILTIN_BUILDPACKS.find(b => b.name === canonical.url)
  return {...canonical, dir: known ? known.dir : fileURLToPath(canonical.url)}
}
