import type {Client, ClientConfig} from 'pg'

import {UserError} from '../errors.js'
import {isLocalHost} from './resolve.js'

/** The parts of a postgres:// URL, as libpq and the `pg` client take them. */
export interface PgParams {
  database: string
  host: string
  password: string
  port: number
  /** TLS for any server that is not on this machine (Heroku's require it) */
  ssl: boolean
  user: string
}

export function parsePgUrl(url: string): PgParams {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new UserError('The database URL in the app\'s config is not a valid URL.')
  }

  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new UserError(`The database URL has the scheme ${parsed.protocol}, not postgres:.`)
  const sslmode = parsed.searchParams.get('sslmode')
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1')
  return {
    host,
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
    ssl: sslmode === null ? !isLocalHost(host) : sslmode !== 'disable',
  }
}

/**
 * libpq's environment for the URL: the password travels in PGPASSWORD, never on a command line
 * (where `ps` shows it to every user of the machine).
 */
export function libpqEnv(params: PgParams, appName = 'heroku-toolbelt'): Record<string, string> {
  return {
    PGHOST: params.host,
    PGPORT: String(params.port),
    PGUSER: params.user,
    PGPASSWORD: params.password,
    PGDATABASE: params.database,
    PGSSLMODE: params.ssl ? 'require' : 'prefer',
    PGAPPNAME: appName,
    PGCONNECT_TIMEOUT: '10',
  }
}

/** The same environment with an inherited PG* (a user's own PGSERVICE, PGPASSFILE …) removed first. */
export function childEnv(base: NodeJS.ProcessEnv, params: PgParams, appName?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(base)) if (!k.startsWith('PG')) env[k] = v
  return {...env, ...libpqEnv(params, appName)}
}

export function clientConfig(params: PgParams): ClientConfig {
  return {
    host: params.host, port: params.port, user: params.user, password: params.password, database: params.database,
    // Heroku's servers present certificates no public CA vouches for (as `psql sslmode=require`)
    ssl: params.ssl ? {rejectUnauthorized: false} : false,
    connectionTimeoutMillis: 10_000,
    application_name: 'heroku-toolbelt',
  }
}

/** Runs `work` with a connected client (the `pg` module loaded on first use only). */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const params = parsePgUrl(url)
  const {default: pg} = await import('pg')
  const client = new pg.Client(clientConfig(params))
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (error) {
    throw new UserError(`Could not connect to the database at ${params.host}:${params.port}: ${(error as Error).message}`, {
      hint: 'Check that the add-on is provisioned (heroku pg:wait) and that the platform is running.',
      code: 'connection_failed',
      cause: error,
    })
  }

  try {
    return await work(client)
  } catch (error) {
    if (error instanceof UserError) throw error
    const pgError = error as {code?: string, message?: string}
    if (pgError.code) throw new UserError(`PostgreSQL: ${pgError.message}`, {code: 'postgres_error', cause: error})
    throw error
  } finally {
    await client.end().catch(() => {})
  }
}
