import type {AddOn} from '@heroku-cli/schema'

import {setTimeout as realSleep} from 'node:timers/promises'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'
import type {Prompter} from '../ui/prompter.js'

import {findAddon} from '../addons/resolve.js'
import {ApiError} from '../api/api-error.js'
import {paths} from '../api/paths.js'
import {confirmDestructive} from '../apps/confirm.js'
import {UsageError, UserError} from '../errors.js'
import {humanBytes} from './info.js'

/** A backup or a restore, as the platform's backup routes answer (src/platform/api/pg-backups.ts). */
export interface PgTransfer {
  addon: {id: string, name: null | string}
  app: {id: string, name?: string}
  created_at: string
  error: null | string
  finished_at: null | string
  id: string
  kind: 'backup' | 'restore'
  /** b001, r001 */
  name: string
  num: number
  size_bytes: null | number
  source?: null | {id: string, name: string}
  started_at: null | string
  status: 'failed' | 'pending' | 'running' | 'succeeded'
}

export interface BackupsBase {
  api: ApiClient
  app: string
  /** between polls of a running transfer */
  intervalMs?: number
  out: Output
  sleep?: (ms: number) => Promise<void>
}

/** Heroku keeps backups in its Postgres API (postgres-api.heroku.com), which this toolbelt does not speak. */
export class BackupsUnsupportedError extends UserError {
  constructor(cause?: unknown) {
    super('pg:backups uses the Heroku Postgres API, which this toolbelt does not speak yet: this platform has no backup endpoints.', {
      hint: 'Against the local platform these commands work as they are; on Heroku, use the official Heroku CLI (heroku pg:backups) or the dashboard for now.',
      code: 'unsupported',
      cause,
    })
    this.name = 'BackupsUnsupportedError'
  }
}

/**
 * A 404 for the endpoint itself (not for a backup or an add-on it names): the platform has no such
 * routes. `collection`: a list or create under an add-on that was just found, where any 404 can
 * only mean that.
 */
function endpointMissing(error: unknown, collection: boolean): boolean {
  if (!(error instanceof ApiError)) return false
  if (error.status === 405) return true
  return error.status === 404 && (collection || /endpoint/i.test(error.message))
}

async function call<T>(work: () => Promise<T>, collection = false): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (endpointMissing(error, collection)) throw new BackupsUnsupportedError(error)
    throw error
  }
}

async function pgAddon(api: ApiClient, app: string, database = 'DATABASE'): Promise<AddOn> {
  const addon = await findAddon(api, database.replace(/_URL$/i, ''), app)
  if (addon.addon_service?.name !== 'heroku-postgresql') throw new UserError(`${addon.name} is a ${addon.addon_service?.name ?? 'different'} add-on, not heroku-postgresql.`)
  return addon
}

async function pgAddons(api: ApiClient, app: string): Promise<AddOn[]> {
  const all = await api.get<AddOn[]>(paths.app(app).addons())
  return all.filter(a => a.addon_service?.name === 'heroku-postgresql' && (a.app?.name === app || a.app?.id === app))
}

export interface BackupsList {
  backups: PgTransfer[]
  restores: PgTransfer[]
}

/** pg:backups: the backups and restores of every heroku-postgresql add-on of the app, newest first. */
export async function listBackups(opts: BackupsBase): Promise<BackupsList> {
  const addons = await pgAddons(opts.api, opts.app)
  const backups: PgTransfer[] = []
  const restores: PgTransfer[] = []
  for (const addon of addons) {
    backups.push(...await call(() => opts.api.list<PgTransfer>(paths.app(opts.app).addon(addon.id).backup()), true))

    restores.push(...await call(() => opts.api.list<PgTransfer>(paths.app(opts.app).addon(addon.id).restore()), true))
  }

  const newest = (a: PgTransfer, b: PgTransfer) => b.num - a.num
  backups.sort(newest)
  restores.sort(newest)
  opts.out.heading('Backups')
  if (backups.length === 0) opts.out.log(`No backups. Capture one with heroku pg:backups:capture -a ${opts.app}`)
  else {
    await opts.out.table(backups, [
      {header: 'ID', get: b => b.name},
      {header: 'Created at', get: b => b.created_at},
      {header: 'Status', get: statusText},
      {header: 'Size', get: b => (b.size_bytes === null ? '' : humanBytes(b.size_bytes))},
      {header: 'Database', get: b => b.addon.name},
    ])
  }

  opts.out.log()
  opts.out.heading('Restores')
  if (restores.length === 0) opts.out.log('No restores found.')
  else {
    await opts.out.table(restores, [
      {header: 'ID', get: r => r.name},
      {header: 'Started at', get: r => r.started_at ?? r.created_at},
      {header: 'Status', get: statusText},
      {header: 'From', get: r => r.source?.name ?? ''},
      {header: 'Database', get: r => r.addon.name},
    ])
  }

  return {backups, restores}
}

function statusText(t: PgTransfer): string {
  switch (t.status) {
    case 'succeeded': {
      return `Completed ${t.finished_at ?? ''}`.trim()
    }

    case 'failed': {
      return `Failed ${t.finished_at ?? ''}`.trim()
    }

    case 'running': {
      return 'Running'
    }

    default: {
      return 'Pending'
    }
  }
}

/** Polls a transfer until it has finished; a failed one is an error naming its reason. */
async function awaitTransfer(opts: BackupsBase, path: string, transfer: PgTransfer): Promise<PgTransfer> {
  const sleep = opts.sleep ?? realSleep
  let current = transfer
  while (current.status === 'pending' || current.status === 'running') {
    await sleep(opts.intervalMs ?? 1000)

    current = await opts.api.get<PgTransfer>(path)
  }

  return current
}

/** pg:backups:capture: a new backup of the database, waited for. */
export async function captureBackup(opts: BackupsBase & {database?: string, wait?: boolean}): Promise<PgTransfer> {
  const addon = await pgAddon(opts.api, opts.app, opts.database)
  const addonPaths = paths.app(opts.app).addon(addon.id)
  const started = await opts.out.spinner(`Starting backup of ${addon.name}`)
  let backup: PgTransfer
  try {
    backup = await call(() => opts.api.post<PgTransfer>(addonPaths.backup()), true)
    started.succeed()
  } catch (error) {
    started.fail()
    throw error
  }

  if (opts.wait === false) {
    opts.out.info(`Backup ${backup.name} runs on; see heroku pg:backups -a ${opts.app}`)
    return backup
  }

  const spinner = await opts.out.spinner(`Backing up ${opts.database?.replace(/_URL$/i, '') ?? 'DATABASE'} to ${backup.name}`)
  const done = await awaitTransfer(opts, addonPaths.backup(backup.id), backup)
  if (done.status !== 'succeeded') {
    spinner.fail()
    throw new UserError(`Backup ${done.name} failed: ${done.error ?? 'no reason given'}.`, {code: 'backup_failed'})
  }

  spinner.succeed(`done, ${humanBytes(done.size_bytes ?? 0)}`)
  return done
}

/** A backup of the app by name (b001) or id, or the newest completed one; with the add-on it belongs to. */
export async function findBackup(api: ApiClient, app: string, identity?: string): Promise<PgTransfer> {
  if (identity !== undefined && !/^(b\d+|[0-9a-f-]{36})$/i.test(identity)) {
    throw new UsageError(`${identity} is not a backup of ${app}: name one as pg:backups lists it (b001).`, {hint: 'Backups of other apps and URLs cannot be named here yet.'})
  }

  const backups: PgTransfer[] = []
  for (const addon of await pgAddons(api, app)) {
    backups.push(...await call(() => api.list<PgTransfer>(paths.app(app).addon(addon.id).backup()), true))
  }

  const found = identity === undefined
    ? backups.filter(b => b.status === 'succeeded').sort((a, b) => b.num - a.num)[0]
    : backups.find(b => (/^b\d+$/i.test(identity) ? b.num === Number(identity.slice(1)) : b.id === identity.toLowerCase()))
  if (found === undefined) {
    throw new UserError(identity === undefined ? `${app} has no completed backup.` : `${app} has no backup ${identity}.`, {hint: `List them with heroku pg:backups -a ${app}; capture one with heroku pg:backups:capture -a ${app}.`, code: 'not_found'})
  }

  return found
}

/** A download URL for the backup (valid for a few minutes). */
export async function backupUrl(opts: BackupsBase & {backup?: string}): Promise<{backup: string, expires_at: string, url: string}> {
  const backup = await findBackup(opts.api, opts.app, opts.backup)
  const link = await call(() => opts.api.post<{expires_at: string, url: string}>(paths.app(opts.app).addon(backup.addon.id).backupPublicUrl(backup.id)))
  return {backup: backup.name, ...link}
}

/** pg:backups:url: the URL on stdout (the only line there), the JSON with its expiry. */
export async function showBackupUrl(opts: BackupsBase & {backup?: string}): Promise<{backup: string, expires_at: string, url: string}> {
  const result = await backupUrl(opts)
  opts.out.log(result.url)
  return result
}

/** pg:backups:restore: a backup into the database (all of its data replaced by the backup's), waited for. */
export async function restoreBackup(opts: BackupsBase & {backup?: string, confirm?: string, database?: string, prompter: Prompter}): Promise<PgTransfer> {
  if (opts.backup !== undefined && /^https?:\/\//i.test(opts.backup)) throw new UsageError('Restoring from a URL is not supported yet: name a backup of the app (b001).')
  const target = await pgAddon(opts.api, opts.app, opts.database)
  const backup = opts.backup === undefined ? await findBackup(opts.api, opts.app) : await findBackup(opts.api, opts.app, opts.backup)
  const name = opts.database?.replace(/_URL$/i, '') ?? 'DATABASE'
  await confirmDestructive({action: `overwrite all data in ${target.name} (${name}) of ${opts.app} with backup ${backup.name}`, app: opts.app, confirm: opts.confirm, out: opts.out, prompter: opts.prompter})
  const targetPaths = paths.app(opts.app).addon(target.id)
  const started = await opts.out.spinner(`Starting restore of ${backup.name} to ${target.name}`)
  let restore: PgTransfer
  try {
    restore = await call(() => opts.api.post<PgTransfer>(targetPaths.backupRestore(backup.id)))
    started.succeed()
  } catch (error) {
    started.fail()
    throw error
  }

  const spinner = await opts.out.spinner(`Restoring ${backup.name} to ${name}`)
  const done = await awaitTransfer(opts, targetPaths.restore(restore.id), restore)
  if (done.status !== 'succeeded') {
    spinner.fail()
    throw new UserError(`Restore ${done.name} failed: ${done.error ?? 'no reason given'}.`, {hint: 'The database is as it was before: the restore runs in one transaction.', code: 'restore_failed'})
  }

  spinner.succeed()
  return done
}

/** pg:backups:delete BACKUP --confirm APP */
export async function deleteBackup(opts: BackupsBase & {backup: string, confirm?: string, prompter: Prompter}): Promise<PgTransfer> {
  const backup = await findBackup(opts.api, opts.app, opts.backup)
  await confirmDestructive({action: `delete backup ${backup.name} of ${opts.app}`, app: opts.app, confirm: opts.confirm, out: opts.out, prompter: opts.prompter})
  const spinner = await opts.out.spinner(`Deleting backup ${backup.name} on ${opts.app}`)
  try {
    const deleted = await call(() => opts.api.delete<PgTransfer>(paths.app(opts.app).addon(backup.addon.id).backup(backup.id)))
    spinner.succeed()
    return deleted
  } catch (error) {
    spinner.fail()
    throw error
  }
}
