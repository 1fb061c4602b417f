import {expect} from 'chai'
import nock from 'nock'
import {chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {API, api, run, useIsolatedEnv} from '../../helpers/cli.js'

// the database is unreachable on purpose: these tests are about the API; the real servers are in
// test/e2e/pg-redis.test.ts and test/platform/pg-backups.test.ts
const DB_URL = 'postgres://addon_role:s3cret-pw@127.0.0.1:1/addon_db'

function addon(name: string, extra: Record<string, unknown> = {}) {
  return {
    addon_service: {id: 's1', name: 'heroku-postgresql'},
    app: {id: 'a1', name: 'my-app'},
    config_vars: ['DATABASE_URL'],
    created_at: '2026-01-01T00:00:00Z',
    id: `id-${name}`,
    name,
    plan: {id: 'p1', name: 'heroku-postgresql:essential-0'},
    state: 'provisioned',
    web_url: null,
    ...extra,
  }
}

const attachment = (name: string, addonName: string) => ({addon: {id: `id-${addonName}`, name: addonName}, app: {id: 'a1', name: 'my-app'}, id: `att-${name}`, name})

/** GET the add-on in the app's context, its attachments, the app's config: how DATABASE resolves */
function resolves(database = 'DATABASE', name = 'postgresql-1', url = DB_URL) {
  api().get(`/apps/my-app/addons/${database}`).reply(200, addon(name))
  api().get(`/addons/id-${name}/addon-attachments`).reply(200, [attachment('DATABASE', name)])
  api().get('/apps/my-app/config-vars').reply(200, {DATABASE_URL: url, OTHER: 'x'})
}

function transfer(name: string, extra: Record<string, unknown> = {}) {
  return {
    id: `t-${name}`, name, num: Number(name.slice(1)), kind: name.startsWith('b') ? 'backup' : 'restore',
    app: {id: 'a1', name: 'my-app'}, addon: {id: 'id-postgresql-1', name: 'postgresql-1'},
    status: 'succeeded', size_bytes: 2048, error: null,
    created_at: '2026-01-02T00:00:00Z', started_at: '2026-01-02T00:00:00Z', finished_at: '2026-01-02T00:00:01Z',
    ...extra,
  }
}

const ENDPOINT_404 = {id: 'not_found', message: 'The requested API endpoint was not found. Are you using the right HTTP verb (i.e. `GET` vs. `POST`), and did you specify your URL correctly?'}

describe('pg', () => {
  useIsolatedEnv()
  let bin: string

  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), 'pg-bin-'))
  })

  afterEach(() => rmSync(bin, {force: true, recursive: true}))

  /** a stand-in for psql / redis-cli that prints what it was given */
  function fakeProgram(name: string, script: string): void {
    writeFileSync(join(bin, name), `#!/bin/sh\n${script}\n`)
    chmodSync(join(bin, name), 0o755)
    process.env.PATH = `${bin}:/usr/bin:/bin`
  }

  describe('pg:info', () => {
    it('shows the add-on from the API and says why the database\'s own figures are missing', async () => {
      resolves()
      const {stdout, stderr, exitCode} = await run(['pg:info', '-a', 'my-app'])
      expect(exitCode, stderr).to.equal(0)
      expect(stdout).to.match(/^=== DATABASE_URL\n/)
      expect(stdout).to.match(/^Plan: +essential-0$/m)
      expect(stdout).to.match(/^Status: +Unreachable$/m)
      expect(stdout).to.match(/^Add-on: +postgresql-1$/m)
      expect(stderr).to.include('Could not connect to the database at 127.0.0.1:1')
      expect(stdout + stderr).not.to.include('s3cret-pw')
    })

    it('--json: the add-on, the plan limit and database: null with the error', async () => {
      resolves('HEROKU_POSTGRESQL_RED')
      const {stdout} = await run(['pg:info', 'HEROKU_POSTGRESQL_RED_URL', '-a', 'my-app', '--json'])
      const info = JSON.parse(stdout)
      expect(info).to.include({attachment: 'DATABASE', config_var: 'DATABASE_URL', plan: 'heroku-postgresql:essential-0', status: 'Available', plan_limit_bytes: 1024 ** 3, database: null})
      expect(info.addon.name).to.equal('postgresql-1')
      expect(info.error).to.match(/Could not connect/)
    })

    it('where the app\'s add-on lookup knows no attachment names, resolves DATABASE as the official CLI does', async () => {
      api().get('/apps/my-app/addons/HEROKU_POSTGRESQL_RED').reply(404, {id: 'not_found', message: 'Couldn\'t find that add-on.'})
      api().post('/actions/addon-attachments/resolve', {addon_attachment: 'HEROKU_POSTGRESQL_RED', addon_service: 'heroku-postgresql', app: 'my-app'})
        .reply(200, [attachment('HEROKU_POSTGRESQL_RED', 'postgresql-2')])
      api().get('/addons/id-postgresql-2').reply(200, addon('postgresql-2'))
      api().get('/apps/my-app/config-vars').reply(200, {DATABASE_URL: 'postgres://x:y@127.0.0.1:1/x', HEROKU_POSTGRESQL_RED_URL: DB_URL})
      const {stdout, exitCode, stderr} = await run(['pg:credentials:url', 'HEROKU_POSTGRESQL_RED', '-a', 'my-app', '--json'])
      expect(exitCode, stderr).to.equal(0)
      expect(JSON.parse(stdout)).to.include({addon: 'postgresql-2', attachment: 'HEROKU_POSTGRESQL_RED', url: DB_URL})
    })

    it('refuses an add-on of another service, and an app without the add-on, with a hint', async () => {
      api().get('/apps/my-app/addons/REDIS').reply(200, addon('redis-1', {addon_service: {id: 's2', name: 'heroku-redis'}}))
      const other = await run(['pg:info', 'REDIS', '-a', 'my-app'])
      expect(other.exitCode).to.equal(1)
      expect(other.stderr).to.include('redis-1 is a heroku-redis add-on, not heroku-postgresql')
      api().get('/apps/my-app/addons/DATABASE').reply(404, {id: 'not_found', message: 'Couldn\'t find that add-on.'})
      api().post('/actions/addon-attachments/resolve', {addon_attachment: 'DATABASE', addon_service: 'heroku-postgresql', app: 'my-app'}).reply(404, {id: 'not_found', message: 'Couldn\'t find that add-on attachment.'})
      const none = await run(['pg:info', '-a', 'my-app'])
      expect(none.exitCode).to.equal(1)
      expect(none.stderr).to.include('my-app has no heroku-postgresql add-on DATABASE')
      expect(none.stderr).to.include('heroku addons:create heroku-postgresql -a my-app')
    })
  })

  describe('pg:psql', () => {
    it('runs psql with the URL in libpq\'s environment, never in its arguments', async () => {
      fakeProgram('psql', String.raw`printf "args:%s\n" "$*"; printf "conn:%s@%s:%s/%s ssl=%s\n" "$PGUSER" "$PGHOST" "$PGPORT" "$PGDATABASE" "$PGSSLMODE"; printf "pw:%s\n" "$PGPASSWORD"`)
      resolves()
      const {stdout, stderr, exitCode} = await run(['pg:psql', '-a', 'my-app', '-c', 'SELECT 1', '--json'])
      expect(exitCode, stderr).to.equal(0)
      const {output, addon: name} = JSON.parse(stdout)
      expect(name).to.equal('postgresql-1')
      const [args, conn, pw] = output.trim().split('\n')
      expect(args).to.equal('args:--no-psqlrc --set ON_ERROR_STOP=1 --command SELECT 1')
      expect(args).not.to.include('s3cret')
      expect(conn).to.equal('conn:addon_role@127.0.0.1:1/addon_db ssl=prefer')
      expect(pw).to.equal('pw:s3cret-pw')
    })

    it('passes -f FILE; a failing psql is exit 1', async () => {
      fakeProgram('psql', 'echo "$*"; exit 3')
      resolves()
      const {stderr, exitCode} = await run(['pg:psql', '-a', 'my-app', '-f', 'x.sql', '--json'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.include('psql exited with status 3')
    })

    it('says how to install psql when it is missing (before asking the API anything)', async () => {
      process.env.PATH = bin
      const {stderr, exitCode} = await run(['pg:psql', '-a', 'my-app', '-c', 'SELECT 1'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.include('psql is not installed')
      expect(stderr).to.include('apt-get install postgresql-client')
    })

    it('refuses -c with -f (usage, exit 2)', async () => {
      const {exitCode} = await run(['pg:psql', '-a', 'my-app', '-c', 'SELECT 1', '-f', 'x.sql'])
      expect(exitCode).to.equal(2)
    })
  })

  describe('pg:credentials:url, pg:kill, pg:reset, pg:wait', () => {
    it('credentials:url prints the URL and libpq\'s connection string; --json has the parts', async () => {
      resolves()
      const {stdout} = await run(['pg:credentials:url', '-a', 'my-app'])
      expect(stdout).to.include(`   ${DB_URL}\n`)
      expect(stdout).to.include('"dbname=addon_db host=127.0.0.1 port=1 user=addon_role password=s3cret-pw sslmode=prefer"')
      resolves()
      const json = JSON.parse((await run(['pg:credentials:url', '-a', 'my-app', '--json'])).stdout)
      expect(json).to.deep.equal({addon: 'postgresql-1', attachment: 'DATABASE', database: 'addon_db', host: '127.0.0.1', password: 's3cret-pw', port: 1, url: DB_URL, user: 'addon_role'})
    })

    it('kill: a PID that is not a number is a usage error', async () => {
      const {exitCode, stderr} = await run(['pg:kill', 'abc', '-a', 'my-app'])
      expect(exitCode).to.equal(2)
      expect(stderr).to.include('PID must be a number')
    })

    it('reset: without a TTY and without --confirm exits 2 naming --confirm APP; a wrong one does nothing', async () => {
      resolves()
      const missing = await run(['pg:reset', '-a', 'my-app'])
      expect(missing.exitCode).to.equal(2)
      expect(missing.stderr).to.include('--confirm my-app')
      resolves()
      const wrong = await run(['pg:reset', '-a', 'my-app', '--confirm', 'other-app'])
      expect(wrong.exitCode).to.equal(2)
      expect(wrong.stderr).to.include('did not match my-app')
    })

    it('wait: polls a provisioning database; one that ends deprovisioned fails', async () => {
      api().get('/apps/my-app/addons').reply(200, [addon('postgresql-1', {state: 'provisioning'}), addon('redis-1', {addon_service: {name: 'heroku-redis'}})])
      api().get('/addons/id-postgresql-1').reply(200, addon('postgresql-1', {state: 'deprovisioned'}))
      const {exitCode, stderr} = await run(['pg:wait', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.include('Waiting for database postgresql-1... failed')
      expect(stderr).to.include('postgresql-1 is deprovisioned')
    })
  })

  describe('pg:backups', () => {
    const base = '/apps/my-app/addons/id-postgresql-1'

    it('lists backups and restores of the app\'s databases', async () => {
      api().get('/apps/my-app/addons').reply(200, [addon('postgresql-1'), addon('redis-1', {addon_service: {name: 'heroku-redis'}})])
      api().get(`${base}/backups`).reply(200, [transfer('b002', {status: 'failed', size_bytes: null}), transfer('b001')])
      api().get(`${base}/restores`).reply(200, [transfer('r001', {source: {id: 't-b001', name: 'b001'}})])
      const {stdout, exitCode, stderr} = await run(['pg:backups', '-a', 'my-app'])
      expect(exitCode, stderr).to.equal(0)
      expect(stdout).to.equal([
        '=== Backups',
        'ID    Created at            Status                          Size    Database',
        'b002  2026-01-02T00:00:00Z  Failed 2026-01-02T00:00:01Z             postgresql-1',
        'b001  2026-01-02T00:00:00Z  Completed 2026-01-02T00:00:01Z  2.0 kB  postgresql-1',
        '',
        '=== Restores',
        'ID    Started at            Status                          From  Database',
        'r001  2026-01-02T00:00:00Z  Completed 2026-01-02T00:00:01Z  b001  postgresql-1',
        '',
      ].join('\n'))
    })

    it('capture: starts the backup and waits for it; --json is the finished backup', async () => {
      api().get('/apps/my-app/addons/DATABASE').reply(200, addon('postgresql-1'))
      api().post(`${base}/backups`).reply(202, transfer('b003', {status: 'pending', size_bytes: null, finished_at: null}))
      api().get(`${base}/backups/t-b003`).reply(200, transfer('b003', {size_bytes: 4096}))
      const {stdout, stderr, exitCode} = await run(['pg:backups:capture', '-a', 'my-app', '--json'])
      expect(exitCode, stderr).to.equal(0)
      expect(JSON.parse(stdout)).to.include({name: 'b003', status: 'succeeded', size_bytes: 4096})
      expect(stderr).to.include('Starting backup of postgresql-1... done')
      expect(stderr).to.include('Backing up DATABASE to b003... done, 4.0 kB')
    })

    it('capture: a failed backup is an error with its reason', async () => {
      api().get('/apps/my-app/addons/DATABASE').reply(200, addon('postgresql-1'))
      api().post(`${base}/backups`).reply(202, transfer('b004', {status: 'running'}))
      api().get(`${base}/backups/t-b004`).reply(200, transfer('b004', {status: 'failed', error: 'pg_dump failed (status 1): connection refused'}))
      const {stderr, exitCode} = await run(['pg:backups:capture', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.include('Backup b004 failed: pg_dump failed (status 1): connection refused.')
    })

    it('against a platform without backup endpoints (Heroku itself) says what it needs', async () => {
      api().get('/apps/my-app/addons/DATABASE').reply(200, addon('postgresql-1'))
      api().post(`${base}/backups`).reply(404, ENDPOINT_404)
      const {stderr, exitCode} = await run(['pg:backups:capture', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.include('pg:backups uses the Heroku Postgres API, which this toolbelt does not speak yet')
      api().get('/apps/my-app/addons').reply(200, [addon('postgresql-1')])
      // whatever its message: the add-on was just found, so only the endpoint can be missing
      api().get(`${base}/backups`).reply(404, {id: 'not_found', message: 'Not found.'})
      const listed = await run(['pg:backups', '-a', 'my-app', '--json'])
      expect(listed.exitCode).to.equal(1)
      expect(JSON.parse(listed.stderr).error.id).to.equal('unsupported')
    })

    it('url prints the download URL of the newest completed backup', async () => {
      api().get('/apps/my-app/addons').reply(200, [addon('postgresql-1')])
      api().get(`${base}/backups`).reply(200, [transfer('b003', {status: 'running'}), transfer('b002'), transfer('b001')])
      api().post(`${base}/backups/t-b002/actions/public-url`).reply(200, {url: `${API}/pg-backup-downloads/t-b002?expires=1&signature=s`, expires_at: '2026-01-02T00:10:00Z'})
      const {stdout, exitCode} = await run(['pg:backups:url', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal(`${API}/pg-backup-downloads/t-b002?expires=1&signature=s\n`)
    })

    it('download writes the named backup to -o FILE, readable by the user only', async () => {
      api().get('/apps/my-app/addons').reply(200, [addon('postgresql-1')])
      api().get(`${base}/backups`).reply(200, [transfer('b002'), transfer('b001')])
      api().post(`${base}/backups/t-b001/actions/public-url`).reply(200, {url: `${API}/pg-backup-downloads/t-b001?expires=1&signature=s`, expires_at: '2026-01-02T00:10:00Z'})
      const dump = Buffer.from('PGDMP\u0001\u000E\u0000 custom format bytes')
      // the capability URL carries its own authorization: no Accept or token needed
      nock(API, {badheaders: ['authorization']}).get('/pg-backup-downloads/t-b001').query({expires: '1', signature: 's'}).reply(200, dump)
      const file = join(bin, 'b001.dump')
      const {stdout, stderr, exitCode} = await run(['pg:backups:download', 'b001', '-o', file, '-a', 'my-app', '--json'])
      expect(exitCode, stderr).to.equal(0)
      expect(JSON.parse(stdout)).to.deep.equal({backup: 'b001', file, size_bytes: dump.length})
      expect(readFileSync(file)).to.deep.equal(dump)
      expect(statSync(file).mode & 0o777).to.equal(0o600)
    })

    it('restore: confirms with the app name, starts the restore into DATABASE and waits for it', async () => {
      api().get('/apps/my-app/addons/DATABASE').twice().reply(200, addon('postgresql-1'))
      api().get('/apps/my-app/addons').twice().reply(200, [addon('postgresql-1')])
      api().get(`${base}/backups`).twice().reply(200, [transfer('b001')])
      const unconfirmed = await run(['pg:backups:restore', 'b001', '-a', 'my-app'])
      expect(unconfirmed.exitCode).to.equal(2)
      expect(unconfirmed.stderr).to.include('--confirm my-app')
      api().post(`${base}/backups/t-b001/actions/restore`).reply(202, transfer('r002', {status: 'pending', source: {id: 't-b001', name: 'b001'}}))
      api().get(`${base}/restores/t-r002`).reply(200, transfer('r002', {source: {id: 't-b001', name: 'b001'}}))
      const {stderr, exitCode} = await run(['pg:backups:restore', 'b001', '-a', 'my-app', '--confirm', 'my-app'])
      expect(exitCode, stderr).to.equal(0)
      expect(stderr).to.include('Restoring b001 to DATABASE... done')
    })

    it('delete: --confirm APP, then DELETE; an unknown backup is named', async () => {
      api().get('/apps/my-app/addons').twice().reply(200, [addon('postgresql-1')])
      api().get(`${base}/backups`).twice().reply(200, [transfer('b001')])
      api().delete(`${base}/backups/t-b001`).reply(200, transfer('b001'))
      const {stderr, exitCode} = await run(['pg:backups:delete', 'b001', '-a', 'my-app', '--confirm', 'my-app'])
      expect(exitCode, stderr).to.equal(0)
      expect(stderr).to.include('Deleting backup b001 on my-app... done')
      const unknown = await run(['pg:backups:delete', 'b009', '-a', 'my-app', '--confirm', 'my-app'])
      expect(unknown.exitCode).to.equal(1)
      expect(unknown.stderr).to.include('my-app has no backup b009')
    })
  })

  describe('pg:pull, pg:push', () => {
    it('say how to install pg_dump when it is missing', async () => {
      process.env.PATH = bin
      const {stderr, exitCode} = await run(['pg:pull', 'DATABASE', 'localdb', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.include('pg_dump and pg_restore are not installed')
    })

    it('push refuses a remote database it cannot reach before copying anything', async () => {
      fakeProgram('pg_dump', 'echo must not run >&2; exit 9')
      fakeProgram('pg_restore', 'exit 9')
      resolves()
      const {stderr, exitCode} = await run(['pg:push', 'localdb', 'DATABASE', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.include('Could not connect to the database at 127.0.0.1:1')
      expect(stderr).not.to.include('must not run')
    })
  })
})
