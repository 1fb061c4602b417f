// heroku-postgresql backups run by the platform: pg_dump -Fc and pg_restore as the postgres
// service's uid (ServiceProcesses.runOnce) against the platform's own cluster, through the
// platform's backup routes and the download capability URL.
import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {promisify} from 'node:util'
import pg from 'pg'

import {backupFile, backupsDir} from '../../../src/platform/addons/pg-backups.js'
import {PostgresqlProvider} from '../../../src/platform/addons/postgresql.js'
import {createUser} from '../../../src/platform/bootstrap.js'
import {SERVICE_UIDS} from '../../../src/platform/dynos/service-processes.js'
import {detectSandbox} from '../../../src/platform/sandbox/sandbox.js'
import {insertTransfer, markTransferRunning, transferName} from '../../../src/platform/store/pg-backups.js'
import {type RuntimePlatform, startRuntimePlatform, waitFor} from '../fixtures/runtime/helpers.js'
import {type ApiClient, expectError, type Json} from '../helpers.js'

const run = promisify(execFile)

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({connectionString: url, connectionTimeoutMillis: 5000})
  client.on('error', () => {})
  await client.connect()
  try {
    return (await client.query(sql)).rows
  } finally {
    await client.end()
  }
}

async function finished(client: ApiClient, path: string): Promise<Record<string, Json>> {
  return waitFor(`${path} finished`, async () => {
    const res = await client.get(path)
    return res.body.status === 'succeeded' || res.body.status === 'failed' ? res.body : undefined
  }, 30_000, 100)
}

describe('heroku-postgresql backups (pg_dump / pg_restore run by the platform)', function () {
  this.timeout(90_000)
  let t: RuntimePlatform
  let dataDir: string
  let addon: {id: string, name: string}
  let url: string
  let work: string

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pg-backups-'))
    work = mkdtempSync(join(tmpdir(), 'pg-backups-work-'))
    t = await startRuntimePlatform({dataDir, addonProviders: [new PostgresqlProvider(null)]})
    await t.client.post('/apps', {name: 'bk-app'})
    await t.client.post('/apps', {name: 'bk-other'})
    const created = await t.client.post('/apps/bk-app/addons', {plan: 'heroku-postgresql'})
    expect([201, 202], created.text).to.include(created.status)
    addon = {id: created.body.id, name: created.body.name}
    url = await waitFor('DATABASE_URL', async () => (await t.client.get('/apps/bk-app/config-vars')).body.DATABASE_URL as string | undefined, 60_000, 100)
    await query(url, 'CREATE TABLE notes (id serial PRIMARY KEY, body text)')
    await query(url, "INSERT INTO notes (body) VALUES ('first'), ('second')")
  })

  after(async () => {
    await t?.close()
    rmSync(dataDir, {recursive: true, force: true})
    rmSync(work, {recursive: true, force: true})
  })

  it('captures, lists with size and status, downloads a valid dump, restores a dropped table, deletes', async () => {
    const base = `/apps/bk-app/addons/${addon.name}/backups`
    const capture = await t.client.post(base)
    expect(capture.status, capture.text).to.equal(202)
    expect(capture.body).to.include({name: 'b001', kind: 'backup'})
    expect(['pending', 'running']).to.include(capture.body.status)
    // one transfer of an add-on at a time
    const again = await t.client.post(base)
    // (the first may, rarely, be done already: then the second runs and is waited for below)
    if (again.status === 202) await finished(t.client, `${base}/${again.body.name}`)
    else expectError(again, 409, 'conflict')

    const done = await finished(t.client, `${base}/b001`)
    expect(done.status, done.error).to.equal('succeeded')
    expect(done.size_bytes).to.be.greaterThan(0)
    const file = backupFile(dataDir, addon.id, capture.body.id)
    expect(statSync(file).mode & 0o777).to.equal(0o600)
    expect(statSync(file).size).to.equal(done.size_bytes)
    // pg_dump ran as the postgres server's uid where the platform (root) switches users
    if ((await detectSandbox()).separateUsers) expect(statSync(file).uid).to.equal(SERVICE_UIDS.postgres)
    const listed = await t.client.get(base)
    expect(listed.status).to.equal(200)
    expect(listed.body.map((b: {name: string}) => b.name)).to.include('b001')
    expect(listed.body.find((b: {name: string}) => b.name === 'b001')).to.include({status: 'succeeded', size_bytes: done.size_bytes})

    const link = await t.client.post(`${base}/b001/actions/public-url`)
    expect(link.status, link.text).to.equal(200)
    expect(link.body.url).to.match(/\/pg-backup-downloads\/[0-9a-f-]{36}\?expires=\d+&signature=/)
    const download = await fetch(link.body.url)
    expect(download.status).to.equal(200)
    const dump = join(work, 'b001.dump')
    writeFileSync(dump, Buffer.from(await download.arrayBuffer()))
    const {stdout} = await run('pg_restore', ['-l', dump])
    expect(stdout).to.match(/TABLE public notes/)
    expect(stdout).to.match(/TABLE DATA public notes/)
    // a forged or expired signature opens nothing; the secret never reaches the platform's log
    const forged = new URL(link.body.url)
    forged.searchParams.set('signature', 'x'.repeat(43))
    expect((await fetch(forged)).status).to.equal(404)
    const stale = new URL(link.body.url)
    stale.searchParams.set('expires', '1000')
    expect((await fetch(stale)).status).to.equal(404)
    expect(t.serverLog.join('\n')).not.to.include(new URL(link.body.url).searchParams.get('signature')!)

    await query(url, 'DROP TABLE notes')
    const restore = await t.client.post(`${base}/b001/actions/restore`)
    expect(restore.status, restore.text).to.equal(202)
    expect(restore.body).to.include({name: 'r001', kind: 'restore'})
    expect(restore.body.source).to.deep.equal({id: capture.body.id, name: 'b001'})
    const restored = await finished(t.client, `/apps/bk-app/addons/${addon.name}/restores/r001`)
    expect(restored.status, restored.error).to.equal('succeeded')
    expect(await query(url, 'SELECT body FROM notes ORDER BY id')).to.deep.equal([{body: 'first'}, {body: 'second'}])
    // addressed through its attachment name too
    expect((await t.client.get('/apps/bk-app/addons/DATABASE/restores')).body.map((r: {name: string}) => r.name)).to.deep.equal(['r001'])

    const deleted = await t.client.delete(`${base}/b001`)
    expect(deleted.status, deleted.text).to.equal(200)
    expect(existsSync(file)).to.equal(false)
    const gone = await t.client.get(base)
    expect(gone.body.map((b: {name: string}) => b.name)).not.to.include('b001')
    expect((await fetch(link.body.url)).status).to.equal(404)
    expectError(await t.client.get(`${base}/b001`), 404, 'not_found')
  })

  it('a transfer an earlier run left running is marked failed when next read, its partial dump removed', async () => {
    const row = insertTransfer(t.platform.store, {appId: (await t.client.get('/apps/bk-app')).body.id, addonId: addon.id, kind: 'backup'})
    markTransferRunning(t.platform.store, row.id)
    const partial = `${backupFile(dataDir, addon.id, row.id)}.partial`
    mkdirSync(dirname(partial), {recursive: true})
    writeFileSync(partial, 'half a dump')
    const read = await t.client.get(`/apps/bk-app/addons/${addon.name}/backups/${transferName(row)}`)
    expect(read.body).to.include({status: 'failed', error: 'interrupted: the platform stopped while it ran'})
    expect(existsSync(partial)).to.equal(false)
  })

  it('destroying the add-on removes its backups\' files', async () => {
    const created = await t.client.post('/apps/bk-other/addons', {plan: 'heroku-postgresql'})
    const other = created.body as {id: string, name: string}
    await waitFor('provisioned', async () => (await t.client.get(`/apps/bk-other/addons/${other.id}`)).body.state === 'provisioned' || undefined, 60_000, 100)
    const base = `/apps/bk-other/addons/${other.name}/backups`
    expect((await t.client.post(base)).status).to.be.oneOf([201, 202])
    await waitFor('the backup', async () => (await t.client.get(base)).body.find((b: {status: string}) => b.status === 'succeeded'), 60_000, 100)
    const dir = backupsDir(dataDir, other.id)
    expect(existsSync(dir)).to.equal(true)
    expect((await t.client.delete(`/apps/bk-other/addons/${other.id}`)).status).to.equal(200)
    expect(existsSync(dir)).to.equal(false)
  })

  it('refuses another app\'s add-on and another account', async () => {
    expectError(await t.client.post(`/apps/bk-other/addons/${addon.name}/backups`), 404, 'not_found')
    expectError(await t.client.get(`/apps/bk-other/addons/${addon.id}/backups`), 404, 'not_found')
    const stranger = await createUser(t.platform.store, {email: `stranger-${Date.now()}@example.com`, password: 'correct horse battery'})
    const other = t.client.withToken(stranger.token)
    expectError(await other.get(`/apps/bk-app/addons/${addon.name}/backups`), 404, 'not_found')
    expectError(await other.post(`/apps/bk-app/addons/${addon.name}/backups`), 404, 'not_found')
  })
})
