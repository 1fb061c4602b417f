// App webhooks against a real platform and real HTTP receivers written here: what arrives (body,
// signature, headers), retries with backoff, giving up, resuming after a restart, bad input.

import type {AddressInfo} from 'node:net'

import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {createHmac} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {AddonProvider, ProvisionContext, ProvisionResult} from '../../../src/platform/addons/provider.js'

import {createUser} from '../../../src/platform/bootstrap.js'
import {deployFixture, type RuntimePlatform, startRuntimePlatform} from '../fixtures/runtime/helpers.js'
import {ApiClient, expectError, expectSchema, startTestPlatform, type TestPlatform} from '../helpers.js'

interface Received {
  at: number
  body: string
  headers: IncomingHttpHeaders
}

/** An HTTP receiver: records every request, answers as `answer` says (it may never answer). */
class Receiver {
  readonly received: Received[] = []
  answer: (req: IncomingMessage, res: ServerResponse, n: number) => void = (_req, res) => res.writeHead(200).end('ok')
  private readonly server: Server
  private waiters: (() => void)[] = []

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', c => chunks.push(c))
      req.on('end', () => {
        this.received.push({headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now()})
        for (const wake of this.waiters.splice(0)) wake()
        this.answer(req, res, this.received.length)
      })
    })
  }

  async listen(): Promise<string> {
    await new Promise<void>(resolve => this.server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`
  }

  async waitFor(count: number, timeoutMs = 10_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`receiver got ${this.received.length} requests, expected ${count}`)
      await new Promise<void>(resolve => {
        this.waiters.push(resolve)
        setTimeout(resolve, 100)
      })
    }

    return this.received
  }

  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise(resolve => this.server.close(() => resolve()))
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64')

/** An add-on service whose resources are made at once and live in memory: what add-on events need. */
class MemoryKvProvider implements AddonProvider {
  readonly service = {
    name: 'hook-kv', humanName: 'Hook KV', primaryAttachmentName: 'HOOK_KV', attachmentNamePrefix: 'HOOK_KV',
    plans: [{name: 'small', humanName: 'Small', description: 'small', default: true}, {name: 'large', humanName: 'Large', description: 'large'}],
  }

  availability() {
    return {available: true} as const
  }

  async changePlan() {
    return {}
  }

  async deprovision(): Promise<void> {}

  async provision(ctx: ProvisionContext): Promise<ProvisionResult> {
    return {providerId: `kv-${ctx.addonId}`, configVars: {URL: `kv://${ctx.addonId}`}, message: 'ready'}
  }

  async start(): Promise<void> {}
}

/** A self-signed certificate for `names`, made with openssl. */
function selfSigned(names: string[]): {cert: string, key: string} {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-cert-'))
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.crt',
      '-subj', `/CN=${names[0]}`, '-days', '2', '-addext', `subjectAltName=${names.map(n => `DNS:${n}`).join(',')}`,
    ], {cwd: dir, stdio: ['ignore', 'pipe', 'pipe']})
    return {cert: readFileSync(join(dir, 'leaf.crt'), 'utf8'), key: readFileSync(join(dir, 'leaf.key'), 'utf8')}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

/** The payloads received, parsed, each checked to be signed with `secret`. */
const signedPayloads = (hits: Received[], secret: string) => hits.map(h => {
  expect(h.headers['heroku-webhook-hmac-sha256']).to.equal(sign(secret, h.body))
  return JSON.parse(h.body)
})

describe('platform: app webhooks', () => {
  let t: TestPlatform
  let receiver: Receiver
  let url: string

  before(async () => {
    t = await startTestPlatform({addonProviders: [new MemoryKvProvider()], webhooks: {backoffInitialMs: 100, backoffMaxMs: 400, retryWindowMs: 20_000}})
    receiver = new Receiver()
    url = await receiver.listen()
  })

  after(async () => {
    await t.close()
    await receiver.close()
  })

  beforeEach(() => {
    receiver.received.length = 0
    receiver.answer = (_req, res) => res.writeHead(200).end('ok')
  })

  async function newApp(): Promise<string> {
    const res = await t.client.post('/apps', {})
    expect(res.status).to.equal(201)
    return res.body.name as string
  }

  it('delivers a release as Heroku does: the API object, HMAC over the exact body, the headers', async () => {
    const app = await newApp()
    const created = await t.client.post(`/apps/${app}/webhooks`, {include: ['api:release'], level: 'sync', url, secret: 'hush-hush', authorization: 'Bearer receiver-token'})
    expect(created.status, created.text).to.equal(201)
    expectSchema('app-webhook', 'POST', 'Create', created.body)
    expect(created.body).to.include({level: 'sync', url})
    expect(created.body.include).to.deep.equal(['api:release'])
    expect(created.body).not.to.have.property('secret')
    expect(created.headers.get('heroku-webhook-secret')).to.equal('hush-hush')

    const config = await t.client.patch(`/apps/${app}/config-vars`, {GREETING: 'hello'})
    expect(config.status).to.equal(200)
    const [hit] = await receiver.waitFor(1)
    expect(hit.headers['content-type']).to.equal('application/json')
    expect(hit.headers.authorization).to.equal('Bearer receiver-token')
    expect(hit.headers['heroku-webhook-hmac-sha256']).to.equal(sign('hush-hush', hit.body))
    const payload = JSON.parse(hit.body)
    const release = (await t.client.get(`/apps/${app}/releases/2`)).body
    expect(payload).to.include({action: 'create', resource: 'release', version: 'application/vnd.heroku+json; version=3'})
    expect(payload.actor).to.deep.equal({email: t.owner.account.email, id: t.owner.account.id})
    expect(payload.data).to.deep.equal(release)
    expect(payload.previous_data).to.deep.equal({})
    expect(payload.published_at).to.be.a('string')
    const delivery = await until('the delivery to succeed', async () => {
      const list = (await t.client.get(`/apps/${app}/webhook-deliveries`)).body
      return list[0]?.status === 'succeeded' ? list[0] : undefined
    })
    expect(hit.headers['heroku-webhook-id']).to.equal(delivery.id)
    expect(payload.webhook_metadata).to.deep.equal({
      attempt: {id: delivery.last_attempt.id}, delivery: {id: delivery.id},
      event: {id: payload.id, include: 'api:release'}, webhook: {id: created.body.id},
    })
    expectSchema('app-webhook-delivery', 'GET', 'List', [delivery])
    expect(delivery).to.deep.include({num_attempts: 1, next_attempt_at: null, webhook: {id: created.body.id, level: 'sync'}, event: {id: payload.id, include: 'api:release'}})
    expect(delivery.last_attempt).to.include({code: 200, error_class: null, status: 'succeeded'})
    const info = await t.client.get(`/apps/${app}/webhook-deliveries/${delivery.id}`)
    expectSchema('app-webhook-delivery', 'GET', 'Info', info.body)
    const event = await t.client.get(`/apps/${app}/webhook-events/${payload.id}`)
    expectSchema('app-webhook-event', 'GET', 'Info', event.body)
    expect(event.body.include).to.equal('api:release')
    expect(event.body.payload).to.deep.include({action: 'create', resource: 'release', data: release})
    const events = await t.client.get(`/apps/${app}/webhook-events`)
    expect(events.body.map((e: {id: string}) => e.id)).to.deep.equal([payload.id])

    // a change the webhook does not include sends nothing
    await t.client.post(`/apps/${app}/domains`, {hostname: 'www.example.org', sni_endpoint: null})
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(receiver.received).to.have.length(1)
  })

  it('generates a secret when none is given, shown once; info, list, update and remove', async () => {
    const app = await newApp()
    const created = await t.client.post(`/apps/${app}/webhooks`, {include: ['api:formation', 'api:release'], level: 'notify', url})
    const secret = created.headers.get('heroku-webhook-secret')
    expect(secret).to.match(/^[0-9a-f]{60}$/)
    const info = await t.client.get(`/apps/${app}/webhooks/${created.body.id}`)
    expectSchema('app-webhook', 'GET', 'Info', info.body)
    expect(info.headers.get('heroku-webhook-secret')).to.equal(null)
    const listed = await t.client.get(`/apps/${app}/webhooks`)
    expectSchema('app-webhook', 'GET', 'List', listed.body)
    expect(listed.body.map((w: {id: string}) => w.id)).to.deep.equal([created.body.id])
    const updated = await t.client.patch(`/apps/${app}/webhooks/${created.body.id}`, {include: ['api:domain'], level: 'sync', secret: 'new-secret', url: `${url}?v=2`})
    expect(updated.status, updated.text).to.equal(200)
    expectSchema('app-webhook', 'PATCH', 'Update', updated.body)
    expect(updated.body).to.deep.include({include: ['api:domain'], level: 'sync', url: `${url}?v=2`})
    await t.client.post(`/apps/${app}/domains`, {hostname: 'hooks.example.org', sni_endpoint: null})
    const [hit] = await receiver.waitFor(1)
    expect(hit.headers['heroku-webhook-hmac-sha256']).to.equal(sign('new-secret', hit.body))
    expect(JSON.parse(hit.body)).to.deep.include({action: 'create', resource: 'domain'})
    expect(JSON.parse(hit.body).data.hostname).to.equal('hooks.example.org')
    const removed = await t.client.delete(`/apps/${app}/webhooks/${created.body.id}`)
    expect(removed.status).to.equal(200)
    expectSchema('app-webhook', 'DELETE', 'Delete', removed.body)
    expectError(await t.client.get(`/apps/${app}/webhooks/${created.body.id}`), 404, 'not_found')
    await t.client.post(`/apps/${app}/domains`, {hostname: 'gone.example.org', sni_endpoint: null})
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(receiver.received).to.have.length(1)
  })

  it('retries a receiver that answers 500 with growing backoff until it succeeds, recording each attempt', async () => {
    const app = await newApp()
    await t.client.post(`/apps/${app}/webhooks`, {include: ['api:release'], level: 'sync', url})
    receiver.answer = (_req, res, n) => (n <= 3 ? res.writeHead(500).end('x'.repeat(5000)) : res.writeHead(204).end())
    await t.client.patch(`/apps/${app}/config-vars`, {A: '1'})
    const firstFailed = await until('a retrying delivery', async () => {
      const [d] = (await t.client.get(`/apps/${app}/webhook-deliveries`)).body
      return d?.status === 'retrying' ? d : undefined
    })
    expect(firstFailed.last_attempt).to.include({code: 500, error_class: 'HTTP500', status: 'failed'})
    expect(Date.parse(firstFailed.next_attempt_at)).to.be.greaterThan(Date.parse(firstFailed.last_attempt.created_at) - 1000)
    const hits = await receiver.waitFor(4)
    const delivery = await until('the delivery to succeed', async () => {
      const [d] = (await t.client.get(`/apps/${app}/webhook-deliveries`)).body
      return d?.status === 'succeeded' ? d : undefined
    })
    expect(delivery.num_attempts).to.equal(4)
    expect(delivery.last_attempt).to.include({code: 204, status: 'succeeded'})
    // the same delivery each time (one id), a new attempt id each time, each signed
    expect(new Set(hits.map(h => h.headers['heroku-webhook-id']))).to.have.property('size', 1)
    expect(new Set(hits.map(h => JSON.parse(h.body).webhook_metadata.attempt.id))).to.have.property('size', 4)
    // backoff: 100, 200, 400 ms between attempts (timers are never early)
    const gaps = hits.slice(1).map((h, i) => h.at - hits[i].at)
    expect(gaps[0]).to.be.at.least(90)
    expect(gaps[1]).to.be.at.least(190)
    expect(gaps[2]).to.be.at.least(390)
    // the receiver's answer is kept, cut short
    const stored = t.platform.store.get<{last_response: string}>('SELECT last_response FROM app_webhook_deliveries WHERE id = ?', delivery.id)!
    expect(JSON.parse(stored.last_response)).to.deep.equal({code: 204, body: ''})
    const filtered = await t.client.get(`/apps/${app}/webhook-deliveries?eq[status]=succeeded`)
    expect(filtered.body.map((d: {id: string}) => d.id)).to.deep.equal([delivery.id])
    expect((await t.client.get(`/apps/${app}/webhook-deliveries?eq[status]=failed`)).body).to.deep.equal([])
  })

  it('a notify webhook gets one attempt', async () => {
    const app = await newApp()
    await t.client.post(`/apps/${app}/webhooks`, {include: ['api:release'], level: 'notify', url})
    receiver.answer = (_req, res) => res.writeHead(503).end('down')
    await t.client.patch(`/apps/${app}/config-vars`, {A: '1'})
    const delivery = await until('a failed delivery', async () => {
      const [d] = (await t.client.get(`/apps/${app}/webhook-deliveries`)).body
      return d?.status === 'failed' ? d : undefined
    })
    expect(delivery).to.include({num_attempts: 1, next_attempt_at: null})
    expect(delivery.last_attempt).to.include({code: 503, error_class: 'HTTP503'})
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(receiver.received).to.have.length(1)
  })

  it('keeps the receiver\'s answer short', async () => {
    const app = await newApp()
    await t.client.post(`/apps/${app}/webhooks`, {include: ['api:release'], level: 'notify', url})
    receiver.answer = (_req, res) => res.writeHead(400).end('y'.repeat(100_000))
    await t.client.patch(`/apps/${app}/config-vars`, {A: '1'})
    const delivery = await until('a failed delivery', async () => {
      const [d] = (await t.client.get(`/apps/${app}/webhook-deliveries`)).body
      return d?.status === 'failed' ? d : undefined
    })
    const stored = t.platform.store.get<{last_response: string}>('SELECT last_response FROM app_webhook_deliveries WHERE id = ?', delivery.id)!
    const response = JSON.parse(stored.last_response)
    expect(response.code).to.equal(400)
    expect(response.body).to.equal('y'.repeat(1024))
  })

  it('refuses bad input with a 422 naming the field, and stores nothing', async () => {
    const app = await newApp()
    const good = {include: ['api:release'], level: 'sync', url}
    const cases: [object, RegExp][] = [
      [{...good, url: 'ftp://example.com/hooks'}, /"url".*http/],
      [{...good, url: 'not a url'}, /"url"/],
      [{...good, url: 42}, /"url"/],
      [{...good, include: ['api:release', 'api:nonsense']}, /"include".*api:nonsense/],
      [{...good, include: ['dyno']}, /"include": this platform sends no dyno events/],
      [{...good, include: []}, /"include"/],
      [{...good, include: 'api:release'}, /"include"/],
      [{...good, level: 'eventually'}, /"level"/],
      [{include: ['api:release'], level: 'sync'}, /"url"/],
      [{...good, authorization: 'Bearer x\r\nX-Evil: 1'}, /"authorization"/],
      [{...good, secret: ''}, /"secret"/],
    ]
    for (const [body, message] of cases) {
      const res = await t.client.post(`/apps/${app}/webhooks`, body)
      expectError(res, 422, 'invalid_params')
      expect(res.body.message, JSON.stringify(body)).to.match(message)
    }

    expect((await t.client.get(`/apps/${app}/webhooks`)).body).to.deep.equal([])
    const created = await t.client.post(`/apps/${app}/webhooks`, good)
    // eslint-disable-next-line no-script-url -- the URL the platform must refuse
    const patched = await t.client.patch(`/apps/${app}/webhooks/${created.body.id}`, {url: 'javascript:alert(1)'})
    expectError(patched, 422, 'invalid_params')
    expect((await t.client.get(`/apps/${app}/webhooks/${created.body.id}`)).body.url).to.equal(url)
    expectError(await t.client.get(`/apps/${app}/webhooks/not-a-uuid`), 404, 'not_found')
    expectError(await t.client.get(`/apps/${app}/webhook-deliveries/00000000-0000-4000-8000-000000000000`), 404, 'not_found')
    expectError(await t.client.get(`/apps/${app}/webhook-deliveries?eq[status]=bogus`), 422, 'invalid_params')
  })

  it('another account cannot see, change or remove an app\'s webhooks', async () => {
    const app = await newApp()
    const created = await t.client.post(`/apps/${app}/webhooks`, {include: ['api:release'], level: 'sync', url})
    const other = await createUser(t.platform.store, {email: `other-${Date.now()}@example.com`, password: 'another long password'})
    const stranger = t.client.withToken(other.token)
    expectError(await stranger.get(`/apps/${app}/webhooks`), 404, 'not_found')
    expectError(await stranger.get(`/apps/${app}/webhooks/${created.body.id}`), 404, 'not_found')
    expectError(await stranger.post(`/apps/${app}/webhooks`, {include: ['api:release'], level: 'sync', url}), 404, 'not_found')
    expectError(await stranger.patch(`/apps/${app}/webhooks/${created.body.id}`, {url: 'http://evil.example/'}), 404, 'not_found')
    expectError(await stranger.delete(`/apps/${app}/webhooks/${created.body.id}`), 404, 'not_found')
    expectError(await stranger.get(`/apps/${app}/webhook-deliveries`), 404, 'not_found')
    expectError(await stranger.get(`/apps/${app}/webhook-events`), 404, 'not_found')
    // their own app does not reach this one's webhooks by id either
    const theirs = (await stranger.post('/apps', {})).body.name
    expectError(await stranger.get(`/apps/${theirs}/webhooks/${created.body.id}`), 404, 'not_found')
    expect((await t.client.get(`/apps/${app}/webhooks`)).body).to.have.length(1)
  })

  it('sends a build when it is created and when it ends', async () => {
    const app = await newApp()
    await t.client.post(`/apps/${app}/webhooks`, {include: ['api:build'], level: 'sync', url})
    // a source that cannot be fetched: the build fails at once, with no buildpack run
    const created = await t.client.post(`/apps/${app}/builds`, {source_blob: {url: 'http://127.0.0.1:9/missing.tgz', version: 'v1'}})
    expect(created.status, created.text).to.equal(201)
    const hits = await receiver.waitFor(2)
    // two deliveries may be in flight at once: by action, not by arrival
    const payloads = hits.map(h => JSON.parse(h.body))
    const create = payloads.find(p => p.action === 'create')
    const update = payloads.find(p => p.action === 'update')
    expect(create).to.deep.include({action: 'create', resource: 'build'})
    expect(create.data).to.include({id: created.body.id, status: 'pending'})
    expect(update).to.deep.include({action: 'update', resource: 'build', previous_data: {status: 'pending'}})
    const build = (await t.client.get(`/apps/${app}/builds/${created.body.id}`)).body
    expect(build.status).to.equal('failed')
    expect(update.data).to.deep.equal(build)
    expect(update.actor).to.deep.equal({email: t.owner.account.email, id: t.owner.account.id})
  })

  it('sends an app\'s rename with its previous name; deleting the app takes its webhooks, events and deliveries', async () => {
    const app = await newApp()
    const created = await t.client.post(`/apps/${app}/webhooks`, {include: ['api:app', 'api:release'], level: 'sync', url})
    const renamed = await t.client.patch(`/apps/${app}`, {name: `${app}-2`.slice(0, 30)})
    expect(renamed.status, renamed.text).to.equal(200)
    const [hit] = await receiver.waitFor(1)
    const payload = JSON.parse(hit.body)
    expect(payload).to.deep.include({action: 'update', resource: 'app', previous_data: {name: app}})
    expect(payload.data).to.deep.equal((await t.client.get(`/apps/${renamed.body.name}`)).body)
    await until('the delivery to succeed', async () => {
      const [d] = (await t.client.get(`/apps/${renamed.body.name}/webhook-deliveries`)).body
      return d?.status === 'succeeded' ? d : undefined
    })
    expect((await t.client.delete(`/apps/${renamed.body.name}`)).status).to.equal(200)
    const left = (table: string) => t.platform.store.get<{n: number}>(`SELECT count(*) AS n FROM ${table} WHERE app_id = ?`, renamed.body.id)!.n
    expect([left('app_webhooks'), left('app_webhook_events'), left('app_webhook_deliveries')]).to.deep.equal([0, 0, 0])
    expect(t.platform.store.get('SELECT 1 FROM app_webhooks WHERE id = ?', created.body.id)).to.equal(undefined)
  })

  it('sends formation changes', async () => {
    const app = await newApp()
    await t.client.post(`/apps/${app}/webhooks`, {include: ['api:formation'], level: 'sync', url})
    // no slug yet: no process types to scale; a formation row made by hand stands in for a deploy
    const appId = (await t.client.get(`/apps/${app}`)).body.id
    t.platform.store.run("INSERT INTO formations (id, app_id, type, command, quantity, size, created_at, updated_at) VALUES ('f0000000-0000-4000-8000-000000000001', ?, 'web', 'node server.js', 1, 'basic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')", appId)
    const scaled = await t.client.patch(`/apps/${app}/formation/web`, {quantity: 2})
    expect(scaled.status, scaled.text).to.equal(200)
    const [hit] = await receiver.waitFor(1)
    const payload = JSON.parse(hit.body)
    expect(payload).to.include({action: 'update', resource: 'formation'})
    expect(payload.data).to.deep.equal(scaled.body)
  })

  it('sends an add-on\'s creation, its provisioning, a plan change, a rename and its destruction', async () => {
    const app = await newApp()
    await t.client.post(`/apps/${app}/webhooks`, {include: ['api:addon'], level: 'sync', url, secret: 'addon-secret'})
    const created = await t.client.post(`/apps/${app}/addons`, {plan: 'hook-kv'})
    expect(created.status, created.text).to.equal(201)
    expect(created.body.state).to.equal('provisioned')
    // two deliveries may be in flight at once: by action, not by arrival
    const hits = await receiver.waitFor(2)
    expect(hits).to.have.length(2)
    const payloads = signedPayloads(hits, 'addon-secret')
    const first = payloads.find(p => p.action === 'create')
    const second = payloads.find(p => p.action === 'update')
    expect(first).to.deep.include({resource: 'addon', previous_data: {}, version: 'application/vnd.heroku+json; version=3'})
    expect(first.actor).to.deep.equal({email: t.owner.account.email, id: t.owner.account.id})
    // provisioning: no vars yet, no provider message (null) yet
    expect(first.data).to.deep.include({id: created.body.id, name: created.body.name, state: 'provisioning', config_vars: [], provider_id: ''})
    expect(first.data.plan).to.deep.equal(created.body.plan)
    expect(first.data.app).to.deep.equal(created.body.app)
    expect(second).to.deep.include({resource: 'addon', previous_data: {state: 'provisioning'}})
    expect(second.data).to.deep.equal((await t.client.get(`/apps/${app}/addons/${created.body.id}`)).body)
    expectSchema('add-on', 'GET', 'Info', second.data)
    expect(second.data).to.deep.include({state: 'provisioned', config_vars: ['HOOK_KV_URL'], provision_message: 'ready'})

    receiver.received.length = 0
    const upgraded = await t.client.patch(`/apps/${app}/addons/${created.body.id}`, {plan: 'hook-kv:large'})
    expect(upgraded.status, upgraded.text).to.equal(200)
    const [planChange] = signedPayloads(await receiver.waitFor(1), 'addon-secret')
    expect(planChange).to.deep.include({action: 'update', resource: 'addon', previous_data: {plan: created.body.plan}})
    expect(planChange.data).to.deep.equal(upgraded.body)
    expect(planChange.data.plan.name).to.equal('hook-kv:large')

    receiver.received.length = 0
    const renamed = await t.client.patch(`/apps/${app}/addons/${created.body.id}`, {plan: 'hook-kv:large', name: `${app}-kv`})
    expect(renamed.status, renamed.text).to.equal(200)
    const [rename] = signedPayloads(await receiver.waitFor(1), 'addon-secret')
    expect(rename).to.deep.include({action: 'update', previous_data: {name: created.body.name}})
    expect(rename.data).to.deep.equal(renamed.body)

    receiver.received.length = 0
    const destroyed = await t.client.delete(`/apps/${app}/addons/${created.body.id}`)
    expect(destroyed.status, destroyed.text).to.equal(200)
    const [destroy] = signedPayloads(await receiver.waitFor(1), 'addon-secret')
    expect(destroy).to.deep.include({action: 'destroy', resource: 'addon', previous_data: {}})
    expect(destroy.data).to.deep.equal(destroyed.body)
    expect(destroy.data.state).to.equal('deprovisioned')
    const event = await t.client.get(`/apps/${app}/webhook-events/${destroy.id}`)
    expectSchema('app-webhook-event', 'GET', 'Info', event.body)
    expect(event.body.include).to.equal('api:addon')
  })

  it('sends add-on attachments made and removed, on the app they are attached to', async () => {
    const billing = await newApp()
    const other = await newApp()
    await t.client.post(`/apps/${other}/webhooks`, {include: ['api:addon-attachment'], level: 'sync', url, secret: 'attach-secret'})
    // attached to the billing app only: the other app's webhook hears nothing
    const addon = (await t.client.post(`/apps/${billing}/addons`, {plan: 'hook-kv'})).body
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(receiver.received).to.have.length(0)

    const attached = await t.client.post('/addon-attachments', {addon: addon.id, app: other, name: 'SHARED_KV'})
    expect(attached.status, attached.text).to.equal(201)
    const [create] = signedPayloads(await receiver.waitFor(1), 'attach-secret')
    expect(create).to.deep.include({action: 'create', resource: 'addon-attachment', previous_data: {}})
    expect(create.actor).to.deep.equal({email: t.owner.account.email, id: t.owner.account.id})
    expectSchema('add-on-attachment', 'GET', 'Info', create.data)
    expect(create.data).to.deep.equal(attached.body)
    expect(create.data).to.deep.include({name: 'SHARED_KV', app: {id: attached.body.app.id, name: other}})
    expect(create.data.addon).to.deep.include({id: addon.id, name: addon.name})

    receiver.received.length = 0
    const detached = await t.client.delete(`/addon-attachments/${attached.body.id}`)
    expect(detached.status, detached.text).to.equal(200)
    const [destroy] = signedPayloads(await receiver.waitFor(1), 'attach-secret')
    expect(destroy).to.deep.include({action: 'destroy', resource: 'addon-attachment', previous_data: {}})
    expect(destroy.data).to.deep.equal(detached.body)

    // destroying an add-on removes its attachments: each is sent, its add-on named as it was
    receiver.received.length = 0
    const again = (await t.client.post('/addon-attachments', {addon: addon.id, app: other, name: 'SHARED_KV'})).body
    await receiver.waitFor(1)
    expect((await t.client.delete(`/apps/${billing}/addons/${addon.id}`)).status).to.equal(200)
    const hits = await receiver.waitFor(2)
    const gone = signedPayloads(hits, 'attach-secret').find(p => p.action === 'destroy')
    expect(gone.data).to.deep.include({id: again.id, name: 'SHARED_KV'})
    expect(gone.data.addon).to.deep.include({id: addon.id, name: addon.name})
  })

  it('sends collaborators added and removed', async () => {
    const app = await newApp()
    await t.client.post(`/apps/${app}/webhooks`, {include: ['api:collaborator'], level: 'sync', url, secret: 'collab-secret'})
    const friend = await createUser(t.platform.store, {email: `friend-${Date.now()}@example.com`, password: 'a friendly long password'})
    const added = await t.client.post(`/apps/${app}/collaborators`, {user: friend.account.email})
    expect(added.status, added.text).to.equal(201)
    const [create] = signedPayloads(await receiver.waitFor(1), 'collab-secret')
    expect(create).to.deep.include({action: 'create', resource: 'collaborator', previous_data: {}})
    expect(create.actor).to.deep.equal({email: t.owner.account.email, id: t.owner.account.id})
    expectSchema('collaborator', 'GET', 'Info', create.data)
    expect(create.data).to.deep.equal(added.body)
    expect(create.data.user).to.deep.include({email: friend.account.email, id: friend.account.id})
    expect(create.data.role).to.equal('collaborator')

    // the collaborator leaves: they are the actor
    receiver.received.length = 0
    const left = await t.client.withToken(friend.token).delete(`/apps/${app}/collaborators/${friend.account.email}`)
    expect(left.status, left.text).to.equal(200)
    const [destroy] = signedPayloads(await receiver.waitFor(1), 'collab-secret')
    expect(destroy).to.deep.include({action: 'destroy', resource: 'collaborator', previous_data: {}})
    expect(destroy.actor).to.deep.equal({email: friend.account.email, id: friend.account.id})
    expect(destroy.data).to.deep.equal(left.body)
  })

  it('sends SNI endpoints added, given a new certificate and removed', async () => {
    const app = await newApp()
    await t.client.post(`/apps/${app}/webhooks`, {include: ['api:sni-endpoint'], level: 'sync', url, secret: 'sni-secret'})
    const domain = await t.client.post(`/apps/${app}/domains`, {hostname: 'www.hooks.test', sni_endpoint: null})
    expect(domain.status, domain.text).to.equal(201)
    const first = selfSigned(['www.hooks.test'])
    const created = await t.client.post(`/apps/${app}/sni-endpoints`, {certificate_chain: first.cert, private_key: first.key})
    expect(created.status, created.text).to.equal(201)
    const [create] = signedPayloads(await receiver.waitFor(1), 'sni-secret')
    expect(create).to.deep.include({action: 'create', resource: 'sni-endpoint', previous_data: {}})
    expect(create.actor).to.deep.equal({email: t.owner.account.email, id: t.owner.account.id})
    expectSchema('sni-endpoint', 'GET', 'Info', create.data)
    expect(create.data).to.deep.equal(created.body)
    expect(create.data.ssl_cert.cert_domains).to.deep.equal(['www.hooks.test'])
    // the domain it covers is served by it
    expect(create.data.domains).to.deep.equal([domain.body.id])

    receiver.received.length = 0
    const second = selfSigned(['www.hooks.test', 'api.hooks.test'])
    const updated = await t.client.patch(`/apps/${app}/sni-endpoints/${created.body.id}`, {certificate_chain: second.cert, private_key: second.key})
    expect(updated.status, updated.text).to.equal(200)
    const [update] = signedPayloads(await receiver.waitFor(1), 'sni-secret')
    expect(update).to.deep.include({action: 'update', resource: 'sni-endpoint'})
    expect(update.data).to.deep.equal(updated.body)
    expect(update.previous_data).to.deep.equal({certificate_chain: created.body.certificate_chain, ssl_cert: created.body.ssl_cert})

    receiver.received.length = 0
    const removed = await t.client.delete(`/apps/${app}/sni-endpoints/${created.body.id}`)
    expect(removed.status, removed.text).to.equal(200)
    const [destroy] = signedPayloads(await receiver.waitFor(1), 'sni-secret')
    expect(destroy).to.deep.include({action: 'destroy', resource: 'sni-endpoint', previous_data: {}})
    // as DELETE answers it: with the domains it served
    expect(destroy.data).to.deep.equal(removed.body)
    expect(destroy.data.domains).to.deep.equal(created.body.domains)
  })
})

describe('platform: app webhooks, bounded and durable', () => {
  it('gives up on a receiver that is down for good once the retry window is over', async () => {
    const t = await startTestPlatform({webhooks: {backoffInitialMs: 50, backoffMaxMs: 100, retryWindowMs: 600}})
    const gone = new Receiver()
    const url = await gone.listen()
    await gone.close()
    try {
      const app = (await t.client.post('/apps', {})).body.name
      await t.client.post(`/apps/${app}/webhooks`, {include: ['api:release'], level: 'sync', url})
      const started = Date.now()
      await t.client.patch(`/apps/${app}/config-vars`, {A: '1'})
      const delivery = await until('a failed delivery', async () => {
        const [d] = (await t.client.get(`/apps/${app}/webhook-deliveries`)).body
        return d?.status === 'failed' ? d : undefined
      })
      expect(Date.now() - started).to.be.lessThan(5000)
      expect(delivery.num_attempts).to.be.at.least(4)
      expect(delivery.next_attempt_at).to.equal(null)
      expect(delivery.last_attempt).to.include({code: null, error_class: 'ECONNREFUSED', status: 'failed'})
      const attempts = delivery.num_attempts
      await new Promise(resolve => setTimeout(resolve, 300))
      expect((await t.client.get(`/apps/${app}/webhook-deliveries/${delivery.id}`)).body.num_attempts).to.equal(attempts)
    } finally {
      await t.close()
    }
  })

  it('a receiver that does not answer is cut off at the attempt timeout', async () => {
    const t = await startTestPlatform({webhooks: {timeoutMs: 300}})
    const silent = new Receiver()
    silent.answer = () => {}
    const url = await silent.listen()
    try {
      const app = (await t.client.post('/apps', {})).body.name
      await t.client.post(`/apps/${app}/webhooks`, {include: ['api:release'], level: 'notify', url})
      await t.client.patch(`/apps/${app}/config-vars`, {A: '1'})
      const delivery = await until('a failed delivery', async () => {
        const [d] = (await t.client.get(`/apps/${app}/webhook-deliveries`)).body
        return d?.status === 'failed' ? d : undefined
      })
      expect(delivery.last_attempt).to.include({code: null, error_class: 'Timeout'})
    } finally {
      await t.close()
      await silent.close()
    }
  })

  it('never holds up the request that caused the event, and resumes a pending delivery after a restart', async () => {
    const first = await startTestPlatform()
    const receiver = new Receiver()
    receiver.answer = () => {}
    const url = await receiver.listen()
    let second: TestPlatform | undefined
    try {
      const app = (await first.client.post('/apps', {})).body.name
      await first.client.post(`/apps/${app}/webhooks`, {include: ['api:release'], level: 'sync', url, secret: 'restart-secret'})
      const started = Date.now()
      const config = await first.client.patch(`/apps/${app}/config-vars`, {A: '1'})
      expect(config.status).to.equal(200)
      const [hung] = await receiver.waitFor(1)
      expect(Date.now() - started).to.be.lessThan(5000)
      // the platform stops while the receiver has not answered
      await first.close({keepData: true})
      receiver.answer = (_req, res) => res.writeHead(200).end()
      second = await startTestPlatform({dataDir: first.dataDir})
      const hits = await receiver.waitFor(2)
      expect(hits[1].headers['heroku-webhook-id']).to.equal(hung.headers['heroku-webhook-id'])
      expect(hits[1].headers['heroku-webhook-hmac-sha256']).to.equal(sign('restart-secret', hits[1].body))
      expect(JSON.parse(hits[1].body).id).to.equal(JSON.parse(hung.body).id)
      const client = new ApiClient(second.platform.url, first.owner.token)
      const delivery = await until('the resumed delivery to succeed', async () => {
        const [d] = (await client.get(`/apps/${app}/webhook-deliveries`)).body
        return d?.status === 'succeeded' ? d : undefined
      })
      expect(delivery.num_attempts).to.equal(2)
    } finally {
      await second?.close()
      await receiver.close()
    }
  })
})

describe('platform: app webhooks of dynos (real dyno processes)', function () {
  this.timeout(60_000)
  let t: RuntimePlatform
  let receiver: Receiver
  let url: string

  before(async () => {
    t = await startRuntimePlatform()
    receiver = new Receiver()
    url = await receiver.listen()
  })

  after(async () => {
    await t.close()
    await receiver.close()
  })

  /** the payloads so far (each signed with `secret`), once one matches `match` */
  const payloadWhere = (secret: string, what: string, match: (p: {action: string, data: {name: string, state: string}, previous_data: {state?: string}}) => boolean) =>
    until(what, async () => (signedPayloads(receiver.received, secret).some(p => match(p)) ? signedPayloads(receiver.received, secret) : undefined), 20_000)

  it('sends a formation dyno made, starting then up, and destroyed when scaled away; a one-off from start to end', async () => {
    const created = await t.client.post('/apps', {name: 'hooked-dynos'})
    expect(created.status, created.text).to.equal(201)
    await t.client.post('/apps/hooked-dynos/webhooks', {include: ['api:dyno'], level: 'sync', url, secret: 'dyno-secret'})
    await deployFixture(t.client, 'hooked-dynos', {web: 'node server.js'})
    const upSeen = await payloadWhere('dyno-secret', 'web.1 up', p => p.action === 'update' && p.data.name === 'web.1' && p.data.state === 'up')
    const create = upSeen.find(p => p.action === 'create' && p.data.name === 'web.1')
    expect(create).to.deep.include({resource: 'dyno', previous_data: {}, version: 'application/vnd.heroku+json; version=3'})
    expect(create.actor).to.deep.include({id: created.body.owner.id})
    expectSchema('dyno', 'GET', 'Info', create.data)
    expect(create.data).to.deep.include({name: 'web.1', type: 'web', command: 'node server.js', attach_url: null})
    expect(create.data.app).to.deep.equal({id: created.body.id, name: 'hooked-dynos'})
    const up = upSeen.find(p => p.action === 'update' && p.data.state === 'up')
    expect(up.previous_data).to.deep.equal({state: 'starting'})
    expect(up.data.id).to.equal(create.data.id)
    const shown = (await t.client.get('/apps/hooked-dynos/dynos/web.1')).body
    expect(up.data).to.deep.equal(shown)

    receiver.received.length = 0
    expect((await t.client.patch('/apps/hooked-dynos/formation/web', {quantity: 0})).status).to.equal(200)
    const gone = await payloadWhere('dyno-secret', 'web.1 destroyed', p => p.action === 'destroy' && p.data.name === 'web.1')
    expect(gone.find(p => p.action === 'destroy')!.data).to.deep.include({id: create.data.id, name: 'web.1', type: 'web'})

    // a one-off: made, then gone once its command ended
    receiver.received.length = 0
    const run = await t.client.post('/apps/hooked-dynos/dynos', {command: 'echo done', attach: false})
    expect(run.status, run.text).to.equal(201)
    const ended = await payloadWhere('dyno-secret', 'the one-off destroyed', p => p.action === 'destroy' && p.data.name === run.body.name)
    const made = ended.find(p => p.action === 'create' && p.data.name === run.body.name)
    expect(made.data).to.deep.include({id: run.body.id, type: 'run', command: 'echo done', attach_url: null})
    const states = ended.filter(p => p.action === 'update' && p.data.name === run.body.name).map(p => `${p.previous_data.state}>${p.data.state}`)
    // deliveries may arrive out of order: the set of transitions
    expect(states).to.have.members(['down>starting', 'starting>up', 'up>down'])
  })
})
