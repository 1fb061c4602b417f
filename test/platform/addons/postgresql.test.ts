// heroku-postgresql against an external PostgreSQL server. Needs an admin URL in
// HEROKU_PLATFORM_POSTGRES_URL (e.g. postgres://admin:pw@127.0.0.1:5432/postgres; scripts/test.sh
// starts a throw-away one); without one the suite is skipped. The platform's own cluster (no URL)
// is tested in postgresql-cluster.test.ts.
import {expect} from 'chai'
import pg from 'pg'

import {POSTGRES_ADMIN_URL_ENV, PostgresqlProvider} from '../../../src/platform/addons/postgresql.js'
import {expectError, expectSchema, startTestPlatform, type TestPlatform} from '../helpers.js'

const adminUrl = process.env[POSTGRES_ADMIN_URL_ENV]

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({connectionString: url, connectionTimeoutMillis: 5000})
  await client.connect()
  try {
    return (await client.query(sql)).rows
  } finally {
    await client.end()
  }
}

describe('add-on provider: heroku-postgresql on a real server', () => {
  let t: TestPlatform

  before(async function () {
    if (!adminUrl) {
      this.skip()
      return
    }

    t = await startTestPlatform({addonProviders: [new PostgresqlProvider(adminUrl)]})
    await t.client.post('/apps', {name: 'pg-app'})
  })

  after(async () => {
    await t?.close()
  })

  it('creates a database and role, usable through DATABASE_URL, and drops them on destroy', async () => {
    const created = await t.client.post('/apps/pg-app/addons', {plan: 'heroku-postgresql:essential-0'})
    expect(created.status, created.text).to.equal(201)
    expectSchema('add-on', 'POST', 'Create', created.body)
    const {DATABASE_URL: url} = (await t.client.get('/apps/pg-app/config-vars')).body as {DATABASE_URL: string}
    expect(url).to.match(/^postgres:\/\/addon_[0-9a-f]{16}:[0-9a-f]{48}@/)
    await query(url, 'CREATE TABLE notes (id serial PRIMARY KEY, body text)')
    await query(url, "INSERT INTO notes (body) VALUES ('hello')")
    expect(await query(url, 'SELECT body FROM notes')).to.deep.equal([{body: 'hello'}])
    const wrongPassword = new URL(url)
    wrongPassword.password = 'wrong'
    let refused = false
    await query(wrongPassword.toString(), 'SELECT 1').catch(() => {
      refused = true
    })
    expect(refused, 'the role needs its password').to.equal(true)

    const role = new URL(url).username
    expect(await query(adminUrl!, `SELECT rolconnlimit FROM pg_roles WHERE rolname = '${role}'`)).to.deep.equal([{rolconnlimit: 20}])
    const plan = await t.client.patch(`/apps/pg-app/addons/${created.body.name}`, {plan: 'heroku-postgresql:essential-1'})
    expect(plan.status).to.equal(200)
    expect(await query(adminUrl!, `SELECT rolconnlimit FROM pg_roles WHERE rolname = '${role}'`)).to.deep.equal([{rolconnlimit: 40}])
    expect(await query(url, 'SELECT count(*)::int AS n FROM notes')).to.deep.equal([{n: 1}])

    const database = new URL(url).pathname.slice(1)
    expect((await t.client.delete(`/apps/pg-app/addons/${created.body.name}`)).status).to.equal(200)
    expect(await query(adminUrl!, `SELECT datname FROM pg_database WHERE datname = '${database}'`)).to.deep.equal([])
    expect(await query(adminUrl!, `SELECT rolname FROM pg_roles WHERE rolname = '${database}'`)).to.deep.equal([])
    expect((await t.client.get('/apps/pg-app/config-vars')).body).to.deep.equal({})
  })

  it('reports an unreachable server as 422 with the reason, writing nothing', async () => {
    const unreachable = await startTestPlatform({addonProviders: [new PostgresqlProvider('postgres://admin:x@127.0.0.1:1/postgres')]})
    try {
      await unreachable.client.post('/apps', {name: 'pg-down'})
      const res = await unreachable.client.post('/apps/pg-down/addons', {plan: 'heroku-postgresql'})
      expectError(res, 422, 'invalid_params')
      expect(res.body.message).to.match(/Could not connect to PostgreSQL at 127\.0\.0\.1:1/)
      expect((await unreachable.client.get('/apps/pg-down/addons')).body).to.deep.equal([])
    } finally {
      await unreachable.close()
    }
  })
})
