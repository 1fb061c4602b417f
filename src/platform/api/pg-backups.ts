// heroku-postgresql backups: this platform's own routes (Heroku serves the same through its
// Postgres API, postgres-api.heroku.com /client/v11/apps/{app}/transfers, which the platform does
// not have). The work is in addons/pg-backups.ts; the dump downloads through a capability URL.
//   GET    /apps/{app}/addons/{addon}/backups                          the add-on's backups, newest first
//   POST   /apps/{app}/addons/{addon}/backups                          capture (202: it runs on)
//   GET    /apps/{app}/addons/{addon}/backups/{backup}                 one (id or b001)
//   DELETE /apps/{app}/addons/{addon}/backups/{backup}
//   POST   /apps/{app}/addons/{addon}/backups/{backup}/actions/public-url   {url, expires_at} (10 min)
//   POST   /apps/{app}/addons/{addon}/backups/{backup}/actions/restore      restore any backup of the app into {addon} (202)
//   GET    /apps/{app}/addons/{addon}/restores[/{restore}]             restores into the add-on
//   GET    /pg-backup-downloads/{id}?expires=…&signature=…             the dump (no Authorization: the URL is the capability)

import type {IncomingMessage, ServerResponse} from 'node:http'

import {createReadStream} from 'node:fs'
import {stat} from 'node:fs/promises'
import {pipeline} from 'node:stream/promises'

import type {ApiRoute, PlatformContext, RequestContext} from './context.js'

import {backupFile, busyWith, PG_SERVICE, reconcileTransfers, removeBackupFile, startCapture, startRestore, transfersUnavailableReason} from '../addons/pg-backups.js'
import {conflict, invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {type AddonRow, findAddonById, findAppAttachment, findVisibleAddon, listAddonAttachments} from '../store/addons.js'
import {type AppRow, findAppById} from '../store/apps.js'
import {deleteTransfer, findAppTransfer, findTransferById, findUnfinishedRestoreOf, listAddonTransfers, type PgTransferKind, type PgTransferRow, transferName} from '../store/pg-backups.js'
import {appRef, requireApp, requireParam} from './resolve.js'

const PUBLIC_URL_TTL_S = 10 * 60
export const DOWNLOAD_PREFIX = 'pg-backup-downloads'

/** The heroku-postgresql add-on {addon} names in {app}'s context (id, name or attachment name), billed to {app}. */
function requirePgAddon(ctx: RequestContext): {addon: AddonRow, app: AppRow} {
  const app = requireApp(ctx)
  const {store} = ctx.platform
  const identity = requireParam(ctx, 'addon')
  let addon = findVisibleAddon(store, ctx.account.id, identity)
  if (addon !== undefined && addon.app_id !== app.id && !listAddonAttachments(store, addon.id).some(t => t.app_id === app.id)) addon = undefined
  if (addon === undefined) {
    const attachment = findAppAttachment(store, app.id, identity.toUpperCase())
    if (attachment !== undefined) addon = findAddonById(store, attachment.addon_id)
  }

  if (addon === undefined) throw notFound("Couldn't find that add-on.", 'addon')
  if (addon.service !== PG_SERVICE) throw invalidParams(`${addon.name} is a ${addon.service} add-on: backups are for ${PG_SERVICE} databases.`)
  if (addon.app_id !== app.id) {
    throw invalidParams(`${addon.name} is billed to ${findAppById(store, addon.app_id)?.name ?? 'another app'}: manage its backups there.`)
  }

  return {app, addon}
}

function requireTransfer(ctx: RequestContext, app: AppRow, param: string, kind: PgTransferKind, addon?: AddonRow): PgTransferRow {
  const row = findAppTransfer(ctx.platform.store, app.id, requireParam(ctx, param))
  if (row === undefined || row.kind !== kind || (addon !== undefined && row.addon_id !== addon.id)) throw notFound(`Couldn't find that ${kind}.`, kind)
  return row
}

function serialize(platform: PlatformContext, row: PgTransferRow): object {
  const app = findAppById(platform.store, row.app_id)
  const addon = findAddonById(platform.store, row.addon_id)
  const source = row.source_id === null ? undefined : findTransferById(platform.store, row.source_id)
  return {
    id: row.id,
    name: transferName(row),
    num: row.num,
    kind: row.kind,
    app: app === undefined ? {id: row.app_id} : appRef(app),
    addon: {id: row.addon_id, name: addon?.name ?? null},
    status: row.status,
    size_bytes: row.size_bytes,
    error: row.error,
    ...(row.kind === 'restore' ? {source: source === undefined ? null : {id: source.id, name: transferName(source)}} : {}),
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    updated_at: row.updated_at,
  }
}

function requireTransfersAvailable(platform: PlatformContext): void {
  const reason = transfersUnavailableReason(platform)
  if (reason !== undefined) throw invalidParams(reason)
}

function requireIdle(platform: PlatformContext, addon: AddonRow): void {
  const busy = busyWith(platform, addon.id)
  if (busy !== undefined) throw conflict(`${addon.name} has a ${busy.kind} running (${transferName(busy)}): wait for it to finish.`)
}

function listOf(ctx: RequestContext, kind: PgTransferKind) {
  const {addon} = requirePgAddon(ctx)
  reconcileTransfers(ctx.platform, addon.id)
  return list(listAddonTransfers(ctx.platform.store, addon.id, kind).map(r => serialize(ctx.platform, r)), {fields: ['id', 'name']})
}

/** The download URL of a backup: signed with its expiry, the secret in the query (never in the platform's request log). */
export function backupDownloadUrl(platform: PlatformContext, backupId: string, expires: number): string {
  const signature = platform.signer.sign('pg-backup', `${backupId}.${expires}`)
  return `${platform.urls.api}/${DOWNLOAD_PREFIX}/${backupId}?expires=${expires}&signature=${signature}`
}

export const pgBackupRoutes: ApiRoute[] = [
  {method: 'GET', path: '/apps/{app}/addons/{addon}/backups', handler: ctx => listOf(ctx, 'backup')},
  {
    method: 'POST',
    path: '/apps/{app}/addons/{addon}/backups',
    handler(ctx) {
      const {addon} = requirePgAddon(ctx)
      requireTransfersAvailable(ctx.platform)
      if (addon.state !== 'provisioned') throw invalidParams(`${addon.name} is ${addon.state}: there is no database to back up yet.`)
      requireIdle(ctx.platform, addon)
      return json(serialize(ctx.platform, startCapture(ctx.platform, addon)), 202)
    },
  },
  {
    method: 'GET',
    path: '/apps/{app}/addons/{addon}/backups/{backup}',
    handler(ctx) {
      const {app, addon} = requirePgAddon(ctx)
      reconcileTransfers(ctx.platform, addon.id)
      return json(serialize(ctx.platform, requireTransfer(ctx, app, 'backup', 'backup', addon)))
    },
  },
  {
    method: 'DELETE',
    path: '/apps/{app}/addons/{addon}/backups/{backup}',
    async handler(ctx) {
      const {app, addon} = requirePgAddon(ctx)
      reconcileTransfers(ctx.platform, addon.id)
      const backup = requireTransfer(ctx, app, 'backup', 'backup', addon)
      if (backup.status === 'pending' || backup.status === 'running') throw conflict(`Backup ${transferName(backup)} is still running: delete it once it has finished.`)
      const restoring = findUnfinishedRestoreOf(ctx.platform.store, backup.id)
      if (restoring !== undefined) {
        reconcileTransfers(ctx.platform, restoring.addon_id)
        if (findUnfinishedRestoreOf(ctx.platform.store, backup.id) !== undefined) throw conflict(`Backup ${transferName(backup)} is being restored (${transferName(restoring)}): delete it once that has finished.`)
      }

      const body = serialize(ctx.platform, backup)
      ctx.platform.store.transaction(() => deleteTransfer(ctx.platform.store, backup.id))
      await removeBackupFile(ctx.platform, backup)
      return json(body)
    },
  },
  {
    method: 'POST',
    path: '/apps/{app}/addons/{addon}/backups/{backup}/actions/public-url',
    handler(ctx) {
      const {app, addon} = requirePgAddon(ctx)
      reconcileTransfers(ctx.platform, addon.id)
      const backup = requireTransfer(ctx, app, 'backup', 'backup', addon)
      if (backup.status !== 'succeeded') throw invalidParams(`Backup ${transferName(backup)} ${backup.status === 'failed' ? 'failed' : 'has not finished'}: there is nothing to download.`)
      const expires = Math.floor(Date.now() / 1000) + PUBLIC_URL_TTL_S
      return json({url: backupDownloadUrl(ctx.platform, backup.id, expires), expires_at: new Date(expires * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')})
    },
  },
  {
    method: 'POST',
    path: '/apps/{app}/addons/{addon}/backups/{backup}/actions/restore',
    handler(ctx) {
      const {app, addon} = requirePgAddon(ctx)
      requireTransfersAvailable(ctx.platform)
      const backup = requireTransfer(ctx, app, 'backup', 'backup')
      reconcileTransfers(ctx.platform, backup.addon_id)
      if (backup.status !== 'succeeded') throw invalidParams(`Backup ${transferName(backup)} ${backup.status === 'failed' ? 'failed' : 'has not finished'}: it cannot be restored.`)
      if (addon.state !== 'provisioned') throw invalidParams(`${addon.name} is ${addon.state}: there is no database to restore into.`)
      requireIdle(ctx.platform, addon)
      return json(serialize(ctx.platform, startRestore(ctx.platform, addon, backup)), 202)
    },
  },
  {method: 'GET', path: '/apps/{app}/addons/{addon}/restores', handler: ctx => listOf(ctx, 'restore')},
  {
    method: 'GET',
    path: '/apps/{app}/addons/{addon}/restores/{restore}',
    handler(ctx) {
      const {app, addon} = requirePgAddon(ctx)
      reconcileTransfers(ctx.platform, addon.id)
      return json(serialize(ctx.platform, requireTransfer(ctx, app, 'restore', 'restore', addon)))
    },
  },
]

const expired = () => notFound('This URL is unknown or has expired.')

/** GET /pg-backup-downloads/{id}?expires&signature: the dump, when the signature and expiry hold. */
export async function servePgBackupDownload(platform: PlatformContext, req: IncomingMessage, res: ServerResponse, rest: readonly string[]): Promise<boolean> {
  if (rest.length !== 1 || (req.method !== 'GET' && req.method !== 'HEAD')) return false
  const [id] = rest
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams
  const expires = Number(query.get('expires'))
  const signature = query.get('signature') ?? ''
  if (!Number.isInteger(expires) || expires * 1000 < Date.now() || !platform.signer.verify('pg-backup', `${id}.${expires}`, signature)) throw expired()
  const backup = findTransferById(platform.store, id)
  if (backup === undefined || backup.kind !== 'backup' || backup.status !== 'succeeded') throw expired()
  const file = backupFile(platform.dataDir, backup.addon_id, backup.id)
  const {size} = await stat(file).catch(() => {
    throw expired()
  })
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(size),
    'Content-Disposition': `attachment; filename="${transferName(backup)}.dump"`,
    'Cache-Control': 'no-store',
  })
  if (req.method === 'HEAD') res.end()
  else await pipeline(createReadStream(file), res)
  return true
}
