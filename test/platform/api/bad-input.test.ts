// Bad input of every kind gets a clean 4xx in the API's error shape, and writes nothing.
import {expect} from 'chai'

import type {PlatformHttpHandler} from '../../../src/platform/server.js'

import {createUser} from '../../../src/platform/bootstrap.js'
import {insertDomain} from '../../../src/platform/store/domains.js'
import {deployFixture, type RuntimePlatform, startRuntimePlatform} from '../fixtures/runtime/helpers.js'
import {type ApiClient, expectError, type RequestOptions, startTestPlatform, type TestPlatform} from '../helpers.js'

interface BadInputCase {
  id: string
  /** what the message must say, for the cases where a vague refusal would not help */
  message?: RegExp
  method: string
  name: string
  options?: RequestOptions
  path: string
  status: number
}

const longName = 'a'.repeat(31)

const CASES: BadInputCase[] = [
  {name: 'malformed JSON', method: 'POST', path: '/apps', options: {rawBody: '{"name": '}, status: 400, id: 'bad_request'},
  {name: 'JSON array body', method: 'POST', path: '/apps', options: {body: ['x']}, status: 422, id: 'invalid_params'},
  {name: 'JSON string body', method: 'PATCH', path: '/apps/victim', options: {body: 'name'}, status: 422, id: 'invalid_params'},
  {name: 'non-JSON content type', method: 'POST', path: '/apps', options: {rawBody: 'name=x', headers: {'Content-Type': 'application/x-www-form-urlencoded'}}, status: 400, id: 'bad_request'},
  {name: 'huge body', method: 'PATCH', path: '/apps/victim/config-vars', options: {rawBody: JSON.stringify({BIG: 'x'.repeat(300 * 1024)})}, status: 413, id: 'request_too_large'},
  {name: 'app name with uppercase', method: 'POST', path: '/apps', options: {body: {name: 'BadName'}}, status: 422, id: 'invalid_params'},
  {name: 'app name too short', method: 'POST', path: '/apps', options: {body: {name: 'ab'}}, status: 422, id: 'invalid_params'},
  {name: 'app name too long', method: 'POST', path: '/apps', options: {body: {name: longName}}, status: 422, id: 'invalid_params'},
  {name: 'app name starting with a digit', method: 'POST', path: '/apps', options: {body: {name: '1app'}}, status: 422, id: 'invalid_params'},
  {name: 'app name ending with a dash', method: 'POST', path: '/apps', options: {body: {name: 'app-'}}, status: 422, id: 'invalid_params'},
  {name: 'app name of the wrong type', method: 'POST', path: '/apps', options: {body: {name: 42}}, status: 422, id: 'invalid_params'},
  {name: 'unknown region', method: 'POST', path: '/apps', options: {body: {name: 'fresh-app', region: 'eu'}}, status: 422, id: 'invalid_params'},
  {name: 'unknown stack', method: 'POST', path: '/apps', options: {body: {name: 'fresh-app', stack: 'cedar-14'}}, status: 422, id: 'invalid_params'},
  {name: 'rename to an invalid name', method: 'PATCH', path: '/apps/victim', options: {body: {name: 'Not Valid'}}, status: 422, id: 'invalid_params'},
  {name: 'maintenance not a boolean', method: 'PATCH', path: '/apps/victim', options: {body: {maintenance: 'yes'}}, status: 422, id: 'invalid_params'},
  {name: 'config key with a dash', method: 'PATCH', path: '/apps/victim/config-vars', options: {body: {'BAD-KEY': 'x'}}, status: 422, id: 'invalid_params'},
  {name: 'config key starting with a digit', method: 'PATCH', path: '/apps/victim/config-vars', options: {body: {'1KEY': 'x'}}, status: 422, id: 'invalid_params'},
  {name: 'config value a number', method: 'PATCH', path: '/apps/victim/config-vars', options: {body: {GOOD: 'x', PORT: 5000}}, status: 422, id: 'invalid_params'},
  {name: 'config value an object', method: 'PATCH', path: '/apps/victim/config-vars', options: {body: {OBJ: {a: 1}}}, status: 422, id: 'invalid_params'},
  {name: 'config over 32 kB', method: 'PATCH', path: '/apps/victim/config-vars', options: {body: {A: 'x'.repeat(20_000), B: 'y'.repeat(20_000)}}, status: 422, id: 'invalid_params'},
  {name: 'config vars of a missing app', method: 'PATCH', path: '/apps/no-such-app/config-vars', options: {body: {A: 'b'}}, status: 404, id: 'not_found'},
  {name: 'app by a malformed uuid', method: 'GET', path: '/apps/0000-not-a-uuid', status: 404, id: 'not_found'},
  {name: 'release by an unknown version', method: 'GET', path: '/apps/victim/releases/999', status: 404, id: 'not_found'},
  {name: 'release by a huge version', method: 'GET', path: '/apps/victim/releases/99999999999999999999', status: 404, id: 'not_found'},
  {name: 'rollback to a missing release', method: 'POST', path: '/apps/victim/releases', options: {body: {release: '42'}}, status: 404, id: 'not_found'},
  {name: 'release with neither slug nor release', method: 'POST', path: '/apps/victim/releases', options: {body: {description: 'x'}}, status: 422, id: 'invalid_params'},
  {name: 'release of an unknown slug', method: 'POST', path: '/apps/victim/releases', options: {body: {slug: 'not-a-slug'}}, status: 404, id: 'not_found'},
  {name: 'formation quantity negative', method: 'PATCH', path: '/apps/victim/formation/web', options: {body: {quantity: -1}}, status: 422, id: 'invalid_params'},
  {name: 'formation quantity fractional', method: 'PATCH', path: '/apps/victim/formation/web', options: {body: {quantity: 1.5}}, status: 422, id: 'invalid_params'},
  {name: 'formation unknown size', method: 'PATCH', path: '/apps/victim/formation/web', options: {body: {size: 'galactic'}}, status: 422, id: 'invalid_params'},
  {name: 'formation batch without updates', method: 'PATCH', path: '/apps/victim/formation', options: {body: {}}, status: 422, id: 'invalid_params'},
  {name: 'formation batch item without type', method: 'PATCH', path: '/apps/victim/formation', options: {body: {updates: [{quantity: 2}]}}, status: 422, id: 'invalid_params'},
  {name: 'add-on without plan', method: 'POST', path: '/apps/victim/addons', options: {body: {}}, status: 422, id: 'invalid_params'},
  {name: 'add-on with an unknown plan', method: 'POST', path: '/apps/victim/addons', options: {body: {plan: 'nope:nothing'}}, status: 404, id: 'not_found'},
  {name: 'add-on config not strings', method: 'POST', path: '/apps/victim/addons', options: {body: {plan: 'heroku-postgresql', config: {size: 1}}}, status: 422, id: 'invalid_params'},
  {name: 'attachment of a missing add-on', method: 'POST', path: '/addon-attachments', options: {body: {addon: 'ghost', app: 'victim'}}, status: 404, id: 'not_found'},
  {name: 'attachment without app', method: 'POST', path: '/addon-attachments', options: {body: {addon: 'ghost'}}, status: 422, id: 'invalid_params'},
  {name: 'domain with an invalid hostname', method: 'POST', path: '/apps/victim/domains', options: {body: {hostname: 'not a host', sni_endpoint: null}}, status: 422, id: 'invalid_params'},
  {name: 'domain without hostname', method: 'POST', path: '/apps/victim/domains', options: {body: {sni_endpoint: null}}, status: 422, id: 'invalid_params'},
  {name: 'log session with too many lines', method: 'POST', path: '/apps/victim/log-sessions', options: {body: {lines: 100_000}}, status: 422, id: 'invalid_params'},
  {name: 'log session with an unknown source', method: 'POST', path: '/apps/victim/log-sessions', options: {body: {source: 'kernel'}}, status: 422, id: 'invalid_params'},
  {name: 'build without source_blob', method: 'POST', path: '/apps/victim/builds', options: {body: {}}, status: 422, id: 'invalid_params'},
  {name: 'build with a non-http source URL', method: 'POST', path: '/apps/victim/builds', options: {body: {source_blob: {url: 'file:///etc/passwd'}}}, status: 422, id: 'invalid_params'},
  {name: 'slug with a bad process type', method: 'POST', path: '/apps/victim/slugs', options: {body: {process_types: {'we b': 'x'}}}, status: 422, id: 'invalid_params'},
  {name: 'slug with a bad checksum', method: 'POST', path: '/apps/victim/slugs', options: {body: {process_types: {web: 'x'}, checksum: 'md5:abc'}}, status: 422, id: 'invalid_params'},
  {name: 'account update of the email', method: 'PATCH', path: '/account', options: {body: {email: 'new@example.com'}}, status: 422, id: 'invalid_params'},
  {name: 'authorization with a negative expiry', method: 'POST', path: '/oauth/authorizations', options: {body: {expires_in: -5}}, status: 422, id: 'invalid_params'},
  {name: 'malformed percent-encoding in the path', method: 'GET', path: '/apps/%E0%A4%A', status: 400, id: 'bad_request'},
  {name: 'authorization by a non-uuid', method: 'GET', path: '/oauth/authorizations/12345', status: 404, id: 'not_found'},
  {name: 'deeply nested config value', method: 'PATCH', path: '/apps/victim/config-vars', options: {rawBody: `{"DEEP": ${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}}`}, status: 422, id: 'invalid_params'},
  {name: 'deeply nested unsupported field', method: 'POST', path: '/oauth/authorizations', options: {rawBody: `{"client": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`}, status: 422, id: 'invalid_params'},
  {name: 'malformed Basic credentials', method: 'GET', path: '/account', options: {token: null, headers: {Authorization: 'Basic !!!'}}, status: 401, id: 'unauthorized'},
  // accepted once, then every dyno failed to start (a NUL cannot reach execve)
  {name: 'config value with a NUL byte', method: 'PATCH', path: '/apps/victim/config-vars', options: {body: {BAD: 'a\u0000b'}}, status: 422, id: 'invalid_params', message: /BAD.*NUL/},
  // accepted once, then every git push failed: a config var is a file name in ENV_DIR
  {name: 'config var name of 5,000 characters', method: 'PATCH', path: '/apps/victim/config-vars', options: {body: {['A'.repeat(5000)]: 'x'}}, status: 422, id: 'invalid_params', message: /too long.*255/},
  {name: 'one-off command with a NUL byte', method: 'POST', path: '/apps/victim/dynos', options: {body: {command: 'echo a\u0000b'}}, status: 422, id: 'invalid_params', message: /command.*NUL/},
  {name: 'one-off env value with a NUL byte', method: 'POST', path: '/apps/victim/dynos', options: {body: {command: 'env', env: {A: 'a\u0000b'}}}, status: 422, id: 'invalid_params', message: /A.*NUL/},
  {name: 'one-off env name of 5,000 characters', method: 'POST', path: '/apps/victim/dynos', options: {body: {command: 'env', env: {['A'.repeat(5000)]: 'x'}}}, status: 422, id: 'invalid_params', message: /too long/},
  {name: 'slug command with a NUL byte', method: 'POST', path: '/apps/victim/slugs', options: {body: {process_types: {web: 'node\u0000 server.js'}}}, status: 422, id: 'invalid_params', message: /web.*NUL/},
  {name: 'account name of 200 kB', method: 'PATCH', path: '/account', options: {body: {name: 'x'.repeat(200 * 1024)}}, status: 422, id: 'invalid_params', message: /name.*too long/},
  {name: 'account name with a NUL byte', method: 'PATCH', path: '/account', options: {body: {name: 'Eve\u0000'}}, status: 422, id: 'invalid_params', message: /name.*NUL/},
  {name: 'authorization description of 200 kB', method: 'POST', path: '/oauth/authorizations', options: {body: {description: 'x'.repeat(200 * 1024)}}, status: 422, id: 'invalid_params', message: /description.*too long/},
  {name: 'release description of 200 kB', method: 'POST', path: '/apps/victim/releases', options: {body: {release: '1', description: 'x'.repeat(200 * 1024)}}, status: 422, id: 'invalid_params', message: /description.*too long/},
  {name: 'slug commit description of 200 kB', method: 'POST', path: '/apps/victim/slugs', options: {body: {process_types: {web: 'x'}, commit_description: 'x'.repeat(200 * 1024)}}, status: 422, id: 'invalid_params', message: /commit_description.*too long/},
  {name: 'build version of 200 kB', method: 'POST', path: '/apps/victim/builds', options: {body: {source_blob: {url: 'https://example.com/a.tgz', version: 'x'.repeat(200 * 1024)}}}, status: 422, id: 'invalid_params', message: /version.*too long/},
  {name: 'build with a thousand buildpacks', method: 'POST', path: '/apps/victim/builds', options: {body: {source_blob: {url: 'https://example.com/a.tgz'}, buildpacks: Array.from({length: 1000}, () => ({name: 'heroku/nodejs'}))}}, status: 422, id: 'invalid_params', message: /buildpacks/},
  // the default-domain namespace: victim.localhost would take the app name `victim` from its owner
  {name: 'custom domain in the default-domain namespace', method: 'POST', path: '/apps/victim/domains', options: {body: {hostname: 'other-app.localhost', sni_endpoint: null}}, status: 422, id: 'invalid_params', message: /localhost.*reserved/},
  {name: 'wildcard domain in the default-domain namespace', method: 'POST', path: '/apps/victim/domains', options: {body: {hostname: '*.deep.LOCALHOST.', sni_endpoint: null}}, status: 422, id: 'invalid_params', message: /reserved/},
]

/** Everything the platform stores, to prove a refused request changed none of it. */
function snapshot(t: TestPlatform): string {
  const tables = t.platform.store.all<{name: string}>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
  return JSON.stringify(tables.map(({name}) => [name, t.platform.store.all(`SELECT * FROM ${name} ORDER BY rowid`)]))
}

describe('platform API: bad input', () => {
  let t: TestPlatform

  before(async () => {
    t = await startTestPlatform()
    await t.client.post('/apps', {name: 'victim'})
    await t.client.patch('/apps/victim/config-vars', {KEEP: 'me'})
    const slug = await t.client.post('/apps/victim/slugs', {process_types: {web: 'node server.js'}})
    await t.client.post('/apps/victim/releases', {slug: slug.body.id})
  })

  after(() => t.close())

  it(`has a table of at least 30 cases (${CASES.length})`, () => {
    expect(CASES.length).to.be.at.least(30)
  })

  for (const c of CASES) {
    it(`${c.name}: ${c.status} ${c.id}, nothing written`, async () => {
      const before = snapshot(t)
      const res = await t.client.request(c.method, c.path, c.options)
      expect(res.status, res.text.slice(0, 500)).to.equal(c.status)
      expect(res.body).to.deep.include({id: c.id})
      expect(Object.keys(res.body as object).filter(k => k !== 'resource').sort()).to.deep.equal(['id', 'message'])
      if (c.message) expect((res.body as {message: string}).message).to.match(c.message)
      expect(res.headers.get('request-id')).to.be.a('string')
      expect(snapshot(t)).to.equal(before)
    })
  }

  it('is still serving after all of that', async () => {
    expect((await t.client.get('/apps/victim/config-vars')).body).to.deep.equal({KEEP: 'me'})
    expect(t.serverLog.filter(line => line.includes('Error'))).to.deep.equal([])
  })
})

/** Breaks a UNIQUE constraint for real, as a handler with a missing check would. */
const violateConstraint: PlatformHttpHandler = (platform, _req, _res, segments) => {
  if (segments[0] !== 'constraint-test') return false
  const key = `test-${Math.random()}`
  platform.store.transaction(() => {
    platform.store.run('INSERT INTO platform_settings (key, value) VALUES (?, ?)', key, 'first')
    platform.store.run('INSERT INTO platform_settings (key, value) VALUES (?, ?)', key, 'second')
  })
  return true
}

describe('platform API: the default-domain namespace is reserved; no constraint error is a 500', () => {
  let t: TestPlatform
  let attacker: ApiClient

  before(async () => {
    t = await startTestPlatform({httpHandlers: [violateConstraint]})
    attacker = t.client.withToken((await createUser(t.platform.store, {email: 'attacker@example.com', password: 'attacker password'})).token)
    expect((await attacker.post('/apps', {name: 'attacker-app'})).status).to.equal(201)
  })

  after(() => t.close())

  it("another account cannot take an app's default hostname with domains:add; the owner's apps:create still works", async () => {
    const before = snapshot(t)
    const res = await attacker.post('/apps/attacker-app/domains', {hostname: 'victim.localhost', sni_endpoint: null})
    expectError(res, 422, 'invalid_params')
    expect(res.body.message).to.match(/localhost.*reserved/)
    expect(snapshot(t)).to.equal(before)
    expect((await t.client.post('/apps', {name: 'victim'})).status).to.equal(201)
  })

  it('a default hostname stored before the namespace was reserved refuses that app name with a 422, not a 500', async () => {
    const attackerApp = (await attacker.get('/apps/attacker-app')).body as {id: string}
    // as an earlier platform let it be stored
    insertDomain(t.platform.store, {appId: attackerApp.id, hostname: 'squatted.localhost', kind: 'custom'})
    const before = snapshot(t)
    expectError(await t.client.post('/apps', {name: 'squatted'}), 422, 'invalid_params')
    expectError(await t.client.patch('/apps/victim', {name: 'squatted'}), 422, 'invalid_params')
    expect(snapshot(t)).to.equal(before)
  })

  it('a constraint violation that no check caught answers 409 conflict, not 500', async () => {
    const res = await t.client.get('/constraint-test')
    expectError(res, 409, 'conflict')
    expect(res.body.message).to.match(/already exists|conflicts/)
  })
})

describe('platform API: one-off dynos that could never start are refused', function () {
  this.timeout(60_000)
  let t: RuntimePlatform

  before(async () => {
    t = await startRuntimePlatform()
    // a worker only: no dyno runs until one is asked for
    await deployFixture(t.client, 'one-off', {worker: 'node worker.js'})
  })

  after(() => t.close())

  const oneOffs = async () => ((await t.client.get('/apps/one-off/dynos')).body as {type: string}[]).filter(d => d.type === 'run')

  for (const [what, body] of [
    ['a command with a NUL byte', {command: 'echo a\u0000b', attach: true}],
    ['an env value with a NUL byte', {command: 'env', env: {A: 'a\u0000b'}, attach: true}],
    ['an env name of 5,000 characters', {command: 'env', env: {['A'.repeat(5000)]: 'x'}, attach: true}],
  ] as const) {
    it(`${what}: 422 invalid_params, no dyno`, async () => {
      expectError(await t.client.post('/apps/one-off/dynos', body), 422, 'invalid_params')
      expect(await oneOffs()).to.deep.equal([])
    })
  }

  it('a sound one-off dyno is still accepted', async () => {
    expect((await t.client.post('/apps/one-off/dynos', {command: 'env', env: {A: 'b'}, attach: true})).status).to.equal(201)
  })
})
