// heroku-postgresql backed by a real PostgreSQL server: each add-on is its own database owned
// by its own login role. The server is given by an admin URL (HEROKU_PLATFORM_POSTGRES_URL);
// without one the service is listed but reports itself unavailable instead of pretending.
import {randomBytes} from 'node:crypto'

import {type AddonProvider, type Availability, type ProvisionContext, type ProvisionedAddon, ProviderError, type ProvisionResult} from './provider.js'

export const POSTGRES_ADMIN_URL_ENV = 'HEROKU_PLATFORM_POSTGRES_URL'

export class PostgresqlProvider implements AddonProvider {
  readonly service = {
    name: 'heroku-postgresql',
    humanName: 'Heroku Postgres',
    primaryAttachmentName: 'DATABASE',
    attachmentNamePrefix: 'HEROKU_POSTGRESQL',
    plans: [
      {name: 'essential-0', humanName: 'Essential 0', description: 'A database on the local PostgreSQL server (plan limits are not enforced locally)', default: true, priceCents: 0},
      {name: 'essential-1', humanName: 'Essential 1', description: 'A database on the local PostgreSQL server (plan limits are not enforced locally)', priceCents: 0},
      {name: 'essential-2', humanName: 'Essential 2', description: 'A database on the local PostgreSQL server (plan limits are not enforced locally)', priceCents: 0},
    ],
  } as const

  constructor(private readonly adminUrl: string | undefined = process.env[POSTGRES_ADMIN_URL_ENV]) {}

  availability(): Availability {
    if (this.adminUrl === undefined || this.adminUrl === '') {
      return {available: false, reason: `heroku-postgresql is unavailable on this platform: no PostgreSQL server is configured. Start the platform with ${POSTGRES_ADMIN_URL_ENV}=postgres://ADMIN:PASSWORD@HOST:PORT/postgres to enable it.`}
    }
    return {available: true}
  }

  async provision(ctx: ProvisionContext): Promise<ProvisionResult> {
    const admin = this.requireAdminUrl()
    // Names and password are generated hex, so they are safe inside SQL identifiers and literals
    // (CREATE ROLE/DATABASE accept no bind parameters).
    const handle = randomBytes(8).toString('hex')
    const name = `addon_${handle}`
    const password = randomBytes(24).toString('hex')
    await this.withAdmin(admin, async run => {
      await run(`CREATE ROLE "${name}" LOGIN PASSWORD '${password}'`)
      try {
        await run(`CREATE DATABASE "${name}" OWNER "${name}"`)
      } catch (error) {
        await run(`DROP ROLE IF EXISTS "${name}"`)
        throw error
      }
    })
    const url = new URL(admin)
    url.username = name
    url.password = password
    url.pathname = `/${name}`
    url.search = ''
    return {providerId: handle, configVars: {URL: url.toString()}, message: `Database ${name} created for ${ctx.appName}.`, webUrl: null}
  }

  async deprovision(addon: ProvisionedAddon): Promise<void> {
    const admin = this.requireAdminUrl()
    if (!/^[0-9a-f]{16}$/.test(addon.providerId)) throw new ProviderError(`Unexpected heroku-postgresql handle ${addon.providerId}`)
    const name = `addon_${addon.providerId}`
    await this.withAdmin(admin, async run => {
      await run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await run(`DROP ROLE IF EXISTS "${name}"`)
    })
  }

  async changePlan(): Promise<{configVars?: Record<string, string>, message?: string | null}> {
    // Every plan is the same database locally, so a plan change keeps the data and the URL.
    this.requireAdminUrl()
    return {message: 'Plan changed; the database and its URL are unchanged.'}
  }

  private requireAdminUrl(): string {
    const availability = this.availability()
    if (!availability.available) throw new ProviderError(availability.reason)
    return this.adminUrl!
  }

  private async withAdmin(adminUrl: string, work: (run: (sql: string) => Promise<unknown>) => Promise<void>): Promise<void> {
    const {default: pg} = await import('pg')
    const client = new pg.Client({connectionString: adminUrl, connectionTimeoutMillis: 5000})
    try {
      await client.connect()
    } catch (error) {
      const where = new URL(adminUrl)
      throw new ProviderError(`Could not connect to PostgreSQL at ${where.hostname}:${where.port || 5432}: ${(error as Error).message}`)
    }
    try {
      await work(sql => client.query(sql))
    } catch (error) {
      throw new ProviderError(`PostgreSQL refused the operation: ${(error as Error).message}`)
    } finally {
      await client.end().catch(() => {})
    }
  }
}
