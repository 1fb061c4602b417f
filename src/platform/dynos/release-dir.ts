// A release's app directory: the slug tarball unpacked once per release under the data dir,
// shared by that release's dynos (DATA/runtime/releases/<release id>). Unpacking goes to a
// side directory that is renamed into place, so a half-unpacked slug is never run.
import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, readdir, rename, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {slugBlobPath} from '../api/capability-urls.js'

const run = promisify(execFile)

export const releasesRoot = (dataDir: string): string => join(dataDir, 'runtime', 'releases')
export const releaseDir = (dataDir: string, releaseId: string): string => join(releasesRoot(dataDir), releaseId)

const unpacking = new Map<string, Promise<string>>()

/** Unpacks the release's slug once; concurrent callers share the one unpacking. */
export function prepareReleaseDir(dataDir: string, releaseId: string, slugId: string): Promise<string> {
  const target = releaseDir(dataDir, releaseId)
  let pending = unpacking.get(target)
  if (pending === undefined) {
    pending = unpack(dataDir, target, slugId).finally(() => unpacking.delete(target))
    unpacking.set(target, pending)
  }
  return pending
}

async function unpack(dataDir: string, target: string, slugId: string): Promise<string> {
  if (existsSync(target)) return target
  const blob = slugBlobPath(dataDir, slugId)
  if (!existsSync(blob)) throw new Error(`the slug ${slugId} has no uploaded tarball`)
  const partial = `${target}.partial-${process.pid}`
  await rm(partial, {recursive: true, force: true})
  await mkdir(partial, {recursive: true, mode: 0o700})
  try {
    await run('tar', ['-xzf', blob, '-C', partial, '--no-same-owner'])
    await rename(partial, target)
  } catch (error) {
    await rm(partial, {recursive: true, force: true})
    throw new Error(`could not unpack the slug ${slugId}: ${(error as Error).message.split('\n')[0]}`)
  }
  return target
}

/** Removes unpacked releases other than `keep` (ids). */
export async function pruneReleaseDirs(dataDir: string, keep: ReadonlySet<string>): Promise<void> {
  let entries: string[]
  try {
    entries = await readdir(releasesRoot(dataDir))
  } catch {
    return
  }
  await Promise.all(entries.filter(name => !keep.has(name) && !name.endsWith(`.partial-${process.pid}`)).map(name => rm(join(releasesRoot(dataDir), name), {recursive: true, force: true})))
}
