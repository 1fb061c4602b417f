// heroku-postgresql backed by a real PostgreSQL server: each add-on is its own database owned by
// its own login role, with a connection limit per plan, that no other add-on's role may connect to.
// The server is the platform's own cluster (postgresql-cluster.ts: made under the provider's dir
// at the first provision, run by the platform's supervisor for servers), or — when the platform
// is started with an admin URL in HEROKU_PLATFORM_POSTGRES_URL — that external server.
import {createHash, createHmac, pbkdf2Sync, randomBytes} from 'node:crypto'
import {rm} from 'node:fs/promises'

import {backupsDirIn} from './pg-backups.js'
import {clusterUnavailableReason, PostgresCluster, type ServerLogLine} from './postgresql-cluster.js'
import {
  type AddonPlanDefinition, type AddonProvider, type Availability, ProviderError, type ProviderRuntime, type ProvisionContext,
  type ProvisionedAddon, type ProvisionResult,
} from './provider.js'

export const POSTGRES_ADMIN_URL_ENV = 'HEROKU_PLATFORM_POSTGRES_URL'

interface PlanLimits {
  /** the role's CONNECTION LIMIT (enforced by PostgreSQL) */
  connections: number
  /** Heroku's storage figure for the plan (PostgreSQL has no per-database quota: not enforced) */
  storage: string
}

export const POSTGRES_PLAN_LIMITS: Readonly<Record<string, PlanLimits>> = {
  'essential-0': {connections: 20, storage: '1 GB'},
  'essential-1': {connections: 40, storage: '10 GB'},
  'essential-2': {connections: 80, storage: '32 GB'},
}

const planDescription = (name: string): string => {
  const limits = POSTGRES_PLAN_LIMITS[name]
  return `A PostgreSQL database of its own: up to ${limits.connections} connections (enforced), ${limits.storage} of storage (the figure of Heroku's plan, not enforced locally)`
}

const PLANS: readonly AddonPlanDefinition[] = [
  {name: 'essential-0', humanName: 'Essential 0', description: planDescription('essential-0'), default: true, priceCents: 0},
  {name: 'essential-1', humanName: 'Essential 1', description: planDescription('essential-1'), priceCents: 0},
  {name: 'essential-2', humanName: 'Essential 2', description: planDescription('essential-2'), priceCents: 0},
]

/** The database and role of an add-on: derived from its id, so a second provision() finds the first one's. */
export function postgresHandle(addonId: string): string {
  return createHash('sha256').update(`heroku-postgresql\0${addonId}`).digest('hex').slice(0, 16)
}

const HANDLE = /^[0-9a-f]{16}$/
const nameOf = (handle: string): string => `addon_${handle}`

/**
 * A password as PostgreSQL's SCRAM-SHA-256 verifier (RFC 5802, the form pg_authid keeps): the role
 * gets it without the password itself ever reaching the server, its logs or its statistics.
 */
export function scramVerifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16)
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256')
  const clientKey = createHmac('sha256', salted).update('Client Key').digest()
  const storedKey = createHash('sha256').update(clientKey).digest()
  const serverKey = createHmac('sha256', salted).update('Server Key').digest()
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`
}

type Run = (sql: string, values?: unknown[]) => Promise<{rows: Record<string, unknown>[]}>

/** An add-on's database as its dashboard shows it (PostgresqlProvider.stats). */
export interface PostgresStats {
  connectionLimit: number
  connections: {applicationName: string, client: null | string, pid: number, since: string, state: null | string, user: string}[]
  databaseName: string
  databaseSize: number
  storageLimit: string
  tables: {bytes: number, exact: boolean, name: string, rows: number, schema: string}[]
  version: string
}

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`

export class PostgresqlProvider implements AddonProvider {
  readonly service = {
    name: 'heroku-postgresql',
    humanName: 'Heroku Postgres',
    primaryAttachmentName: 'DATABASE',
    attachmentNamePrefix: 'HEROKU_POSTGRESQL',
    plans: PLANS,
  } as const

  private readonly adminUrl: string | undefined
  private runtime?: ProviderRuntime
  private cluster?: PostgresCluster
  /** database name → add-on id, for routing the server's log lines */
  private readonly databases = new Map<string, string>()

  /**
   * `adminUrl`: an external server's admin URL (postgres://ADMIN:PASSWORD@HOST:PORT/postgres);
   * '' or null: the platform's own cluster. By default HEROKU_PLATFORM_POSTGRES_URL decides.
   */
  constructor(adminUrl: null | string = process.env[POSTGRES_ADMIN_URL_ENV] ?? null) {
    this.adminUrl = adminUrl === null || adminUrl === '' ? undefined : adminUrl
  }

  /** true: this provider runs its own cluster (no external server configured) */
  get ownCluster(): boolean {
    return this.adminUrl === undefined
  }

  async start(runtime: ProviderRuntime): Promise<void> {
    this.runtime = runtime
    if (!this.ownCluster) return
    const reason = clusterUnavailableReason(runtime.services, runtime.sandbox)
    if (reason !== undefined) {
      if (runtime.addons().length > 0) runtime.log(reason)
      return
    }

    const addons = runtime.addons()
    this.rememberDatabases(addons)
    if (addons.length === 0) return
    // the apps of the existing add-ons expect their databases: up now, not at the first provision
    try {
      await this.ownClusterOf(runtime).ensure()
    } catch (error) {
      runtime.log(`its PostgreSQL server did not start: ${(error as Error).message}`)
    }
  }

  availability(): Availability {
    if (!this.ownCluster) return {available: true}
    if (this.runtime === undefined) {
      return {available: false, reason: `heroku-postgresql is unavailable on this platform: its PostgreSQL server has not been started (the platform has not started the add-on providers). Start the platform with ${POSTGRES_ADMIN_URL_ENV}=postgres://ADMIN:PASSWORD@HOST:PORT/postgres to use a server of your own.`}
    }

    const reason = clusterUnavailableReason(this.runtime.services, this.runtime.sandbox)
    return reason === undefined ? {available: true} : {available: false, reason}
  }

  async provision(ctx: ProvisionContext): Promise<ProvisionResult> {
    const limits = this.limits(ctx.plan)
    const handle = postgresHandle(ctx.addonId)
    const name = nameOf(handle)
    this.databases.set(name, ctx.addonId)
    // a new password each time: a provision() repeated after a restart hands out the URL anew
    const password = randomBytes(24).toString('hex')
    const server = await this.withAdmin(async run => {
      const existing = await run('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])
      // names are generated hex and the verifier base64 with $ and :, so they are safe inside SQL
      // identifiers and literals (CREATE ROLE/DATABASE accept no bind parameters)
      const verb = existing.rows.length > 0 ? 'ALTER' : 'CREATE'
      await run(`${verb} ROLE "${name}" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION CONNECTION LIMIT ${limits.connections} PASSWORD '${scramVerifier(password)}'`)
      try {
        if ((await run('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rows.length === 0) {
          await run(`CREATE DATABASE "${name}" OWNER "${name}"`)
        }

        // the owner keeps its right to connect; every other role (other add-ons') loses it
        await run(`REVOKE CONNECT, TEMPORARY ON DATABASE "${name}" FROM PUBLIC`)
      } catch (error) {
        await run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {})
        await run(`DROP ROLE IF EXISTS "${name}"`).catch(() => {})
        throw error
      }

      const version = await run('SHOW server_version')
      return {version: String(version.rows[0]?.server_version ?? '').split(' ')[0]}
    })
    const url = this.baseUrl()
    url.username = name
    url.password = password
    url.pathname = `/${name}`
    url.search = ''
    const where = this.ownCluster ? `the platform's own PostgreSQL ${server.version} server` : `PostgreSQL ${server.version} at ${url.hostname}:${url.port || 5432}`
    return {
      providerId: handle, configVars: {URL: url.toString()}, webUrl: null,
      message: `Database ${name} created on ${where} for ${ctx.appName}: up to ${limits.connections} connections, ${limits.storage} of storage (not enforced locally).`,
    }
  }

  async deprovision(addon: ProvisionedAddon): Promise<void> {
    if (!HANDLE.test(addon.providerId)) throw new ProviderError(`Unexpected heroku-postgresql handle ${addon.providerId}`)
    const name = nameOf(addon.providerId)
    await this.withAdmin(async run => {
      await run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await run(`DROP ROLE IF EXISTS "${name}"`)
    })
    this.databases.delete(name)
    // its backups (pg:backups) go with it
    if (this.runtime) await rm(backupsDirIn(this.runtime.dir, addon.addonId), {recursive: true, force: true})
  }

  async changePlan(addon: ProvisionedAddon, toPlan: string): Promise<{configVars?: Record<string, string>, message?: null | string}> {
    const limits = this.limits(toPlan)
    if (!HANDLE.test(addon.providerId)) throw new ProviderError(`Unexpected heroku-postgresql handle ${addon.providerId}`)
    const name = nameOf(addon.providerId)
    await this.withAdmin(async run => {
      await run(`ALTER ROLE "${name}" CONNECTION LIMIT ${limits.connections}`)
    })
    return {message: `Plan changed to ${toPlan.replace(/^heroku-postgresql:/, '')}: up to ${limits.connections} connections, ${limits.storage} of storage (not enforced locally); the database and its URL are unchanged.`}
  }

  /**
   * What the add-on's dashboard shows, read live as the admin in the add-on's database (read-only
   * session, 5 s statement timeout): server version, database size, tables with row counts (exact
   * below 64 MB, else the planner's estimate) and sizes, and the connections to it.
   */
  async stats(addon: Pick<ProvisionedAddon, 'addonId' | 'plan' | 'providerId'>): Promise<PostgresStats> {
    if (!HANDLE.test(addon.providerId)) throw new ProviderError(`Unexpected heroku-postgresql handle ${addon.providerId}`)
    const name = nameOf(addon.providerId)
    return this.withAdmin(async run => {
      await run("SET statement_timeout = '5s'")
      await run('SET default_transaction_read_only = on')
      const version = String((await run('SHOW server_version')).rows[0]?.server_version ?? '').split(' ')[0]
      const size = Number((await run('SELECT pg_database_size(current_database()) AS size')).rows[0]?.size ?? 0)
      const tables = (await run(`
        SELECT n.nspname AS schema, c.relname AS name, c.reltuples::bigint AS estimate, pg_total_relation_size(c.oid) AS bytes
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        ORDER BY pg_total_relation_size(c.oid) DESC, n.nspname, c.relname LIMIT 200`)).rows
      const result: PostgresStats['tables'] = []
      for (const table of tables) {
        const bytes = Number(table.bytes)
        let rows = Math.max(0, Number(table.estimate))
        let exact = false
        if (bytes < 64 * 1024 * 1024 && result.filter(t => t.exact).length < 50) {
          // names come from the catalog, quoted as identifiers (a table name is the user's input)

          const counted = await run(`SELECT count(*) AS n FROM ${quoteIdent(String(table.schema))}.${quoteIdent(String(table.name))}`).catch(() => undefined)
          if (counted !== undefined) {
            rows = Number(counted.rows[0]?.n ?? 0)
            exact = true
          }
        }

        result.push({schema: String(table.schema), name: String(table.name), rows, exact, bytes})
      }

      const connections = (await run(`
        SELECT pid, usename AS user, application_name, client_addr::text AS client, state, backend_start
        FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY backend_start`)).rows
      return {
        version,
        databaseName: name,
        databaseSize: size,
        connectionLimit: this.limits(addon.plan).connections,
        storageLimit: this.limits(addon.plan).storage,
        tables: result,
        connections: connections.map(c => ({
          pid: Number(c.pid), user: String(c.user ?? ''), applicationName: String(c.application_name ?? ''), client: c.client === null ? null : String(c.client),
          state: c.state === null ? null : String(c.state), since: c.backend_start instanceof Date ? c.backend_start.toISOString() : String(c.backend_start ?? ''),
        })),
      }
    }, name)
  }

  /** a plan's limits, by its name ("essential-0") or the catalog's ("heroku-postgresql:essential-0") */
  /** the cluster, made at the first need (the server may have been installed since the platform started) */
  private ownClusterOf(runtime: ProviderRuntime): PostgresCluster {
    this.cluster ??= new PostgresCluster({dir: runtime.dir, services: runtime.services!, log: line => runtime.log(line), onLine: line => this.serverLine(line)})
    return this.cluster
  }

  private limits(plan: string): PlanLimits {
    const limits = POSTGRES_PLAN_LIMITS[plan.startsWith(`${this.service.name}:`) ? plan.slice(this.service.name.length + 1) : plan]
    if (limits === undefined) throw new ProviderError(`heroku-postgresql has no plan ${plan}: ${Object.keys(POSTGRES_PLAN_LIMITS).join(', ')}`)
    return limits
  }

  /** where add-on URLs point: the external server's host and port, or the own cluster's */
  private baseUrl(): URL {
    if (this.adminUrl !== undefined) return new URL(this.adminUrl)
    return new URL(`postgres://127.0.0.1:${this.cluster!.port}/`)
  }

  private requireAvailable(): void {
    const availability = this.availability()
    if (!availability.available) throw new ProviderError(availability.reason)
  }

  /** `database`: connect to that database instead of the admin's own (the dashboards read an add-on's) */
  private async withAdmin<T>(work: (run: Run) => Promise<T>, database?: string): Promise<T> {
    this.requireAvailable()
    const {default: pg} = await import('pg')
    let config: import('pg').ClientConfig
    let where: string
    if (this.adminUrl === undefined) {
      try {
        config = await this.ownClusterOf(this.runtime!).ensure()
      } catch (error) {
        throw new ProviderError(`heroku-postgresql's PostgreSQL server did not start: ${(error as Error).message}`)
      }

      if (database !== undefined) config = {...config, database}
      where = `127.0.0.1:${this.cluster!.port}`
    } else {
      const url = new URL(this.adminUrl)
      if (database !== undefined) url.pathname = `/${database}`
      config = {connectionString: url.toString()}
      where = `${url.hostname}:${url.port || 5432}`
    }

    const client = new pg.Client({...config, connectionTimeoutMillis: 5000})
    client.on('error', () => {})
    try {
      await client.connect()
    } catch (error) {
      throw new ProviderError(`Could not connect to PostgreSQL at ${where}: ${(error as Error).message}`)
    }

    try {
      // a failing statement is never logged with its text (it may hold a role's verifier)
      await client.query("SET log_min_error_statement = 'panic'").catch(() => {})
      return await work((sql, values) => client.query(sql, values))
    } catch (error) {
      throw new ProviderError(`PostgreSQL refused the operation: ${(error as Error).message}`)
    } finally {
      await client.end().catch(() => {})
    }
  }

  private rememberDatabases(addons: readonly ProvisionedAddon[]): void {
    for (const addon of addons) this.databases.set(nameOf(HANDLE.test(addon.providerId) ? addon.providerId : postgresHandle(addon.addonId)), addon.addonId)
  }

  /**
   * A line of the server's log. An add-on's database → the log streams of that add-on's apps; the
   * server itself → the platform's log; any other database (the platform's own statements in
   * `postgres`, a name no add-on has) → nowhere.
   */
  private serverLine({database, message}: ServerLogLine): void {
    const {runtime} = this
    if (runtime === undefined) return
    if (database === '') {
      runtime.log(`postgres: ${message.trim()}`)
      return
    }

    if (!/^addon_[0-9a-f]{16}$/.test(database)) return
    let addonId = this.databases.get(database)
    if (addonId === undefined) {
      this.rememberDatabases(runtime.addons())
      addonId = this.databases.get(database)
    }

    if (addonId !== undefined) runtime.addonLog(addonId, 'postgres', message)
  }
}
