// A dyno's own app directory: a copy of its release's directory, made at every start and removed
// when the process exits — Heroku's ephemeral filesystem: what one dyno writes no other dyno
// sees, and a restart starts clean. DATA/runtime/dynos/<instance>; the sandbox shows it as /app.
// cp --reflink=auto shares blocks where the filesystem can (btrfs, XFS), a plain copy elsewhere.
import {execFile} from 'node:child_process'
import {mkdir, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {promisify} from 'node:util'

const run = promisify(execFile)

export const dynoDirsRoot = (dataDir: string): string => join(dataDir, 'runtime', 'dynos')

/** Copies `releaseDir` for one dyno instance; owned by `uid` when given (the app's own user). */
export async function makeDynoDir(dataDir: string, instance: string, releaseDir: string, uid?: number): Promise<string> {
  const target = join(dynoDirsRoot(dataDir), instance)
  await mkdir(dynoDirsRoot(dataDir), {recursive: true, mode: 0o700})
  try {
    await run('cp', ['-a', '--reflink=auto', `${releaseDir}/.`, target])
    if (uid !== undefined) await run('chown', ['-R', `${uid}:${uid}`, target])
  } catch (error) {
    await rm(target, {recursive: true, force: true})
    throw new Error(`could not copy the app for the dyno: ${(error as Error).message.split('\n')[0]}`)
  }

  return target
}

export function removeDynoDir(dir: string): Promise<void> {
  return rm(dir, {recursive: true, force: true}).catch(() => {})
}

/** At start: the copies an earlier run left (its dynos are gone). */
export function removeAllDynoDirs(dataDir: string): Promise<void> {
  return rm(dynoDirsRoot(dataDir), {recursive: true, force: true}).catch(() => {})
}
