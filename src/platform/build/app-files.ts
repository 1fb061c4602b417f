// Files of the app that the platform itself reads outside the sandbox (Procfile, .slugignore):
// only regular files inside the build dir. A pushed symbolic link could name any file of the
// machine (Procfile -> /etc/shadow) and the platform, reading as its own user, would leak it.
import {lstatSync} from 'node:fs'
import {join} from 'node:path'

import {BuildFailure} from './build-failure.js'

/** The path of `name` in `buildDir` if it is a regular file; undefined if absent; a BuildFailure if anything else. */
export function regularAppFile(buildDir: string, name: string): string | undefined {
  const path = join(buildDir, name)
  let stat
  try {
    stat = lstatSync(path)
  } catch {
    return undefined
  }

  if (stat.isSymbolicLink()) throw new BuildFailure(`${name} is a symbolic link: it must be a regular file of the app.`)
  if (!stat.isFile()) throw new BuildFailure(`${name} must be a regular file of the app.`)
  return path
}
