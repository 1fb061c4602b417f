import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {UsageError, UserError} from '../errors.js'
import {withClient} from './connection.js'
import {resolveDatabase} from './resolve.js'

export interface PgQuery {
  pid: number
  query: string
  running_for: null | string
  source: string
  state: null | string
  waiting: boolean
}

const resolve = (opts: {api: ApiClient, app: string, database?: string}) =>
  resolveDatabase({api: opts.api, app: opts.app, database: opts.database, service: 'heroku-postgresql', defaultAttachment: 'DATABASE'})

/** pg:ps: the database's other connections and what they run (this one left out). */
export async function pgPs(opts: {api: ApiClient, app: string, database?: string, out: Output, verbose?: boolean}): Promise<PgQuery[]> {
  const db = await resolve(opts)
  const rows = await withClient(db.url, async client => (await client.query<PgQuery>(`
    SELECT pid, state, coalesce(application_name, '') AS source,
      (now() - query_start)::text AS running_for, wait_event IS NOT NULL AS waiting, coalesce(query, '') AS query
    FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() ${opts.verbose ? '' : "AND state IS DISTINCT FROM 'idle'"}
    ORDER BY query_start DESC NULLS LAST`)).rows)
  if (rows.length === 0) opts.out.log(opts.verbose ? 'No other connections.' : 'No active queries (pass --verbose to see idle connections too).')
  else {
    await opts.out.table(rows, [
      {header: 'PID', get: r => r.pid},
      {header: 'State', get: r => r.state},
      {header: 'Source', get: r => r.source},
      {header: 'Running for', get: r => r.running_for?.replace(/\.\d+$/, '')},
      {header: 'Waiting', get: r => (r.waiting ? 'yes' : 'no')},
      {header: 'Query', get: r => r.query.replaceAll(/\s+/g, ' ').slice(0, 200)},
    ])
  }

  return rows
}

export interface PgKillResult {
  /** cancel: the running query stopped; terminate (--force): the connection closed */
  action: 'cancel' | 'terminate'
  ok: boolean
  pid: number
}

/** pg:kill PID [--force]: pg_cancel_backend, or pg_terminate_backend with --force. */
export async function pgKill(opts: {api: ApiClient, app: string, database?: string, force?: boolean, out: Output, pid: string}): Promise<PgKillResult> {
  if (!/^\d+$/.test(opts.pid)) throw new UsageError(`PID must be a number, not ${JSON.stringify(opts.pid)}.`, {hint: 'List them with heroku pg:ps.'})
  const pid = Number(opts.pid)
  const db = await resolve(opts)
  const action = opts.force ? 'terminate' : 'cancel'
  const ok = await withClient(db.url, async client => {
    const {rows} = await client.query<{ok: boolean | null}>(`SELECT pg_${action}_backend(pid) AS ok FROM pg_stat_activity WHERE pid = $1 AND datname = current_database()`, [pid])
    if (rows.length === 0) throw new UserError(`No connection with pid ${pid} on ${db.addon.name}.`, {hint: 'List them with heroku pg:ps --verbose.'})
    return rows[0].ok === true
  })
  if (!ok) throw new UserError(`PostgreSQL did not ${action} pid ${pid}.`)
  opts.out.info(`${opts.force ? 'Terminated' : 'Cancelled the query of'} pid ${pid}.`)
  return {pid, action, ok}
}
