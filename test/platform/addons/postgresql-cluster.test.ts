// heroku-postgresql on the PostgreSQL cluster the platform runs itself (no external server): a
// real platform with dynos on, add-ons made through the API, apps' URLs used with a real client;
// restarts and a kill -9 of the platform keep the data, leave one postmaster and no orphans.

import type {ChildProcess} from 'node:child_process'

import {expect} from 'chai'
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import pg from 'pg'

import {CLUSTER_PORT_RANGE} from '../../../src/platform/addons/postgresql-cluster.js'
import {PostgresqlProvider} from '../../../src/platform/addons/postgresql.js'
import {createUser} from '../../../src/platform/bootstrap.js'
import {markedProcesses, PLATFORM_MARKER_VAR, platformMarker} from '../../../src/platform/dynos/processes.js'
import {SERVICE_UIDS} from '../../../src/platform/dynos/service-processes.js'
import {detectSandbox} from '../../../src/platform/sandbox/sandbox.js'
import {openStore} from '../../../src/platform/store/database.js'
import {type RuntimePlatform, startRuntimePlatform, waitFor} from '../fixtures/runtime/helpers.js'
import {startPlatformProcess, stopPlatformProcess} from '../fixtures/runtime/platform-process.js'
import {ApiClient, startTestPlatform} from '../helpers.js'

const postgresDir = (dataDir: string): string => join(dataDir, 'addons', 'heroku-postgresql')

async function query(url: pg.ClientConfig | string, sql: string, values?: unknown[]): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({...(typeof url === 'string' ? {connectionString: url} : url), connectionTimeoutMillis: 5000})
  client.on('error', () => {})
  await client.connect()
  try {
    return (await client.query(sql, values)).rows
  } finally {
    await client.end()
  }
}

/** the error code PostgreSQL answers a connection with (28P01 bad password, 42501 no CONNECT right, 53300 too many) */
async function refusal(url: string): Promise<string | undefined> {
  try {
    await query(url, 'SELECT 1')
    return undefined
  } catch (error) {
    return (error as {code?: string}).code ?? (error as Error).message
  }
}

/** the platform's superuser connection, from the files the cluster keeps */
function superuser(dataDir: string): pg.ClientConfig {
  const dir = postgresDir(dataDir)
  const {port} = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as {port: number}
  return {host: '127.0.0.1', port, user: 'postgres', password: readFileSync(join(dir, 'superuser-password'), 'utf8').trim(), database: 'postgres'}
}

/** postmasters of this data dir's platform, counted by the OS: postgres processes whose parent is not postgres */
function postmasters(dataDir: string): number[] {
  const comm = (pid: number): string | undefined => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'latin1').trim()
    } catch {
      return undefined
    }
  }

  const ppid = (pid: number): number => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  }

  return markedProcesses(PLATFORM_MARKER_VAR, platformMarker(dataDir)).filter(pid => {
    try {
      return comm(pid) === 'postgres' && comm(ppid(pid)) !== 'postgres'
    } catch {
      return false
    }
  })
}

function uidOf(pid: number): number {
  return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))![1])
}

async function configVars(client: ApiClient, app: string): Promise<Record<string, string>> {
  return (await client.get(`/apps/${app}/config-vars`)).body as Record<string, string>
}

/** Makes the add-on and waits until its URL is in the app's config (provisioning may answer 202). */
async function createPostgres(client: ApiClient, app: string, plan = 'heroku-postgresql'): Promise<{id: string, name: string}> {
  const before = await configVars(client, app)
  const created = await client.post(`/apps/${app}/addons`, {plan})
  expect([201, 202], created.text).to.include(created.status)
  await waitFor(`${created.body.name} provisioned`, async () => {
    const addon = await client.get(`/addons/${created.body.id}`)
    return addon.body.state === 'provisioned' && Object.keys(await configVars(client, app)).length > Object.keys(before).length
  }, 60_000, 100)
  return {id: created.body.id, name: created.body.name}
}

const URL_SHAPE = /^postgres:\/\/(addon_[0-9a-f]{16}):[0-9a-f]{48}@127\.0\.0\.1:(\d+)\/(addon_[0-9a-f]{16})$/

describe('heroku-postgresql on the platform\'s own PostgreSQL cluster', function () {
  this.timeout(90_000)
  let t: RuntimePlatform
  let dataDir: string
  let first: {id: string, name: string}
  let firstUrl: string
  let second: {id: string, name: string}
  let provider: PostgresqlProvider

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pg-cluster-'))
    provider = new PostgresqlProvider(null)
    t = await startRuntimePlatform({dataDir, addonProviders: [provider]})
    await t.client.post('/apps', {name: 'pg-own'})
    await t.client.post('/apps', {name: 'pg-other'})
  })

  after(async () => {
    await t?.close()
    rmSync(dataDir, {recursive: true, force: true})
  })

  it('starts no server before the first add-on, then gives it a database of its own behind DATABASE_URL', async () => {
    expect(postmasters(dataDir)).to.deep.equal([])
    first = await createPostgres(t.client, 'pg-own')
    firstUrl = (await configVars(t.client, 'pg-own')).DATABASE_URL
    const [, role, port, database] = URL_SHAPE.exec(firstUrl) ?? []
    expect(role, firstUrl.replace(/:[^:@]+@/, ':***@')).to.be.a('string')
    expect(database).to.equal(role)
    expect(Number(port)).to.be.within(CLUSTER_PORT_RANGE[0], CLUSTER_PORT_RANGE[1])
    await query(firstUrl, 'CREATE TABLE notes (id serial PRIMARY KEY, body text)')
    await query(firstUrl, "INSERT INTO notes (body) VALUES ('kept')")
    expect(await query(firstUrl, 'SELECT body FROM notes')).to.deep.equal([{body: 'kept'}])

    const addon = await t.client.get(`/addons/${first.id}`)
    expect(addon.body.plan.name).to.equal('heroku-postgresql:essential-0')
    // one postmaster, as the server's own uid where the platform (root) switches users
    const [postmaster, ...others] = postmasters(dataDir)
    expect(others).to.deep.equal([])
    const sandbox = await detectSandbox()
    if (sandbox.separateUsers) expect(uidOf(postmaster)).to.equal(SERVICE_UIDS.postgres)
    // the superuser's password: the platform's alone
    expect(statSync(join(postgresDir(dataDir), 'superuser-password')).mode & 0o777).to.equal(0o600)
    // no password in the platform's log
    const {password} = new URL(firstUrl)
    expect(t.serverLog.join('\n')).not.to.include(password)
    expect(t.serverLog.join('\n')).not.to.include(superuser(dataDir).password as string)
  })

  it('refuses a wrong password; the server\'s lines about the database reach the app\'s log as heroku[postgres], forged ones do not', async () => {
    const wrong = new URL(firstUrl)
    wrong.password = 'wrong'
    expect(await refusal(wrong.toString())).to.equal('28P01')
    // a statement over two lines that fails: its error and both lines of the statement
    const failed = await query(firstUrl, 'SELECT\n  1/0 AS boom').catch((error: Error) => error.message)
    expect(failed).to.equal('division by zero')
    // a client picks the database name it asks for: one made to look like a line of this database
    const forged = new URL(firstUrl)
    forged.password = 'wrong'
    forged.pathname = `/${encodeURIComponent(`${new URL(firstUrl).pathname.slice(1)}] FATAL:  forged line`)}`
    expect(await refusal(forged.toString())).to.equal('28P01')
    const appLog = async (): Promise<string> => {
      const session = await t.client.post('/apps/pg-own/log-sessions', {tail: false, lines: 1500})
      return (await fetch(session.body.logplex_url)).text()
    }

    const text = await waitFor('the lines in the app log', async () => {
      const body = await appLog()
      return body.includes('division by zero') && body.includes('1/0 AS boom') ? body : undefined
    }, 10_000, 200).catch(appLog)
    expect(text).to.match(/heroku\[postgres\]: FATAL: {2}password authentication failed for user "addon_[0-9a-f]{16}"/)
    expect(text).to.match(/heroku\[postgres\]: ERROR: {2}division by zero/)
    expect(text).to.match(/heroku\[postgres\]: STATEMENT: {2}SELECT\n.*heroku\[postgres\]: \t {2}1\/0 AS boom/s)
    expect(text).not.to.include('forged line')
    // the server's own lines went to the platform's log
    expect(t.serverLog.join('\n')).to.match(/postgres: LOG: {2}database system is ready to accept connections/)
  })

  it('a second add-on is HEROKU_POSTGRESQL_<COLOR>: its own database, which the first one\'s role cannot enter, nor it the first\'s', async () => {
    second = await createPostgres(t.client, 'pg-own')
    const vars = await configVars(t.client, 'pg-own')
    const colored = Object.keys(vars).filter(k => /^HEROKU_POSTGRESQL_[A-Z]+_URL$/.test(k))
    expect(colored, JSON.stringify(Object.keys(vars))).to.have.length(1)
    expect(vars.DATABASE_URL).to.equal(firstUrl)
    const secondUrl = vars[colored[0]]
    expect(secondUrl).to.match(URL_SHAPE)
    expect(new URL(secondUrl).pathname).not.to.equal(new URL(firstUrl).pathname)
    expect(await query(secondUrl, 'SELECT current_database() AS db')).to.deep.equal([{db: new URL(secondUrl).pathname.slice(1)}])

    const crossed = new URL(secondUrl)
    crossed.pathname = new URL(firstUrl).pathname
    expect(await refusal(crossed.toString())).to.equal('42501')
    const back = new URL(firstUrl)
    back.pathname = new URL(secondUrl).pathname
    expect(await refusal(back.toString())).to.equal('42501')
    // nor the platform's own databases
    for (const db of ['postgres', 'template1']) {
      const maintenance = new URL(secondUrl)
      maintenance.pathname = `/${db}`
      expect(await refusal(maintenance.toString()), db).to.equal('42501')
    }
  })

  it('enforces the plan\'s connection limit (essential-0: 20) and a plan change raises it, the data kept', async () => {
    const url = (await configVars(t.client, 'pg-own')).DATABASE_URL
    const plans = (await t.client.get('/addon-services/heroku-postgresql/plans')).body as {description: string, name: string}[]
    expect(plans.find(p => p.name === 'heroku-postgresql:essential-0')?.description).to.match(/up to 20 connections.*1 GB/)
    const open: pg.Client[] = []
    try {
      for (let i = 0; i < 20; i++) {
        const client = new pg.Client({connectionString: url})
        client.on('error', () => {})

        await client.connect()
        open.push(client)
      }

      expect(await refusal(url)).to.equal('53300')
      const changed = await t.client.patch(`/apps/pg-own/addons/${first.name}`, {plan: 'heroku-postgresql:essential-1'})
      expect(changed.status, changed.text).to.equal(200)
      expect(await refusal(url)).to.equal(undefined)
      expect((await configVars(t.client, 'pg-own')).DATABASE_URL).to.equal(url)
      expect(await query(superuser(dataDir), 'SELECT rolconnlimit FROM pg_roles WHERE rolname = $1', [new URL(url).username])).to.deep.equal([{rolconnlimit: 40}])
    } finally {
      await Promise.all(open.map(c => c.end().catch(() => {})))
    }
  })

  it('attached to another app it is that app\'s DATABASE_URL, the same database', async () => {
    const attached = await t.client.post('/addon-attachments', {addon: first.id, app: 'pg-other'})
    expect(attached.status, attached.text).to.equal(201)
    const vars = await configVars(t.client, 'pg-other')
    expect(vars.DATABASE_URL).to.equal(firstUrl)
    expect(await query(vars.DATABASE_URL, 'SELECT body FROM notes')).to.deep.equal([{body: 'kept'}])
  })

  it('destroying an add-on drops its database and role (and a second destroy finds nothing to do)', async () => {
    const vars = await configVars(t.client, 'pg-own')
    const url = Object.entries(vars).find(([k]) => k.startsWith('HEROKU_POSTGRESQL_'))![1]
    const name = new URL(url).username
    expect(await query(superuser(dataDir), 'SELECT datname FROM pg_database WHERE datname = $1', [name])).to.have.length(1)
    const destroyed = await t.client.delete(`/apps/pg-own/addons/${second.name}`)
    expect(destroyed.status, destroyed.text).to.equal(200)
    expect(await query(superuser(dataDir), 'SELECT datname FROM pg_database WHERE datname = $1', [name])).to.deep.equal([])
    expect(await query(superuser(dataDir), 'SELECT rolname FROM pg_roles WHERE rolname = $1', [name])).to.deep.equal([])
    expect(Object.keys(await configVars(t.client, 'pg-own')).filter(k => k.startsWith('HEROKU_POSTGRESQL_'))).to.deep.equal([])
    expect(await refusal(url)).to.equal('28P01')
    // what is gone already is no failure (a destroy repeated after a crash)
    await provider.deprovision({addonId: second.id, addonName: second.name, providerId: name.slice('addon_'.length), plan: 'essential-0', configVars: {}, plainConfigVars: {}, state: 'provisioned'})
  })

  it('provision() again for the same add-on (a restart while provisioning) reuses its database, with a new password', async () => {
    const ctx = {addonId: 'b0d1e5c4-0000-4000-8000-000000000001', addonName: 'postgresql-again', appName: 'pg-own', plan: 'heroku-postgresql:essential-0', options: {}}
    const once = await provider.provision(ctx)
    await query(once.configVars.URL, 'CREATE TABLE survives (x int)')
    const twice = await provider.provision(ctx)
    expect(twice.providerId).to.equal(once.providerId)
    expect(new URL(twice.configVars.URL).pathname).to.equal(new URL(once.configVars.URL).pathname)
    expect(await query(twice.configVars.URL, "SELECT to_regclass('survives')::text AS t")).to.deep.equal([{t: 'survives'}])
    expect(await refusal(once.configVars.URL), 'the old password no longer works').to.equal('28P01')
    expect(twice.message).to.match(/up to 20 connections, 1 GB/)
    await provider.deprovision({addonId: ctx.addonId, addonName: ctx.addonName, providerId: twice.providerId, plan: 'essential-0', configVars: {}, plainConfigVars: {}, state: 'provisioned'})
    expect(await refusal(twice.configVars.URL)).to.equal('28P01')
  })

  it('restarts the server when it dies (kill -9 of the postmaster), the data kept', async () => {
    const [before] = postmasters(dataDir)
    process.kill(before, 'SIGKILL')
    const rows = await waitFor('the database back', async () => query(firstUrl, 'SELECT body FROM notes'), 20_000, 100)
    expect(rows).to.deep.equal([{body: 'kept'}])
    const after = postmasters(dataDir)
    expect(after).to.have.length(1)
    expect(after[0]).not.to.equal(before)
  })

  it('keeps the data and the URL across a platform restart on the same data dir, with one postmaster', async () => {
    const before = postmasters(dataDir)
    expect(before).to.have.length(1)
    await t.close({keepData: true})
    expect(postmasters(dataDir), 'the server stops with the platform').to.deep.equal([])
    t = await startRuntimePlatform({dataDir, addonProviders: [new PostgresqlProvider(null)]})
    // started with the platform (its add-ons exist), not at the next provision
    const after = postmasters(dataDir)
    expect(after).to.have.length(1)
    expect(after).not.to.include(before[0])
    expect(await query(firstUrl, 'SELECT body FROM notes')).to.deep.equal([{body: 'kept'}])
  })
})

describe('heroku-postgresql\'s own cluster where it cannot run', function () {
  this.timeout(30_000)

  it('as root without the sandbox (PostgreSQL refuses root): unavailable, saying why and what to do, writing nothing', async function () {
    if (process.getuid?.() !== 0) this.skip()
    const t = await startRuntimePlatform({sandbox: 'off', addonProviders: [new PostgresqlProvider(null)]})
    try {
      await t.client.post('/apps', {name: 'pg-root'})
      const res = await t.client.post('/apps/pg-root/addons', {plan: 'heroku-postgresql'})
      expect(res.status, res.text).to.equal(422)
      expect(res.body.message).to.match(/PostgreSQL refuses to run as root/).and.to.include('bubblewrap').and.to.include('HEROKU_PLATFORM_POSTGRES_URL')
      expect((await t.client.get('/apps/pg-root/addons')).body).to.deep.equal([])
      expect(postmasters(t.dataDir)).to.deep.equal([])
    } finally {
      await t.close()
    }
  })

  it('without dynos (the platform runs no processes): unavailable, naming the external-server option', async () => {
    const t = await startTestPlatform({addonProviders: [new PostgresqlProvider('')]})
    try {
      await t.client.post('/apps', {name: 'pg-nodynos'})
      const res = await t.client.post('/apps/pg-nodynos/addons', {plan: 'heroku-postgresql'})
      expect(res.status, res.text).to.equal(422)
      expect(res.body.message).to.match(/runs no processes/).and.to.include('HEROKU_PLATFORM_POSTGRES_URL')
    } finally {
      await t.close()
    }
  })
})

describe('heroku-postgresql\'s own cluster after a platform crash (kill -9)', function () {
  this.timeout(120_000)
  const dataDir = mkdtempSync(join(tmpdir(), 'pg-crash-'))
  let running: ChildProcess | undefined

  after(async () => {
    if (running) await stopPlatformProcess(running)
    rmSync(dataDir, {recursive: true, force: true})
  })

  it('comes back with the data, one postmaster and nothing left of the killed run', async () => {
    const sandbox = await detectSandbox()
    const store = openStore(dataDir)
    const user = await createUser(store, {email: 'pg-crash@example.com', password: 'correct horse battery'})
    store.close()
    // '' : the platform's own cluster even where the test script exported an external server's URL
    const env = {HEROKU_PLATFORM_POSTGRES_URL: ''}

    const firstRun = await startPlatformProcess(dataDir, env)
    running = firstRun.child
    const client = new ApiClient(firstRun.url, user.token)
    await client.post('/apps', {name: 'pg-crash'})
    await createPostgres(client, 'pg-crash')
    const url = (await configVars(client, 'pg-crash')).DATABASE_URL
    await query(url, 'CREATE TABLE ledger (n int)')
    await query(url, 'INSERT INTO ledger VALUES (1), (2), (3)')
    const before = postmasters(dataDir)
    expect(before).to.have.length(1)
    const allBefore = markedProcesses(PLATFORM_MARKER_VAR, platformMarker(dataDir))

    await stopPlatformProcess(firstRun.child, 'SIGKILL')
    if (sandbox.enabled) await waitFor('the server gone with the platform (bwrap --die-with-parent)', () => postmasters(dataDir).length === 0, 10_000)

    const secondRun = await startPlatformProcess(dataDir, env)
    running = secondRun.child
    // the platform started the server itself (its add-on exists): the URL works as it was
    const rows = await waitFor('the database back', async () => query(url, 'SELECT sum(n)::int AS total FROM ledger'), 30_000, 100)
    expect(rows).to.deep.equal([{total: 6}])
    const after = postmasters(dataDir)
    expect(after).to.have.length(1)
    expect(after).not.to.include(before[0])
    expect(markedProcesses(PLATFORM_MARKER_VAR, platformMarker(dataDir)).filter(pid => allBefore.includes(pid))).to.deep.equal([])
    const client2 = new ApiClient(secondRun.url, user.token)
    expect((await configVars(client2, 'pg-crash')).DATABASE_URL).to.equal(url)

    await stopPlatformProcess(secondRun.child)
    running = undefined
    await waitFor('no postgres left after a clean stop', () => postmasters(dataDir).length === 0, 10_000)
  })
})
