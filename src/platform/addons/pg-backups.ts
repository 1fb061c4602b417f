// heroku-postgresql backups, run by the platform: a capture is `pg_dump -Fc` of the add-on's
// database into DATA/addons/heroku-postgresql/backups/<addonId>/<backupId>.dump (0600), a restore
// is `pg_restore` of such a file into an add-on's database. Both run as the postgres service's
// uid through the one mechanism for spawned processes (ServiceProcesses.runOnce: sandboxed,
// recorded, killed with the platform), in the background; the store has their state
// (store/pg-backups.ts). Credentials reach pg_dump/pg_restore in libpq's environment only.
//
// A transfer the platform's stop (or a crash) interrupted is pending/running in the store with
// no live job: it is marked failed when next read (reconcileTransfers).
import {existsSync, readdirSync, rmSync, statSync} from 'node:fs'
import {chmod, rename, rm, stat} from 'node:fs/promises'
import {join} from 'node:path'

import type {PlatformContext} from '../api/context.js'
import type {AddonRow} from '../store/addons.js'

import {SERVICE_UIDS} from '../dynos/service-processes.js'
import {
  finishTransfer, insertTransfer, listUnfinishedTransfers, markTransferRunning, type PgTransferRow, transferName,
} from '../store/pg-backups.js'
import {findPostgresBinaries} from './postgresql-cluster.js'
import {serviceDir} from './provider-runtime.js'

export const PG_SERVICE = 'heroku-postgresql'
/** how long a capture or a restore may run before it is killed */
const TRANSFER_TIMEOUT_MS = 2 * 60 * 60_000

/** DATA/addons/heroku-postgresql/backups/<addonId> */
/** Backups live in the service's dir, one folder per add-on: DATA/addons/heroku-postgresql/backups/<addon> */
export const backupsDirIn = (pgServiceDir: string, addonId: string): string => join(pgServiceDir, 'backups', addonId)
export const backupsDir = (dataDir: string, addonId: string): string => backupsDirIn(serviceDir(dataDir, PG_SERVICE), addonId)
export const backupFile = (dataDir: string, addonId: string, backupId: string): string => join(backupsDir(dataDir, addonId), `${backupId}.dump`)

/** Jobs running in this process, per store (one per running platform). */
const running = new WeakMap<object, Set<string>>()
const jobsOf = (platform: PlatformContext): Set<string> => {
  let jobs = running.get(platform.store)
  if (jobs === undefined) {
    jobs = new Set()
    running.set(platform.store, jobs)
  }

  return jobs
}

/** A reason the platform cannot run pg_dump / pg_restore now, or undefined. */
export function transfersUnavailableReason(platform: PlatformContext): string | undefined {
  if (platform.dynos === undefined) return 'Backups are unavailable on this platform: it runs no processes (dynos are off), and pg_dump runs as one.'
  if (clientBinary('pg_dump') === undefined) return 'Backups are unavailable on this platform: pg_dump is not installed (apt-get install postgresql-client).'
  return undefined
}

/** pg_dump / pg_restore of the newest PostgreSQL installed (a newer one reads and writes older servers' data). */
export function clientBinary(name: 'pg_dump' | 'pg_restore'): string | undefined {
  const server = findPostgresBinaries()
  if (server !== undefined && existsSync(join(server.bindir, name))) return join(server.bindir, name)
  try {
    for (const version of readdirSync('/usr/lib/postgresql').filter(v => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))) {
      const file = `/usr/lib/postgresql/${version}/bin/${name}`
      if (existsSync(file) && statSync(file).isFile()) return file
    }
  } catch {}

  return undefined
}

/** libpq's environment for an add-on's own URL (its role owns its database). */
function libpqEnv(addon: AddonRow): Record<string, string> {
  const url = (JSON.parse(addon.config) as Record<string, string>).URL
  if (url === undefined) throw new Error(`${addon.name} has no URL`)
  const parsed = new URL(url)
  return {
    PGHOST: parsed.hostname, PGPORT: parsed.port || '5432', PGUSER: decodeURIComponent(parsed.username),
    PGPASSWORD: decodeURIComponent(parsed.password), PGDATABASE: decodeURIComponent(parsed.pathname.slice(1)),
    PGAPPNAME: 'heroku-pg-backups', PGCONNECT_TIMEOUT: '10',
  }
}

/** Marks the add-on's transfers that no job of this platform runs (an earlier run's) as failed. */
export function reconcileTransfers(platform: PlatformContext, addonId: string): void {
  const jobs = jobsOf(platform)
  for (const row of listUnfinishedTransfers(platform.store, addonId)) {
    if (jobs.has(row.id)) continue
    finishTransfer(platform.store, row.id, {status: 'failed', error: 'interrupted: the platform stopped while it ran'})
    if (row.kind === 'backup') rmSync(`${backupFile(platform.dataDir, row.addon_id, row.id)}.partial`, {force: true})
  }
}

/** Whether a capture or restore of this add-on runs now. */
export function busyWith(platform: PlatformContext, addonId: string): PgTransferRow | undefined {
  reconcileTransfers(platform, addonId)
  return listUnfinishedTransfers(platform.store, addonId)[0]
}

function appLog(platform: PlatformContext, appId: string, message: string): void {
  platform.logs?.write({appId, source: 'heroku', dyno: 'pg-backups', message})
}

/** Starts a capture of the add-on; resolves with its row (pending) at once, the dump runs on. */
export function startCapture(platform: PlatformContext, addon: AddonRow): PgTransferRow {
  const row = platform.store.transaction(() => insertTransfer(platform.store, {appId: addon.app_id, addonId: addon.id, kind: 'backup'}))
  void runJob(platform, row, async () => {
    const dir = backupsDir(platform.dataDir, addon.id)
    const target = backupFile(platform.dataDir, addon.id, row.id)
    const partial = `${target}.partial`
    const result = await platform.dynos!.services.runOnce({
      key: `pg-backup-${row.id}`, label: 'pg_dump', uid: SERVICE_UIDS.postgres,
      file: clientBinary('pg_dump')!, args: ['--format=custom', '--no-password', `--file=${partial}`],
      env: libpqEnv(addon), writable: [dir], timeoutMs: TRANSFER_TIMEOUT_MS,
    })
    if (result.code !== 0) {
      await rm(partial, {force: true})
      return {error: failure('pg_dump', result)}
    }

    await chmod(partial, 0o600)
    await rename(partial, target)
    return {sizeBytes: (await stat(target)).size}
  })
  return row
}

/** Starts a restore of `backup` into `target`; resolves with its row (pending) at once. */
export function startRestore(platform: PlatformContext, target: AddonRow, backup: PgTransferRow): PgTransferRow {
  const row = platform.store.transaction(() => insertTransfer(platform.store, {appId: target.app_id, addonId: target.id, kind: 'restore', sourceId: backup.id}))
  void runJob(platform, row, async () => {
    const file = backupFile(platform.dataDir, backup.addon_id, backup.id)
    const env = libpqEnv(target)
    const result = await platform.dynos!.services.runOnce({
      key: `pg-restore-${row.id}`, label: 'pg_restore', uid: SERVICE_UIDS.postgres,
      file: clientBinary('pg_restore')!,
      // as Heroku restores: objects of the dump replaced, ownership and grants left to the role
      args: ['--clean', '--if-exists', '--no-owner', '--no-acl', '--no-password', '--exit-on-error', '--single-transaction', `--dbname=${env.PGDATABASE}`, file],
      env, writable: [backupsDir(platform.dataDir, backup.addon_id)], timeoutMs: TRANSFER_TIMEOUT_MS,
    })
    return result.code === 0 ? {sizeBytes: backup.size_bytes} : {error: failure('pg_restore', result)}
  })
  return row
}

function failure(program: string, result: {code: null | number, output: string[], signal: null | string}): string {
  const how = result.signal ? `signal ${result.signal}` : `status ${result.code}`
  const lines = result.output.filter(line => line.trim() !== '').slice(-5).join(' / ')
  return `${program} failed (${how})${lines ? `: ${lines}` : ''}`
}

async function runJob(platform: PlatformContext, row: PgTransferRow, work: () => Promise<{error?: string, sizeBytes?: null | number}>): Promise<void> {
  const jobs = jobsOf(platform)
  jobs.add(row.id)
  const name = transferName(row)
  try {
    platform.store.transaction(() => markTransferRunning(platform.store, row.id))
    appLog(platform, row.app_id, `${row.kind === 'backup' ? 'Backup' : 'Restore'} ${name} started`)
    let outcome: {error?: string, sizeBytes?: null | number}
    try {
      outcome = await work()
    } catch (error) {
      outcome = {error: (error as Error).message}
    }

    platform.store.transaction(() => finishTransfer(platform.store, row.id, outcome.error === undefined
      ? {status: 'succeeded', sizeBytes: outcome.sizeBytes}
      : {status: 'failed', error: outcome.error}))
    appLog(platform, row.app_id, `${row.kind === 'backup' ? 'Backup' : 'Restore'} ${name} ${outcome.error === undefined ? 'succeeded' : `failed: ${outcome.error}`}`)
    if (outcome.error !== undefined) platform.log(`[pg-backups] ${name} of app ${row.app_id} failed: ${outcome.error}`)
  } catch (error) {
    // the platform stopped under it (store closed): the next run marks it failed
    platform.log(`[pg-backups] ${name}: ${(error as Error).message}`)
  } finally {
    jobs.delete(row.id)
  }
}

/**
 * Removes every dump of an add-on (its rows go with the add-on's): for the add-on's destroy, so
 * that a destroyed database's data does not outlive it in its backups.
 */
export async function removeAddonBackups(dataDir: string, addonId: string): Promise<void> {
  await rm(backupsDir(dataDir, addonId), {recursive: true, force: true})
}

/** Removes a backup's file (its row goes with the caller's transaction). */
export async function removeBackupFile(platform: PlatformContext, backup: PgTransferRow): Promise<void> {
  await rm(backupFile(platform.dataDir, backup.addon_id, backup.id), {force: true})
}
