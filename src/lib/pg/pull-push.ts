import {type ChildProcess, spawn} from 'node:child_process'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {UsageError, UserError} from '../errors.js'
import {childEnv, clientConfig, parsePgUrl, withClient} from './connection.js'
import {findOnPath, PSQL_MISSING_HINT} from './psql.js'
import {quoteIdent} from './reset.js'
import {resolveDatabase} from './resolve.js'

export interface PullPushOptions {
  api: ApiClient
  app: string
  env?: NodeJS.ProcessEnv
  out: Output
  source: string
  target: string
}

export interface PullPushResult {
  /** the local database made for the pull (false: it existed, empty) */
  created: boolean
  from: string
  to: string
}

/** A local database: a postgres:// URL, or a name on the server libpq's environment (PGHOST …) points at. */
interface LocalDatabase {
  config: import('pg').ClientConfig
  database: string
  /** what pg_dump / pg_restore run with */
  env: NodeJS.ProcessEnv
  label: string
}

function localDatabase(spec: string, env: NodeJS.ProcessEnv): LocalDatabase {
  if (/^postgres(ql)?:\/\//i.test(spec)) {
    const params = parsePgUrl(spec)
    return {label: `${params.database} on ${params.host}:${params.port}`, env: childEnv(env, params), config: clientConfig(params), database: params.database}
  }

  if (!/^[\w$-]{1,63}$/.test(spec)) throw new UsageError(`${spec} is neither a database name nor a postgres:// URL.`)
  // libpq's own defaults (PGHOST, PGUSER, PGPASSWORD, ~/.pgpass …) apply, as for createdb
  return {label: spec, env: {...env, PGDATABASE: spec}, config: {database: spec, connectionTimeoutMillis: 10_000}, database: spec}
}

async function tables(config: import('pg').ClientConfig): Promise<number> {
  const {default: pg} = await import('pg')
  const client = new pg.Client(config)
  client.on('error', () => {})
  await client.connect()
  try {
    const {rows} = await client.query<{n: string}>(TABLE_COUNT)
    return Number(rows[0].n)
  } finally {
    await client.end().catch(() => {})
  }
}

const TABLE_COUNT = `SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`

async function requireTools(env: NodeJS.ProcessEnv): Promise<{dump: string, restore: string}> {
  const dump = await findOnPath('pg_dump', env)
  const restore = await findOnPath('pg_restore', env)
  if (dump === undefined || restore === undefined) throw new UserError('pg_dump and pg_restore are not installed (pg:pull and pg:push run them).', {hint: PSQL_MISSING_HINT, code: 'pg_dump_missing'})
  return {dump, restore}
}

/** pg_dump -Fc of one side piped into pg_restore of the other, each with its own libpq environment. */
async function transfer(tools: {dump: string, restore: string}, from: NodeJS.ProcessEnv, to: NodeJS.ProcessEnv, toDatabase: string): Promise<void> {
  const dump = spawn(tools.dump, ['--format=custom', '--no-acl', '--no-owner', '--no-password'], {env: from, stdio: ['ignore', 'pipe', 'inherit']})
  const restore = spawn(tools.restore, ['--no-acl', '--no-owner', '--no-password', '--exit-on-error', `--dbname=${toDatabase}`], {env: to, stdio: ['pipe', 'inherit', 'inherit']})
  dump.stdout!.pipe(restore.stdin!)
  restore.stdin!.on('error', () => {})
  const [dumped, restored] = await Promise.all([exit(dump), exit(restore)])
  if (dumped !== 0) throw new UserError(`pg_dump failed (status ${dumped}): see its message above.`, {code: 'pg_dump_failed'})
  if (restored !== 0) throw new UserError(`pg_restore failed (status ${restored}): see its message above.`, {code: 'pg_restore_failed'})
}

function exit(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
  })
}

/** pg:pull SOURCE TARGET: the add-on's database into a new (or empty) local one. */
export async function pgPull(opts: PullPushOptions): Promise<PullPushResult> {
  const env = opts.env ?? process.env
  const tools = await requireTools(env)
  const db = await resolveDatabase({api: opts.api, app: opts.app, database: opts.source, service: 'heroku-postgresql', defaultAttachment: 'DATABASE'})
  const local = localDatabase(opts.target, env)
  let created = false
  const count = await tables(local.config).catch(async error => {
    if ((error as {code?: string}).code !== '3D000') throw new UserError(`Could not connect to the local database ${local.label}: ${(error as Error).message}`, {cause: error})
    // it does not exist: made as createdb would, through the server's maintenance database
    const {default: pg} = await import('pg')
    const admin = new pg.Client({...local.config, database: 'postgres'})
    admin.on('error', () => {})
    await admin.connect()
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(local.database)}`)
    } finally {
      await admin.end().catch(() => {})
    }

    created = true
    return 0
  })
  if (count > 0) throw new UserError(`The local database ${local.label} is not empty (${count} tables, views or sequences): nothing was pulled.`, {hint: 'Pull into a new database name, or drop that one first (dropdb).'})
  const spinner = await opts.out.spinner(`Pulling ${db.addon.name} (${db.attachment}) to ${local.label}`)
  try {
    await transfer(tools, childEnv(env, parsePgUrl(db.url)), local.env, local.database)
    spinner.succeed()
  } catch (error) {
    spinner.fail()
    throw error
  }

  return {from: db.addon.name, to: local.label, created}
}

/** pg:push SOURCE TARGET: a local database into the add-on's, which must be empty (heroku pg:reset). */
export async function pgPush(opts: PullPushOptions): Promise<PullPushResult> {
  const env = opts.env ?? process.env
  const tools = await requireTools(env)
  const local = localDatabase(opts.source, env)
  const db = await resolveDatabase({api: opts.api, app: opts.app, database: opts.target, service: 'heroku-postgresql', defaultAttachment: 'DATABASE'})
  const count = await withClient(db.url, async client => Number((await client.query<{n: string}>(TABLE_COUNT)).rows[0].n))
  if (count > 0) {
    throw new UserError(`Remote database ${db.addon.name} (${db.attachment}) is not empty (${count} tables, views or sequences): nothing was pushed.`, {hint: `Push into a new database, or empty this one with heroku pg:reset ${db.attachment} -a ${opts.app}.`})
  }

  await tables(local.config).catch(error => {
    throw new UserError(`Could not connect to the local database ${local.label}: ${(error as Error).message}`, {cause: error})
  })
  const target = parsePgUrl(db.url)
  const spinner = await opts.out.spinner(`Pushing ${local.label} to ${db.addon.name} (${db.attachment})`)
  try {
    await transfer(tools, local.env, childEnv(env, target), target.database)
    spinner.succeed()
  } catch (error) {
    spinner.fail()
    throw error
  }

  return {from: local.label, to: db.addon.name, created: false}
}
