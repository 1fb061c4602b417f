import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {E2eHome} from '../helpers/e2e.js'

const exec = promisify(execFile)

// The built CLI against the real PostgreSQL and Redis servers of a platform it starts itself:
// pg:* and redis:* as a user runs them (no TTY), Debian's psql and redis-cli doing the talking.
describe('e2e: pg:* and redis:* against the platform\'s own servers', function () {
  this.timeout(120_000)
  let home: E2eHome
  let dataDir: string

  before(async () => {
    if (!existsSync(join(process.cwd(), 'dist', 'commands', 'pg'))) throw new Error('dist/ is missing: npm run build first (npm test does)')
    home = new E2eHome()
    dataDir = join(home.dir, 'platform')
    const started = await home.heroku(['platform:start', '--detach', '--data-dir', dataDir, '--port', '0', '--router-port', '0', '--email', 'data@example.com'])
    expect(started.code, started.stderr).to.equal(0)
    expect((await home.heroku(['apps:create', 'data-app', '--no-remote'])).code).to.equal(0)
    const [pg, redis] = await Promise.all([
      home.heroku(['addons:create', 'heroku-postgresql', '--wait', '-a', 'data-app'], {timeoutMs: 90_000}),
      home.heroku(['addons:create', 'heroku-redis', '--wait', '-a', 'data-app'], {timeoutMs: 90_000}),
    ])
    expect(pg.code, pg.stderr).to.equal(0)
    expect(redis.code, redis.stderr).to.equal(0)
  })

  after(async () => {
    await home?.heroku(['platform:stop', '--data-dir', dataDir])
    home?.cleanup()
  })

  it('pg:psql -c runs SQL through Debian\'s psql; pg:info reads the database itself', async () => {
    const created = await home.heroku(['pg:psql', '-a', 'data-app', '-c', "CREATE TABLE jokes (id serial PRIMARY KEY, punchline text); INSERT INTO jokes (punchline) VALUES ('to get to the other side')"])
    expect(created.code, created.stderr).to.equal(0)
    expect(created.stdout).to.include('INSERT 0 1')
    const selected = await home.heroku(['pg:psql', 'DATABASE_URL', '-a', 'data-app', '-c', 'SELECT punchline FROM jokes'])
    expect(selected.stdout).to.match(/^ +punchline *\n-+\n to get to the other side\n\(1 row\)\n/)
    // the password is in psql's environment only: never in the CLI's output
    const url = JSON.parse((await home.heroku(['pg:credentials:url', '-a', 'data-app', '--json'])).stdout).url as string
    expect(created.stdout + created.stderr + selected.stderr).not.to.include(new URL(url).password)

    const info = await home.heroku(['pg:info', '-a', 'data-app'])
    expect(info.code, info.stderr).to.equal(0)
    expect(info.stdout).to.match(/^=== DATABASE_URL$/m)
    expect(info.stdout).to.match(/^Plan: +essential-0$/m)
    expect(info.stdout).to.match(/^Status: +Available$/m)
    expect(info.stdout).to.match(/^Connections: +\d+\/20$/m)
    expect(info.stdout).to.match(/^PG Version: +\d+\.\d+/m)
    expect(info.stdout).to.match(/^Data Size: +[\d.]+ MB \/ 1\.0 GB \(\d+\.\d\d%\)$/m)
    expect(info.stdout).to.match(/^Tables: +1\/4000$/m)
    const json = JSON.parse((await home.heroku(['pg:info', '-a', 'data-app', '--json'])).stdout)
    expect(json.database).to.include({tables: 1, connectionLimit: 20})
    expect(json.database.dataSizeBytes).to.be.greaterThan(1_000_000)
  })

  it('pg:ps lists a running query and pg:kill cancels it', async () => {
    const sleeping = home.heroku(['pg:psql', '-a', 'data-app', '-c', 'SELECT pg_sleep(60)'], {timeoutMs: 60_000})
    let query: undefined | {pid: number, query: string}
    for (let i = 0; i < 50 && query === undefined; i++) {
      const ps = await home.heroku(['pg:ps', '-a', 'data-app', '--json'])
      query = (JSON.parse(ps.stdout) as Array<{pid: number, query: string}>).find(q => q.query.includes('pg_sleep'))

      if (query === undefined) await new Promise(resolve => setTimeout(resolve, 100))
    }

    expect(query, 'the sleeping query in pg:ps').not.to.equal(undefined)
    const human = await home.heroku(['pg:ps', '-a', 'data-app'])
    expect(human.stdout).to.match(new RegExp(`^${query!.pid} +active +heroku-toolbelt psql .*SELECT pg_sleep\\(60\\)$`, 'm'))
    const killed = await home.heroku(['pg:kill', String(query!.pid), '-a', 'data-app'])
    expect(killed.code, killed.stderr).to.equal(0)
    const ended = await sleeping
    expect(ended.code).to.equal(1)
    expect(ended.stderr).to.include('canceling statement due to user request')
    const gone = await home.heroku(['pg:kill', String(query!.pid), '--force', '-a', 'data-app'])
    expect(gone.code).to.equal(1)
    expect(gone.stderr).to.include(`No connection with pid ${query!.pid}`)
  })

  it('pg:backups:capture, pg:backups, download (a valid pg_restore archive), then pg:reset empties the database', async () => {
    const capture = await home.heroku(['pg:backups:capture', '-a', 'data-app'], {timeoutMs: 60_000})
    expect(capture.code, capture.stderr).to.equal(0)
    expect(capture.stderr).to.match(/Backing up DATABASE to b001\.\.\. done, [\d.]+ kB/)
    const list = await home.heroku(['pg:backups', '-a', 'data-app'])
    expect(list.stdout).to.match(/^b001 +\S+ +Completed \S+ +[\d.]+ kB +postgresql-/m)
    const file = join(home.dir, 'b001.dump')
    const download = await home.heroku(['pg:backups:download', '-o', file, '-a', 'data-app'])
    expect(download.code, download.stderr).to.equal(0)
    expect(statSync(file).mode & 0o777).to.equal(0o600)
    expect((await exec('pg_restore', ['-l', file])).stdout).to.match(/TABLE DATA public jokes/)

    const refused = await home.heroku(['pg:reset', '-a', 'data-app'])
    expect(refused.code).to.equal(2)
    expect(refused.stderr).to.include('--confirm data-app')
    const reset = await home.heroku(['pg:reset', '-a', 'data-app', '--confirm', 'data-app'])
    expect(reset.code, reset.stderr).to.equal(0)
    expect((await home.heroku(['pg:psql', '-a', 'data-app', '-c', "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"])).stdout).to.match(/^\s+0\n/m)
    const restore = await home.heroku(['pg:backups:restore', 'b001', '-a', 'data-app', '--confirm', 'data-app'], {timeoutMs: 60_000})
    expect(restore.code, restore.stderr).to.equal(0)
    expect((await home.heroku(['pg:psql', '-a', 'data-app', '-c', 'SELECT count(*) FROM jokes'])).stdout).to.match(/^\s+1\n/m)
  })

  it('pg:pull copies the add-on into an empty database (a URL here: a second add-on\'s); a non-empty target is refused', async () => {
    const copy = await home.heroku(['addons:create', 'heroku-postgresql', '--as', 'COPY', '--wait', '-a', 'data-app'], {timeoutMs: 60_000})
    expect(copy.code, copy.stderr).to.equal(0)
    const copyUrl = JSON.parse((await home.heroku(['pg:credentials:url', 'COPY', '-a', 'data-app', '--json'])).stdout).url as string
    const pulled = await home.heroku(['pg:pull', 'DATABASE', copyUrl, '-a', 'data-app'], {timeoutMs: 60_000})
    expect(pulled.code, pulled.stderr).to.equal(0)
    expect((await home.heroku(['pg:psql', 'COPY', '-a', 'data-app', '-c', 'SELECT punchline FROM jokes'])).stdout).to.include('to get to the other side')
    const again = await home.heroku(['pg:pull', 'DATABASE', copyUrl, '-a', 'data-app'])
    expect(again.code).to.equal(1)
    expect(again.stderr).to.include('is not empty')
    const pushed = await home.heroku(['pg:push', copyUrl, 'DATABASE', '-a', 'data-app'])
    expect(pushed.code).to.equal(1)
    expect(pushed.stderr).to.match(/Remote database postgresql-\S+ \(DATABASE\) is not empty/)
  })

  it('addons:open signs the browser in through the platform\'s SSO link: once, for that add-on', async () => {
    const opened = await home.heroku(['addons:open', 'DATABASE', '-a', 'data-app'])
    expect(opened.code, opened.stderr).to.equal(0)
    expect(opened.stderr).to.match(/^Opening heroku-postgresql:essential-0 for data-app\.\.\. done/m)
    const shown = await home.heroku(['addons:open', 'DATABASE', '-a', 'data-app', '--show-url', '--json'])
    const result = JSON.parse(shown.stdout) as {sso: boolean, url: string}
    expect(result.sso).to.equal(true)
    const webUrl = JSON.parse((await home.heroku(['addons:info', 'DATABASE', '-a', 'data-app', '--json'])).stdout).web_url as string
    expect(result.url.startsWith(webUrl), `${result.url} is under ${webUrl}`).to.equal(true)
    // a browser that trusts the platform's CA (docs/tls.md): the platform speaks HTTPS
    const {ca_path: caPath} = JSON.parse((await home.heroku(['platform:status', '--json', '--data-dir', dataDir])).stdout) as {ca_path: string}
    const {Agent, fetch: browserFetch} = await import('undici')
    const browser = {dispatcher: new Agent({connect: {ca: readFileSync(caPath, 'utf8')}}), redirect: 'manual'} as const
    const followed = await browserFetch(result.url, browser)
    expect(followed.status).to.equal(303)
    expect(followed.headers.get('set-cookie')).to.match(/HttpOnly/i)
    expect((await browserFetch(result.url, browser)).status).to.equal(403)
  })

  it('redis:cli -c runs a command through Debian\'s redis-cli; redis:info reads the server', async () => {
    const set = await home.heroku(['redis:cli', '-a', 'data-app', '-c', 'SET greeting "hello world"'])
    expect(set.code, set.stderr).to.equal(0)
    expect(set.stdout).to.equal('OK\n')
    expect((await home.heroku(['redis:cli', '-a', 'data-app', '-c', 'GET greeting'])).stdout).to.equal('hello world\n')
    const refused = await home.heroku(['redis:cli', '-a', 'data-app', '-c', 'CONFIG GET maxmemory'])
    expect(refused.code).to.equal(1)

    const info = await home.heroku(['redis:info', '-a', 'data-app'])
    expect(info.code, info.stderr).to.equal(0)
    expect(info.stdout).to.match(/^=== redis-\S+ \(REDIS_URL\)$/m)
    expect(info.stdout).to.match(/^Version: +\d+\.\d+/m)
    expect(info.stdout).to.match(/^Keys: +1$/m)
    const json = JSON.parse((await home.heroku(['redis:info', '-a', 'data-app', '--json'])).stdout)
    expect(json).to.include({keys: 1, status: 'provisioned'})
    expect(json.used_memory).to.match(/^[\d.]+[KM]$/)
  })
})
