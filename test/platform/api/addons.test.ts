import {expect} from 'chai'

import {PostgresqlProvider} from '../../../src/platform/addons/postgresql.js'
import {type AddonProvider, type Availability, ProviderError, type ProvisionContext, type ProvisionedAddon, type ProvisionResult} from '../../../src/platform/addons/provider.js'
import {expectError, expectSchema, startTestPlatform, type TestPlatform} from '../helpers.js'

/** A provider whose resources are entries in a map, so tests can see what exists. */
class RecordingProvider implements AddonProvider {
  readonly resources = new Map<string, {app: string, plan: string}>()
  failNextProvision: Error | undefined
  private counter = 0

  readonly service = {
    name: 'test-kv',
    humanName: 'Test KV',
    primaryAttachmentName: 'KV',
    attachmentNamePrefix: 'TEST_KV',
    plans: [
      {name: 'small', humanName: 'Small', description: 'small', default: true, priceCents: 0},
      {name: 'large', humanName: 'Large', description: 'large', priceCents: 500},
    ],
  }

  availability(): Availability {
    return {available: true}
  }

  async provision(ctx: ProvisionContext): Promise<ProvisionResult> {
    if (this.failNextProvision) {
      const error = this.failNextProvision
      this.failNextProvision = undefined
      throw error
    }

    const handle = `kv${++this.counter}`
    this.resources.set(handle, {plan: ctx.plan, app: ctx.appName})
    return {providerId: handle, configVars: {URL: `kv://127.0.0.1/${handle}`, TOKEN: `secret-${handle}`}, message: `created ${handle}`, webUrl: null}
  }

  async deprovision(addon: ProvisionedAddon): Promise<void> {
    if (!this.resources.delete(addon.providerId)) throw new ProviderError(`no such resource ${addon.providerId}`)
  }

  async changePlan(addon: ProvisionedAddon, toPlan: string) {
    this.resources.get(addon.providerId)!.plan = toPlan
    return {configVars: {URL: `kv://127.0.0.1/${addon.providerId}?plan=${toPlan}`, TOKEN: `secret-${addon.providerId}`}}
  }
}

describe('platform API: add-ons and attachments', () => {
  let t: TestPlatform
  let provider: RecordingProvider

  before(async () => {
    provider = new RecordingProvider()
    t = await startTestPlatform({addonProviders: [provider, new PostgresqlProvider('')]})
    await t.client.post('/apps', {name: 'kv-app'})
    await t.client.post('/apps', {name: 'kv-other'})
  })

  after(() => t.close())

  it('lists the catalog from the registered providers', async () => {
    const services = await t.client.get('/addon-services')
    expectSchema('add-on-service', 'GET', 'List', services.body)
    expect(services.body.map((s: {name: string}) => s.name).sort()).to.deep.equal(['heroku-postgresql', 'test-kv'])
    expectSchema('add-on-service', 'GET', 'Info', (await t.client.get('/addon-services/test-kv')).body)
    const plans = await t.client.get('/addon-services/test-kv/plans')
    expectSchema('plan', 'GET', 'List By Add-on', plans.body)
    expect(plans.body.map((p: {default: boolean, name: string}) => [p.name, p.default]).sort()).to.deep.equal([['test-kv:large', false], ['test-kv:small', true]])
    const plan = await t.client.get('/addon-services/test-kv/plans/large')
    expectSchema('plan', 'GET', 'Info By Add-on', plan.body)
    expectSchema('plan', 'GET', 'Info', (await t.client.get(`/plans/${plan.body.id}`)).body)
  })

  it('provisions through the provider, attaches as KV and releases the app', async () => {
    const res = await t.client.post('/apps/kv-app/addons', {plan: 'test-kv'})
    expect(res.status).to.equal(201)
    expectSchema('add-on', 'POST', 'Create', res.body)
    expect(res.body.name).to.match(/^test-kv-[a-z]+-\d{5}$/)
    expect(res.body.plan.name).to.equal('test-kv:small')
    expect(res.body.state).to.equal('provisioned')
    expect(res.body.config_vars).to.deep.equal(['KV_URL', 'KV_TOKEN'])
    expect(provider.resources.size).to.equal(1)
    const config = (await t.client.get('/apps/kv-app/config-vars')).body
    expect(config).to.deep.equal({KV_URL: 'kv://127.0.0.1/kv1', KV_TOKEN: 'secret-kv1'})
    const newest = (await t.client.get('/apps/kv-app/releases', {headers: {Range: 'version ..; order=desc, max=1'}})).body[0]
    expect(newest.description).to.equal(`Attach KV (@ref:${res.body.name})`)
    expect(newest.addon_plan_names).to.deep.equal(['test-kv:small'])
  })

  it('names a second add-on of the service with a color, or as asked', async () => {
    const second = await t.client.post('/apps/kv-app/addons', {plan: 'test-kv:large', name: 'my-cache'})
    expect(second.status).to.equal(201)
    expect(second.body.config_vars).to.deep.equal(['TEST_KV_AQUA_URL', 'TEST_KV_AQUA_TOKEN'])
    const third = await t.client.post('/apps/kv-app/addons', {plan: 'test-kv:small', attachment: {name: 'sessions'}, config: {size: '1'}})
    expect(third.body.config_vars).to.deep.equal(['SESSIONS_URL', 'SESSIONS_TOKEN'])
    expectError(await t.client.post('/apps/kv-app/addons', {plan: 'test-kv', name: 'my-cache'}), 422, 'invalid_params')
    expectError(await t.client.post('/apps/kv-app/addons', {plan: 'test-kv', attachment: {name: 'SESSIONS'}}), 422, 'invalid_params')
    expect(provider.resources.size).to.equal(3)
  })

  it('lists and shows add-ons by app, by account, by id and by name', async () => {
    const byApp = await t.client.get('/apps/kv-app/addons')
    expectSchema('add-on', 'GET', 'List By App', byApp.body)
    expect(byApp.body).to.have.length(3)
    const all = await t.client.get('/addons')
    expectSchema('add-on', 'GET', 'List', all.body)
    expect(all.body).to.have.length(3)
    expectSchema('add-on', 'GET', 'List By User', (await t.client.get('/users/~/addons')).body)
    const byName = await t.client.get('/addons/my-cache')
    expectSchema('add-on', 'GET', 'Info', byName.body)
    const byId = await t.client.get(`/apps/kv-app/addons/${byName.body.id}`)
    expectSchema('add-on', 'GET', 'Info By App', byId.body)
    expect(byId.body.name).to.equal('my-cache')
    expectError(await t.client.get('/apps/kv-other/addons/my-cache'), 404, 'not_found')
  })

  it('attaches an add-on to another app of the account, and detaches it', async () => {
    const res = await t.client.post('/addon-attachments', {addon: 'my-cache', app: 'kv-other', name: 'SHARED_CACHE'})
    expect(res.status).to.equal(201)
    expectSchema('add-on-attachment', 'POST', 'Create', res.body)
    expect(res.body.app.name).to.equal('kv-other')
    expect(res.body.addon.app.name).to.equal('kv-app')
    expect((await t.client.get('/apps/kv-other/config-vars')).body).to.deep.equal({SHARED_CACHE_URL: 'kv://127.0.0.1/kv2', SHARED_CACHE_TOKEN: 'secret-kv2'})
    expectSchema('add-on-attachment', 'GET', 'List', (await t.client.get('/addon-attachments')).body)
    const byAddon = await t.client.get('/addons/my-cache/addon-attachments')
    expectSchema('add-on-attachment', 'GET', 'List by Add-on', byAddon.body)
    expect(byAddon.body.map((a: {name: string}) => a.name).sort()).to.deep.equal(['SHARED_CACHE', 'TEST_KV_AQUA'])
    const byApp = await t.client.get('/apps/kv-other/addon-attachments')
    expectSchema('add-on-attachment', 'GET', 'List by App', byApp.body)
    expectSchema('add-on-attachment', 'GET', 'Info', (await t.client.get(`/addon-attachments/${res.body.id}`)).body)
    expectSchema('add-on-attachment', 'GET', 'Info by App', (await t.client.get('/apps/kv-other/addon-attachments/SHARED_CACHE')).body)
    expect((await t.client.get('/apps/kv-other/addons')).body.map((a: {name: string}) => a.name)).to.deep.equal(['my-cache'])

    const deleted = await t.client.delete(`/addon-attachments/${res.body.id}`)
    expect(deleted.status).to.equal(200)
    expectSchema('add-on-attachment', 'DELETE', 'Delete', deleted.body)
    expect((await t.client.get('/apps/kv-other/config-vars')).body).to.deep.equal({})
    const newest = (await t.client.get('/apps/kv-other/releases', {headers: {Range: 'version ..; order=desc, max=1'}})).body[0]
    expect(newest.description).to.equal('Detach SHARED_CACHE (@ref:my-cache)')
    // the add-on's only attachment on its billing app cannot be detached: destroy it instead
    const only = (await t.client.get('/apps/kv-app/addon-attachments/TEST_KV_AQUA')).body
    expectError(await t.client.delete(`/addon-attachments/${only.id}`), 422, 'invalid_params')
  })

  it('finds an add-on in an app by its attachment name too', async () => {
    const byAttachment = await t.client.get('/apps/kv-app/addons/test_kv_aqua')
    expect(byAttachment.status).to.equal(200)
    expect(byAttachment.body.name).to.equal('my-cache')
    expectError(await t.client.get('/apps/kv-other/addons/TEST_KV_AQUA'), 404, 'not_found')
  })

  it('resolves what a user typed to add-ons and attachments', async () => {
    const byName = await t.client.post('/actions/addons/resolve', {addon: 'my-cache'})
    expect(byName.status).to.equal(200)
    expectSchema('add-on', 'POST', 'Resolution', byName.body)
    expect(byName.body.map((a: {name: string}) => a.name)).to.deep.equal(['my-cache'])
    const byAttachment = await t.client.post('/actions/addons/resolve', {addon: 'KV', app: 'kv-app'})
    expect(byAttachment.body.map((a: {config_vars: string[]}) => a.config_vars[0])).to.deep.equal(['KV_URL'])
    const scoped = await t.client.post('/actions/addons/resolve', {addon: 'kv-app::SESSIONS'})
    expect(scoped.body.map((a: {config_vars: string[]}) => a.config_vars[0])).to.deep.equal(['SESSIONS_URL'])
    expectError(await t.client.post('/actions/addons/resolve', {addon: 'my-cache', addon_service: 'heroku-postgresql'}), 404, 'not_found')
    const attachments = await t.client.post('/actions/addon-attachments/resolve', {addon_attachment: 'my-cache'})
    expect(attachments.status).to.equal(200)
    expectSchema('add-on-attachment', 'POST', 'Resolution', attachments.body)
    expect(attachments.body.map((a: {name: string}) => a.name)).to.deep.equal(['TEST_KV_AQUA'])
    const byAttachmentName = await t.client.post('/actions/addon-attachments/resolve', {addon_attachment: 'kv', app: 'kv-app'})
    expect(byAttachmentName.body.map((a: {name: string}) => a.name)).to.deep.equal(['KV'])
    expectError(await t.client.post('/actions/addon-attachments/resolve', {addon_attachment: 'nothing-like-it'}), 404, 'not_found')
  })

  it('changes the plan through the provider and updates config everywhere', async () => {
    const res = await t.client.patch('/apps/kv-app/addons/my-cache', {plan: 'test-kv:small'})
    expect(res.status).to.equal(200)
    expectSchema('add-on', 'PATCH', 'Update', res.body)
    expect(res.body.plan.name).to.equal('test-kv:small')
    expect((await t.client.get('/apps/kv-app/config-vars')).body.TEST_KV_AQUA_URL).to.equal('kv://127.0.0.1/kv2?plan=test-kv:small')
    expectError(await t.client.patch('/apps/kv-app/addons/my-cache', {plan: 'heroku-postgresql:essential-0'}), 422, 'invalid_params')
  })

  it('destroys an add-on: deprovisioned, config removed, released', async () => {
    const res = await t.client.delete('/apps/kv-app/addons/my-cache')
    expect(res.status).to.equal(200)
    expectSchema('add-on', 'DELETE', 'Delete', res.body)
    expect(res.body.state).to.equal('deprovisioned')
    expect([...provider.resources.keys()].sort()).to.deep.equal(['kv1', 'kv3'])
    expect(Object.keys((await t.client.get('/apps/kv-app/config-vars')).body).sort()).to.deep.equal(['KV_TOKEN', 'KV_URL', 'SESSIONS_TOKEN', 'SESSIONS_URL'])
    expectError(await t.client.get('/addons/my-cache'), 404, 'not_found')
  })

  it('writes nothing when the provider fails, and reports its message (422)', async () => {
    const before = (await t.client.get('/apps/kv-app/releases')).body.length
    provider.failNextProvision = new ProviderError('the kv server is full')
    const res = await t.client.post('/apps/kv-app/addons', {plan: 'test-kv'})
    expectError(res, 422, 'invalid_params')
    expect(res.body.message).to.equal('the kv server is full')
    expect((await t.client.get('/apps/kv-app/releases')).body.length).to.equal(before)
    expect((await t.client.get('/apps/kv-app/addons')).body).to.have.length(2)
  })

  it('turns an unexpected provider crash into 500 internal_server_error without leaking the stack', async () => {
    provider.failNextProvision = new TypeError('cannot read properties of undefined (secret detail)')
    const res = await t.client.post('/apps/kv-app/addons', {plan: 'test-kv'}, {headers: {'Request-Id': 'crash-test-1'}})
    expectError(res, 500, 'internal_server_error')
    expect(res.text).not.to.include('secret detail')
    expect(res.body.message).to.include('crash-test-1')
    expect(t.serverLog.join('\n')).to.include('secret detail')
    expect((await t.client.get('/account')).status, 'server still up').to.equal(200)
  })

  it('says clearly when heroku-postgresql has no server configured (422), writing nothing', async () => {
    const res = await t.client.post('/apps/kv-app/addons', {plan: 'heroku-postgresql:essential-0'})
    expectError(res, 422, 'invalid_params')
    expect(res.body.message).to.include('HEROKU_PLATFORM_POSTGRES_URL')
    expectError(await t.client.post('/apps/kv-app/addons', {plan: 'no-such-service'}), 404, 'not_found')
  })

  it('deprovisions the add-ons of an app that is deleted', async () => {
    await t.client.post('/apps', {name: 'short-lived'})
    await t.client.post('/apps/short-lived/addons', {plan: 'test-kv'})
    const count = provider.resources.size
    expect((await t.client.delete('/apps/short-lived')).status).to.equal(200)
    expect(provider.resources.size).to.equal(count - 1)
  })
})
