// The data dir holds secrets (the SQLite store with token hashes and config vars, slugs, build
// caches, app repos): nobody but the platform's user may read it. Two halves keep it so:
//   - the platform process runs with umask 077 (PLATFORM_UMASK), so whatever it and its
//     children create is 0600 / 0700 (SQLite's -wal and -shm too);
//   - at every start tightenDataDir() takes group and other bits off everything already there
//     (a data dir made by an older version, by hand, or by the CLI under the user's umask).
// Owner bits are kept: an executable stays executable for its owner (buildpacks' bin/compile,
// git hooks, binaries in dyno release dirs).
import {chmodSync, lstatSync, mkdirSync, opendirSync} from 'node:fs'
import {join} from 'node:path'

export const PLATFORM_UMASK = 0o077

export interface TightenResult {
  /** entries looked at, the data dir itself included */
  checked: number
  /** entries whose mode changed */
  tightened: number
}

/**
 * Creates the data dir (0700) if missing and takes group/other permission bits off it and off
 * everything under it. Symbolic links are not followed. Entries that vanish meanwhile or that
 * belong to another user (EPERM) are skipped.
 *
 * Dyno release dirs and dyno copies (runtime/) are tightened like the rest: a dyno that runs as
 * an app's own uid gets a copy chowned to it, which owner bits are enough for. If something under
 * the data dir ever has to stay readable by another uid, exclude it here, in one place.
 * Note: tar run as root keeps the modes an archive holds, umask or not: built slugs are packed
 * tight (build/slug.ts), but a slug uploaded through the API keeps its modes in its release dir
 * until the next start unless the unpacking passes --no-same-permissions (dynos/release-dir.ts).
 */
export function tightenDataDir(dataDir: string): TightenResult {
  mkdirSync(dataDir, {recursive: true, mode: 0o700})
  return tightenTree(dataDir)
}

/**
 * Takes group/other bits off `root` and everything under it: for trees whose modes came from
 * elsewhere (a checkout, an archive) and that are about to be kept, such as a slug's contents.
 */
export function tightenTree(root: string): TightenResult {
  const result: TightenResult = {checked: 0, tightened: 0}
  tighten(root, result)
  return result
}

function tighten(path: string, result: TightenResult): void {
  let mode: number
  let isDirectory: boolean
  try {
    const stats = lstatSync(path)
    if (stats.isSymbolicLink()) return
    mode = stats.mode & 0o7777
    isDirectory = stats.isDirectory()
  } catch {
    return // gone meanwhile
  }

  result.checked++
  if ((mode & 0o077) !== 0) {
    try {
      chmodSync(path, mode & ~0o077)
      result.tightened++
    } catch {
      // not ours (EPERM) or gone: nothing to do
    }
  }

  if (!isDirectory) return
  let dir
  try {
    dir = opendirSync(path)
  } catch {
    return
  }

  try {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
      if (!entry.isSymbolicLink()) tighten(join(path, entry.name), result)
    }
  } finally {
    dir.closeSync()
  }
}
