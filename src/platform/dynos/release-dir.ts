// A release's app directory: the slug tarball unpacked once per release under the data dir
// (DATA/runtime/releases/<release id>); each dyno runs in a copy of it (dyno-dir.ts). Unpacking
// goes to a side directory that is renamed into place, so a half-unpacked slug is never run.
//
// A directory is kept while anything holds a lease on it: an app's current release, a release
// being prepared (the lease is taken before unpacking starts) and every dyno that runs it
// (one-off included). Pruning removes only directories nobody holds, so no timing between a
// deploy of one app and a prune by another can delete a directory in use.
import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, readdir, rename, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {slugBlobPath} from '../api/capability-urls.js'

const run = promisify(execFile)

export const releasesRoot = (dataDir: string): string => join(dataDir, 'runtime', 'releases')
export const releaseDir = (dataDir: string, releaseId: string): string => join(releasesRoot(dataDir), releaseId)

/** A hold on one release directory; release() once, when the holder is done with it. */
export interface ReleaseLease {
  /** the unpacked directory (ready once prepare() resolved) */
  readonly dir: string
  release(): void
  readonly releaseId: string
}

export class ReleaseDirs {
  private readonly holds = new Map<string, number>()
  private readonly unpacking = new Map<string, Promise<string>>()

  constructor(private readonly dataDir: string) {}

  /** Takes a lease at once (before anything is unpacked): the directory is safe from prune(). */
  lease(releaseId: string): ReleaseLease {
    this.holds.set(releaseId, (this.holds.get(releaseId) ?? 0) + 1)
    let released = false
    return {
      releaseId,
      dir: releaseDir(this.dataDir, releaseId),
      release: () => {
        if (released) return
        released = true
        const left = (this.holds.get(releaseId) ?? 1) - 1
        if (left <= 0) this.holds.delete(releaseId)
        else this.holds.set(releaseId, left)
      },
    }
  }

  /** Leases the release and unpacks its slug once; concurrent callers share the one unpacking. */
  async prepare(releaseId: string, slugId: string): Promise<ReleaseLease> {
    const lease = this.lease(releaseId)
    try {
      await this.unpack(releaseId, slugId)
      return lease
    } catch (error) {
      lease.release()
      throw error
    }
  }

  held(releaseId: string): boolean {
    return this.holds.has(releaseId)
  }

  /** Removes every unpacked release nobody holds. */
  async prune(): Promise<void> {
    let entries: string[]
    try {
      entries = await readdir(releasesRoot(this.dataDir))
    } catch {
      return
    }

    await Promise.all(entries.filter(name => !name.includes('.partial-') && !this.holds.has(name) && !this.unpacking.has(name))
      .map(name => rm(join(releasesRoot(this.dataDir), name), {recursive: true, force: true})))
  }

  private unpack(releaseId: string, slugId: string): Promise<string> {
    let pending = this.unpacking.get(releaseId)
    if (pending === undefined) {
      pending = unpackSlug(this.dataDir, releaseDir(this.dataDir, releaseId), slugId).finally(() => this.unpacking.delete(releaseId))
      this.unpacking.set(releaseId, pending)
    }

    return pending
  }
}

async function unpackSlug(dataDir: string, target: string, slugId: string): Promise<string> {
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

/** Removes half-unpacked directories an earlier run left (at start, before anything unpacks). */
export async function removePartialReleaseDirs(dataDir: string): Promise<void> {
  let entries: string[]
  try {
    entries = await readdir(releasesRoot(dataDir))
  } catch {
    return
  }

  await Promise.all(entries.filter(name => name.includes('.partial-')).map(name => rm(join(releasesRoot(dataDir), name), {recursive: true, force: true})))
}
