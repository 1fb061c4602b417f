import {expect} from 'chai'
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {api, run, useIsolatedEnv} from '../../helpers/cli.js'

// unreachable on purpose: these tests are about the API; the real server is in test/e2e/pg-redis.test.ts
const REDIS_URL = 'redis://:r3dis-secret@127.0.0.1:1'

function addon(name: string, extra: Record<string, unknown> = {}) {
  return {
    addon_service: {id: 's2', name: 'heroku-redis'},
    app: {id: 'a1', name: 'my-app'},
    config_vars: ['REDIS_URL'],
    created_at: '2026-01-01T00:00:00Z',
    id: `id-${name}`,
    name,
    plan: {id: 'p2', name: 'heroku-redis:mini'},
    state: 'provisioned',
    web_url: null,
    ...extra,
  }
}

function resolves(name = 'redis-1', url = REDIS_URL, database = 'REDIS') {
  api().get(`/apps/my-app/addons/${database}`).reply(200, addon(name))
  api().get(`/addons/id-${name}/addon-attachments`).reply(200, [{addon: {id: `id-${name}`, name}, app: {id: 'a1', name: 'my-app'}, id: 'att-1', name: 'REDIS'}])
  api().get('/apps/my-app/config-vars').reply(200, {REDIS_URL: url})
}

describe('redis', () => {
  useIsolatedEnv()
  let bin: string

  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), 'redis-bin-'))
  })

  afterEach(() => rmSync(bin, {force: true, recursive: true}))

  function fakeCli(script: string): void {
    writeFileSync(join(bin, 'redis-cli'), `#!/bin/sh\n${script}\n`)
    chmodSync(join(bin, 'redis-cli'), 0o755)
    process.env.PATH = `${bin}:/usr/bin:/bin`
  }

  describe('redis:cli', () => {
    it('-c feeds the command to redis-cli\'s stdin; the password is in REDISCLI_AUTH, not its arguments', async () => {
      fakeCli(String.raw`printf "args:%s\n" "$*"; printf "auth:%s\n" "$REDISCLI_AUTH"; printf "stdin:%s\n" "$(cat)"`)
      resolves()
      const {stdout, stderr, exitCode} = await run(['redis:cli', '-a', 'my-app', '-c', 'SET greeting "hello world"'])
      expect(exitCode, stderr).to.equal(0)
      expect(stdout).to.equal('args:-h 127.0.0.1 -p 1\nauth:r3dis-secret\nstdin:SET greeting "hello world"\n')
    })

    it('rediss:// URLs get --tls; a user other than default is passed as --user; --json has the output', async () => {
      fakeCli(String.raw`printf "args:%s\n" "$*"`)
      resolves('redis-2', 'rediss://app-user:pw@redis.example.test:6380/2', 'HEROKU_REDIS_BLUE')
      const {stdout} = await run(['redis:cli', 'HEROKU_REDIS_BLUE', '-a', 'my-app', '-c', 'PING', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal({addon: 'redis-2', attachment: 'REDIS', output: 'args:-h redis.example.test -p 6380 --user app-user -n 2 --tls --insecure\n', status: 0})
    })

    it('an error reply is a failure', async () => {
      fakeCli('cat >/dev/null; echo "ERR unknown command \'NOPE\'"')
      resolves()
      const {stderr, exitCode} = await run(['redis:cli', '-a', 'my-app', '-c', 'NOPE'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.include('Redis refused the command: ERR unknown command')
    })

    it('says how to install redis-cli when it is missing', async () => {
      process.env.PATH = bin
      const {stderr, exitCode} = await run(['redis:cli', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.include('redis-cli is not installed')
      expect(stderr).to.include('apt-get install redis-tools')
    })
  })

  describe('redis:info, redis:credentials', () => {
    it('info shows the add-on and says why the server\'s figures are missing; --json', async () => {
      resolves()
      const {stdout, stderr, exitCode} = await run(['redis:info', '-a', 'my-app'])
      expect(exitCode, stderr).to.equal(0)
      expect(stdout).to.match(/^=== redis-1 \(REDIS_URL\)\nPlan: +mini\nStatus: +available\n/)
      expect(stderr).to.include('Could not connect to Redis at 127.0.0.1:1')
      resolves()
      const json = JSON.parse((await run(['redis:info', '-a', 'my-app', '--json'])).stdout)
      expect(json).to.include({addon: 'redis-1', config_var: 'REDIS_URL', plan: 'heroku-redis:mini', status: 'provisioned'})
      expect(json.error).to.match(/Could not connect/)
    })

    it('credentials prints the URL; --reset says it is not supported and why', async () => {
      resolves()
      expect((await run(['redis:credentials', '-a', 'my-app'])).stdout).to.equal(`${REDIS_URL}\n`)
      resolves()
      const reset = await run(['redis:credentials', '-a', 'my-app', '--reset'])
      expect(reset.exitCode).to.equal(1)
      expect(reset.stderr).to.include('Resetting the credentials of redis-1 is not supported')
    })

    it('refuses a Postgres add-on', async () => {
      api().get('/apps/my-app/addons/DATABASE').reply(200, addon('pg-1', {addon_service: {id: 's1', name: 'heroku-postgresql'}}))
      const {stderr, exitCode} = await run(['redis:info', 'DATABASE', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.include('pg-1 is a heroku-postgresql add-on, not heroku-redis')
    })
  })
})
