// Partner add-on providers through the Add-on Partner API v3 (addons/partner.ts,
// api/addon-providers.ts): a real provider server (node:http) that checks the platform's Basic
// auth and answers provisioning synchronously or asynchronously, calling back to the platform
// API with its manifest credentials.

import type {AddressInfo} from 'node:net'

import {expect} from 'chai'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'

import {parseManifest, PartnerProvider, partnerProviders} from '../../../src/platform/addons/partner.js'
import {ProviderError} from '../../../src/platform/addons/provider.js'
import {createUser} from '../../../src/platform/bootstrap.js'
import {openStore} from '../../../src/platform/store/database.js'
import {ApiClient, expectError, expectSchema, type Json, startTestPlatform, type TestPlatform} from '../helpers.js'

interface SeenRequest {
  authorization: string | undefined
  body: Json
  method: string
  path: string
}

/** A partner's provisioning API: what the platform sent, and how to answer. */
class FakePartner {
  readonly requests: SeenRequest[] = []
  mode: 'async' | 'outside-prefix' | 'refuse' | 'sync' = 'sync'
  private server?: Server
  url = ''

  constructor(readonly id: string, readonly password: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res)
    })
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/heroku/resources`
    return this
  }

  async close(): Promise<void> {
    if (!this.server) return
    this.server.closeAllConnections()
    await new Promise(resolve => this.server!.close(resolve))
  }

  manifest(extra: Record<string, unknown> = {}) {
    const prefix = this.id.toUpperCase().replaceAll('-', '_')
    return {
      id: this.id,
      name: `${this.id} hosted`,
      api: {
        config_vars: [`${prefix}_URL`, `${prefix}_SECONDARY_URL`],
        password: this.password,
        sso_salt: 'salty',
        regions: ['us'],
        requires: [],
        production: {base_url: this.url, sso_url: `${this.url}/sso`},
        version: '3',
      },
      plans: [
        {name: 'sandbox', humanName: 'Sandbox', price: {cents: 0, unit: 'month'}, default: true},
        {name: 'big', humanName: 'Big', price: {cents: 1500, unit: 'month'}, description: 'a big one'},
      ],
      ...extra,
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const seen: SeenRequest = {method: req.method!, path: req.url!, authorization: req.headers.authorization, body: text === '' ? undefined : JSON.parse(text)}
    this.requests.push(seen)
    const reply = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : {'Content-Type': 'application/json'}).end(body === undefined ? undefined : JSON.stringify(body))
    }

    const expected = `Basic ${Buffer.from(`${this.id}:${this.password}`).toString('base64')}`
    if (req.headers.authorization !== expected) return reply(401, {message: 'bad credentials'})
    const prefix = this.id.toUpperCase().replaceAll('-', '_')
    const base = new URL(this.url).pathname
    if (req.method === 'POST' && req.url === base) {
      const {uuid} = seen.body
      if (this.mode === 'refuse') return reply(422, {message: 'We are full, sorry.'})
      if (this.mode === 'async') return reply(202, {id: `res-${uuid}`, message: 'Your database is being made.'})
      if (this.mode === 'outside-prefix') return reply(200, {id: `res-${uuid}`, config: {DATABASE_URL: 'mongodb://elsewhere'}})
      return reply(200, {id: `res-${uuid}`, config: {[`${prefix}_URL`]: `mongodb://db.example/${uuid}`}, message: 'Ready.'})
    }

    if (req.method === 'PUT' && req.url!.startsWith(`${base}/`)) {
      return reply(200, {config: {[`${prefix}_URL`]: `mongodb://db.example/${seen.body.plan}`}, message: `Now on ${seen.body.plan}.`})
    }

    if (req.method === 'DELETE' && req.url!.startsWith(`${base}/`)) return reply(204)
    reply(404, {message: 'no such route'})
  }
}

const basic = (id: string, password: string) => ({Authorization: `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}`})

const waitFor = async (what: string, check: () => Promise<boolean>): Promise<void> => {
  const until = Date.now() + 5000
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise(r => setTimeout(r, 20))
  }
}

describe('platform API: partner add-on providers (Add-on Partner API v3)', () => {
  let t: TestPlatform
  let partner: FakePartner
  let other: FakePartner

  beforeEach(async () => {
    partner = await new FakePartner('mongohq', 'p4ssw0rd-of-mongohq').start()
    other = await new FakePartner('other-db', 'p4ssw0rd-of-other').start()
    // the partner callbacks are served before the routes by default (server.ts's httpHandlers)
    t = await startTestPlatform({addonAnswerWaitMs: 2000})
    await t.client.post('/apps', {name: 'mongo-app'})
  })

  afterEach(async () => {
    await t.close()
    await partner.close()
    await other.close()
  })

  const register = async (p: FakePartner, client = t.client) => {
    const response = await client.post('/platform/addon-providers', p.manifest())
    expect(response.status, response.text).to.equal(201)
    return response
  }

  it('registers a manifest: listed without its secrets, and in the catalog with its plans', async () => {
    const registered = await register(partner)
    expect(registered.text).to.not.contain(partner.password).and.not.contain('salty')
    expect(registered.body).to.include({id: 'mongohq', name: 'mongohq hosted', addons: 0})
    expect(registered.body.owner).to.deep.equal({id: t.owner.account.id, email: t.owner.account.email})
    const listed = await t.client.get('/platform/addon-providers')
    expect(listed.body.map((p: {id: string}) => p.id)).to.deep.equal(['mongohq'])
    expect(listed.text).to.not.contain(partner.password)

    const services = await t.client.get('/addon-services')
    const service = services.body.find((s: {name: string}) => s.name === 'mongohq')
    expect(service).to.include({human_name: 'mongohq hosted'})
    expectSchema('add-on-service', 'GET', 'List', services.body)
    const plans = await t.client.get('/addon-services/mongohq/plans')
    expect(plans.body.map((p: {default: boolean, name: string, price: {cents: number}}) => [p.name, p.default, p.price.cents]).sort())
      .to.deep.equal([['mongohq:big', false, 1500], ['mongohq:sandbox', true, 0]])
  })

  it('refuses a bad manifest, and an id another account registered', async () => {
    expectError(await t.client.post('/platform/addon-providers', {...partner.manifest(), id: 'Not A Slug'}), 422, 'invalid_params')
    const noV3 = partner.manifest()
    noV3.api.version = '1'
    const refused = await t.client.post('/platform/addon-providers', noV3)
    expectError(refused, 422, 'invalid_params')
    expect(refused.body.message).to.contain('version 3')
    const outside = partner.manifest()
    outside.api.config_vars = ['DATABASE_URL']
    expect((await t.client.post('/platform/addon-providers', outside)).body.message).to.contain('MONGOHQ_')
    expectError(await t.client.post('/platform/addon-providers', {...partner.manifest(), plans: []}), 422, 'invalid_params')
    await register(partner)
    const stranger = await createUser(t.platform.store, {email: 'stranger@example.com', password: 'another password'})
    expectError(await t.client.withToken(stranger.token).post('/platform/addon-providers', partner.manifest()), 409, 'conflict')
  })

  it('provisions synchronously: the partner gets the v3 request, the app gets MONGOHQ_URL', async () => {
    await register(partner)
    const created = await t.client.post('/apps/mongo-app/addons', {plan: 'mongohq:sandbox', config: {size: 'small'}})
    expect(created.status, created.text).to.equal(201)
    expect(created.body).to.include({state: 'provisioned', provider_id: `res-${created.body.id}`, provision_message: 'Ready.'})
    expect(created.body.config_vars).to.deep.equal(['MONGOHQ_URL'])

    const [provision] = partner.requests
    expect(provision.method).to.equal('POST')
    expect(provision.path).to.equal('/heroku/resources')
    expect(provision.authorization).to.equal(basic('mongohq', partner.password).Authorization)
    expect(provision.body).to.deep.include({
      uuid: created.body.id, name: created.body.name, plan: 'sandbox', options: {size: 'small'},
      callback_url: `${t.platform.url}/addons/${created.body.id}`,
    })
    expect(Object.keys(provision.body).sort()).to.deep.equal(['callback_url', 'heroku_id', 'log_drain_token', 'log_input_url', 'name', 'oauth_grant', 'options', 'plan', 'region', 'uuid'])

    const config = await t.client.get('/apps/mongo-app/config-vars')
    expect(config.body).to.deep.equal({MONGOHQ_URL: `mongodb://db.example/${created.body.id}`})
  })

  it('provisions asynchronously: provisioning until the partner reports config and readiness', async () => {
    await register(partner)
    partner.mode = 'async'
    const created = await t.client.post('/apps/mongo-app/addons', {plan: 'mongohq'})
    expect(created.status, created.text).to.equal(201)
    expect(created.body).to.include({state: 'provisioning', provision_message: 'Your database is being made.'})
    const id = created.body.id as string

    const creds = {headers: basic('mongohq', partner.password), token: null}
    const patched = await t.client.patch(`/addons/${id}/config`, {config: [{name: 'MONGOHQ_URL', value: 'mongodb://async.example/1'}]}, creds)
    expect(patched.status, patched.text).to.equal(200)
    expectSchema('add-on-config', 'PATCH', 'Update', patched.body)
    expect(patched.body).to.deep.equal([{name: 'MONGOHQ_URL', value: 'mongodb://async.example/1'}])
    // still provisioning: the app has no var yet
    expect((await t.client.get(`/apps/mongo-app/addons/${id}`)).body.state).to.equal('provisioning')
    expect((await t.client.get('/apps/mongo-app/config-vars')).body).to.deep.equal({})

    const done = await t.client.post(`/addons/${id}/actions/provision`, undefined, creds)
    expect(done.status, done.text).to.equal(200)
    expectSchema('add-on-action', 'POST', 'Provision', done.body)
    expect(done.body.state).to.equal('provisioned')
    expect((await t.client.get('/apps/mongo-app/config-vars')).body).to.deep.equal({MONGOHQ_URL: 'mongodb://async.example/1'})

    // later config changes reach the app in a release; null removes a var
    await t.client.patch(`/addons/${id}/config`, {config: [{name: 'MONGOHQ_SECONDARY_URL', value: 'mongodb://b'}]}, creds)
    expect((await t.client.get('/apps/mongo-app/config-vars')).body).to.deep.equal({MONGOHQ_URL: 'mongodb://async.example/1', MONGOHQ_SECONDARY_URL: 'mongodb://b'})
    await t.client.patch(`/addons/${id}/config`, {config: [{name: 'MONGOHQ_SECONDARY_URL', value: null}]}, creds)
    expect((await t.client.get('/apps/mongo-app/config-vars')).body).to.deep.equal({MONGOHQ_URL: 'mongodb://async.example/1'})
    const releases = await t.client.get('/apps/mongo-app/releases')
    expect(releases.body.map((r: {description: string}) => r.description).slice(-2)).to.deep.equal([
      `Update config of MONGOHQ (@ref:${created.body.name}) by mongohq`, `Update config of MONGOHQ (@ref:${created.body.name}) by mongohq`,
    ])

    // the customer reads it, but may not write it
    expect((await t.client.get(`/addons/${id}/config`)).body).to.deep.equal([{name: 'MONGOHQ_URL', value: 'mongodb://async.example/1'}])
    expectError(await t.client.patch(`/addons/${id}/config`, {config: []}), 403, 'forbidden')
    expectError(await t.client.post(`/addons/${id}/actions/provision`), 403, 'forbidden')
  })

  it('a partner reporting a failed async provisioning leaves the add-on deprovisioned, its app untouched', async () => {
    await register(partner)
    partner.mode = 'async'
    const created = await t.client.post('/apps/mongo-app/addons', {plan: 'mongohq'})
    const failed = await t.client.post(`/addons/${created.body.id}/actions/deprovision`, undefined, {headers: basic('mongohq', partner.password), token: null})
    expect(failed.status, failed.text).to.equal(200)
    expect(failed.body.state).to.equal('deprovisioned')
    expect((await t.client.get('/apps/mongo-app/config-vars')).body).to.deep.equal({})
  })

  it('changes the plan with PUT {base_url}/{uuid} and destroys with DELETE {base_url}/{uuid}', async () => {
    await register(partner)
    const created = await t.client.post('/apps/mongo-app/addons', {plan: 'mongohq:sandbox'})
    const id = created.body.id as string
    const changed = await t.client.patch(`/apps/mongo-app/addons/${id}`, {plan: 'mongohq:big'})
    expect(changed.status, changed.text).to.equal(200)
    expect(changed.body.plan.name).to.equal('mongohq:big')
    const put = partner.requests.find(r => r.method === 'PUT')!
    expect(put.path).to.equal(`/heroku/resources/${id}`)
    expect(put.body).to.include({plan: 'big'})
    expect(put.authorization).to.equal(basic('mongohq', partner.password).Authorization)
    expect((await t.client.get('/apps/mongo-app/config-vars')).body).to.deep.equal({MONGOHQ_URL: 'mongodb://db.example/big'})

    const destroyed = await t.client.delete(`/apps/mongo-app/addons/${id}`)
    expect(destroyed.status, destroyed.text).to.equal(200)
    const del = partner.requests.find(r => r.method === 'DELETE')!
    expect(del.path).to.equal(`/heroku/resources/${id}`)
    expect((await t.client.get('/apps/mongo-app/config-vars')).body).to.deep.equal({})
    expect((await t.client.get('/apps/mongo-app/addons')).body).to.deep.equal([])
  })

  it('a provider that is down, refuses, or sets vars outside its prefix: a clear 422 and nothing left', async () => {
    await register(partner)
    await partner.close()
    const down = await t.client.post('/apps/mongo-app/addons', {plan: 'mongohq'})
    expectError(down, 422, 'invalid_params')
    expect(down.body.message).to.match(/mongohq hosted add-on provider is unreachable at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/)
    expect(down.text).to.not.contain(partner.password)
    expect((await t.client.get('/apps/mongo-app/addons')).body).to.deep.equal([])
    expect(t.serverLog.join('\n')).to.not.contain(partner.password)

    await register(other)
    other.mode = 'refuse'
    const refused = await t.client.post('/apps/mongo-app/addons', {plan: 'other-db'})
    expectError(refused, 422, 'invalid_params')
    expect(refused.body.message).to.contain('answered HTTP 422: We are full, sorry.')
    other.mode = 'outside-prefix'
    const outside = await t.client.post('/apps/mongo-app/addons', {plan: 'other-db'})
    expectError(outside, 422, 'invalid_params')
    expect(outside.body.message).to.contain('outside its prefix OTHER_DB_: DATABASE_URL')
    // the resource the partner made was deprovisioned
    await waitFor('the undo', async () => other.requests.some(r => r.method === 'DELETE'))
    expect((await t.client.get('/apps/mongo-app/addons')).body).to.deep.equal([])
    expect((await t.client.get('/apps/mongo-app/config-vars')).body).to.deep.equal({})
  })

  it('refuses wrong callback credentials, and another provider cannot touch this provider\'s add-ons', async () => {
    await register(partner)
    await register(other)
    partner.mode = 'async'
    const created = await t.client.post('/apps/mongo-app/addons', {plan: 'mongohq'})
    const id = created.body.id as string
    const body = {config: [{name: 'MONGOHQ_URL', value: 'mongodb://evil'}]}
    expectError(await t.client.patch(`/addons/${id}/config`, body, {headers: basic('mongohq', 'wrong'), token: null}), 401, 'unauthorized')
    expectError(await t.client.post(`/addons/${id}/actions/provision`, undefined, {headers: basic('mongohq', 'wrong'), token: null}), 401, 'unauthorized')
    expectError(await t.client.patch(`/addons/${id}/config`, body, {headers: basic('other-db', other.password), token: null}), 404, 'not_found')
    expectError(await t.client.post(`/addons/${id}/actions/provision`, undefined, {headers: basic('other-db', other.password), token: null}), 404, 'not_found')
    // the owner's own password is no partner credential either
    expectError(await t.client.patch(`/addons/${id}/config`, body, {headers: basic(t.owner.account.email, t.owner.password), token: null}), 401, 'unauthorized')
    // a var outside the prefix is refused
    const outside = await t.client.patch(`/addons/${id}/config`, {config: [{name: 'PATH', value: '/evil'}]}, {headers: basic('mongohq', partner.password), token: null})
    expectError(outside, 422, 'invalid_params')
    expect((await t.client.get(`/apps/mongo-app/addons/${id}`)).body.state).to.equal('provisioning')
    expect((await t.client.get('/apps/mongo-app/config-vars')).body).to.deep.equal({})
  })

  it('unregisters by its owner only, once it has no add-ons', async () => {
    await register(partner)
    const stranger = await createUser(t.platform.store, {email: 'stranger@example.com', password: 'another password'})
    expectError(await t.client.withToken(stranger.token).delete('/platform/addon-providers/mongohq'), 403, 'forbidden')
    const created = await t.client.post('/apps/mongo-app/addons', {plan: 'mongohq'})
    const busy = await t.client.delete('/platform/addon-providers/mongohq')
    expectError(busy, 422, 'invalid_params')
    expect(busy.body.message).to.contain('still has 1 add-on')
    await t.client.delete(`/apps/mongo-app/addons/${created.body.id}`)
    const removed = await t.client.delete('/platform/addon-providers/mongohq')
    expect(removed.status, removed.text).to.equal(200)
    expect((await t.client.get('/addon-services')).body.map((s: {name: string}) => s.name)).to.not.include('mongohq')
    expectError(await t.client.get('/platform/addon-providers/mongohq'), 404, 'not_found')
  })

  it('a restart keeps the providers (partnerProviders) and the config an async partner sent', async () => {
    await register(partner)
    partner.mode = 'async'
    const created = await t.client.post('/apps/mongo-app/addons', {plan: 'mongohq'})
    const id = created.body.id as string
    const creds = {headers: basic('mongohq', partner.password), token: null}
    await t.client.patch(`/addons/${id}/config`, {config: [{name: 'MONGOHQ_URL', value: 'mongodb://after-restart'}]}, creds)
    await t.close({keepData: true})
    // the platform's start gives the catalog the providers registered in the store (server.ts)
    const store = openStore(t.dataDir)
    expect(partnerProviders(store).map(p => p.id)).to.deep.equal(['mongohq'])
    store.close()
    const {owner} = t
    t = await startTestPlatform({dataDir: t.dataDir, addonAnswerWaitMs: 2000})
    const client = new ApiClient(t.platform.url, owner.token)
    expect((await client.get('/addon-services')).body.map((s: {name: string}) => s.name)).to.include('mongohq')
    expect((await client.get(`/apps/mongo-app/addons/${id}`)).body.state).to.equal('provisioning')
    const done = await client.post(`/addons/${id}/actions/provision`, undefined, creds)
    expect(done.status, done.text).to.equal(200)
    expect((await client.get('/apps/mongo-app/config-vars')).body).to.deep.equal({MONGOHQ_URL: 'mongodb://after-restart'})
    // a second attachment names the vars after itself, as on Heroku
    await client.post('/apps', {name: 'second-app'})
    const attached = await client.post('/addon-attachments', {addon: id, app: 'second-app', name: 'BACKUP'})
    expect(attached.status, attached.text).to.equal(201)
    expect((await client.get('/apps/second-app/config-vars')).body).to.deep.equal({BACKUP_URL: 'mongodb://after-restart'})
  })

  it('a partner that does not answer within the timeout fails with the reason', async () => {
    const hanging = createServer(() => {})
    await new Promise<void>(resolve => hanging.listen(0, '127.0.0.1', resolve))
    try {
      const manifest = parseManifest({...partner.manifest(), api: {...partner.manifest().api, production: {base_url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/r`}}})
      const provider = new PartnerProvider(manifest, {timeoutMs: 200})
      await provider.start({apiUrl: 'http://127.0.0.1:1'} as never)
      const error = await provider.provision({addonId: 'a1', addonName: 'n', appName: 'app', plan: 'mongohq:sandbox', options: {}}).then(() => undefined, (error_: Error) => error_)
      expect(error).to.be.instanceOf(ProviderError)
      expect(error!.message).to.equal(`Could not provision the add-on: the mongohq hosted add-on provider did not answer within 200 ms (http://127.0.0.1:${(hanging.address() as AddressInfo).port}).`)
    } finally {
      hanging.closeAllConnections()
      await new Promise(resolve => hanging.close(resolve))
    }
  })
})
