import type {AddOn} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {withClient} from './connection.js'
import {resolveDatabase} from './resolve.js'

/** Heroku Postgres plans' storage limits (bytes) and table limits, by plan name after the colon. */
export const PLAN_LIMITS: Readonly<Record<string, {bytes: number, tables?: number}>> = {
  'essential-0': {bytes: 1024 ** 3, tables: 4000},
  'essential-1': {bytes: 10 * 1024 ** 3, tables: 4000},
  'essential-2': {bytes: 32 * 1024 ** 3, tables: 4000},
  mini: {bytes: 1024 ** 3, tables: 4000},
  basic: {bytes: 10 * 1024 ** 3, tables: 4000},
}

export interface PgInfoOptions {
  api: ApiClient
  app: string
  database?: string
  out: Output
}

export interface PgDatabaseStats {
  connectionLimit: null | number
  connections: number
  dataSizeBytes: number
  tables: number
  version: string
}

export interface PgInfo {
  addon: AddOn
  attachment: string
  config_var: string
  /** what the database itself says; null when it could not be reached */
  database: null | PgDatabaseStats
  /** why database is null */
  error?: string
  plan: string
  plan_limit_bytes: null | number
  status: string
}

const STATUS: Record<string, string> = {provisioned: 'Available', provisioning: 'Creating', deprovisioned: 'Deprovisioned'}

export async function databaseStats(url: string): Promise<PgDatabaseStats> {
  return withClient(url, async client => {
    const {rows} = await client.query<{connections: string, limit: number, size: string, tables: string, version: string}>(`
      SELECT current_setting('server_version') AS version,
        (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) AS connections,
        (SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user) AS limit,
        pg_database_size(current_database()) AS size,
        (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%') AS tables`)
    const row = rows[0]
    return {
      version: row.version.split(' ')[0],
      connections: Number(row.connections),
      connectionLimit: row.limit === -1 ? null : row.limit,
      dataSizeBytes: Number(row.size),
      tables: Number(row.tables),
    }
  })
}

export function humanBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }

  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`
}

/** pg:info: the add-on from the API, the figures from the database itself. */
export async function pgInfo(opts: PgInfoOptions): Promise<PgInfo> {
  const db = await resolveDatabase({api: opts.api, app: opts.app, database: opts.database, service: 'heroku-postgresql', defaultAttachment: 'DATABASE'})
  const {addon} = db
  const planName = addon.plan?.name ?? ''
  const limits = PLAN_LIMITS[planName.split(':')[1] ?? planName]
  let stats: null | PgDatabaseStats = null
  let error: string | undefined
  try {
    stats = await databaseStats(db.url)
  } catch (error_) {
    error = (error_ as Error).message
    opts.out.warn(error)
  }

  const info: PgInfo = {
    addon, attachment: db.attachment, config_var: db.configVar, plan: planName, status: STATUS[addon.state ?? ''] ?? addon.state ?? 'unknown',
    database: stats, plan_limit_bytes: limits?.bytes ?? null, ...(error === undefined ? {} : {error}),
  }
  render(opts.out, info, limits?.tables)
  return info
}

function render(out: Output, info: PgInfo, tableLimit?: number): void {
  const s = info.database
  const percent = s && info.plan_limit_bytes ? ` (${((s.dataSizeBytes / info.plan_limit_bytes) * 100).toFixed(2)}%)` : ''
  out.heading(info.config_var)
  out.keyValues([
    ['Plan', info.plan.split(':')[1] ?? info.plan],
    ['Status', s === null && info.status === 'Available' ? 'Unreachable' : info.status],
    ['Connections', s ? `${s.connections}/${s.connectionLimit ?? 'unlimited'}` : undefined],
    ['PG Version', s?.version],
    ['Created', info.addon.created_at],
    ['Data Size', s ? `${humanBytes(s.dataSizeBytes)}${info.plan_limit_bytes ? ` / ${humanBytes(info.plan_limit_bytes)}${percent}` : ''}` : undefined],
    ['Tables', s ? `${s.tables}${tableLimit ? `/${tableLimit}` : ''}` : undefined],
    ['Add-on', info.addon.name],
  ])
}
