// Add-on provisioning over time (addons/lifecycle.ts): an add-on is `provisioning` until its
// provider is done, then its apps get its vars in a release; a late failure leaves it
// deprovisioned with the reason and nothing behind; a provider that answers "pending" finishes
// through the runtime; a platform restart resumes what it interrupted.
import {expect} from 'chai'

import type {AddonProvider, ProviderRuntime, ProvisionContext, ProvisionedAddon, ProvisionResult} from '../../../src/platform/addons/provider.js'

import {ProviderError} from '../../../src/platform/addons/provider.js'
import {expectError, startTestPlatform, type TestPlatform} from '../helpers.js'

/** A provider whose provisioning waits until the test lets it go. */
class GatedProvider implements AddonProvider {
  readonly made = new Map<string, string>()
  readonly undone: string[] = []
  readonly calls: string[] = []
  runtime?: ProviderRuntime
  mode: 'fail' | 'ok' | 'pending' = 'ok'
  private gates: (() => void)[] = []

  readonly service = {
    name: 'slow-kv', humanName: 'Slow KV', primaryAttachmentName: 'SLOW', attachmentNamePrefix: 'SLOW_KV',
    plans: [{name: 'basic', humanName: 'Basic', description: 'basic', default: true}],
  }

  async start(runtime: ProviderRuntime): Promise<void> {
    this.runtime = runtime
  }

  availability() {
    return {available: true} as const
  }

  release(): void {
    for (const open of this.gates.splice(0)) open()
  }

  async provision(ctx: ProvisionContext): Promise<ProvisionResult> {
    this.calls.push(ctx.addonId)
    await new Promise<void>(resolve => this.gates.push(resolve))
    this.made.set(ctx.addonId, ctx.plan)
    if (this.mode === 'fail') throw new ProviderError('the disk is full')
    if (this.mode === 'pending') return {providerId: `p-${ctx.addonId}`, configVars: {}, pending: true}
    return {providerId: `p-${ctx.addonId}`, configVars: {URL: `kv://${ctx.addonId}`}, plainConfigVars: {KV_HOST: 'here'}}
  }

  async deprovision(addon: ProvisionedAddon): Promise<void> {
    this.undone.push(addon.addonId)
    this.made.delete(addon.addonId)
  }

  async changePlan() {
    return {}
  }
}

const waitFor = async (what: string, check: () => Promise<boolean>): Promise<void> => {
  const until = Date.now() + 5000
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise(r => setTimeout(r, 20))
  }
}

describe('platform API: add-on provisioning over time', () => {
  let t: TestPlatform
  let provider: GatedProvider
  const addon = (id: string) => t.client.get(`/apps/slow-app/addons/${id}`)

  beforeEach(async () => {
    provider = new GatedProvider()
    t = await startTestPlatform({addonProviders: [provider], addonAnswerWaitMs: 50})
    await t.client.post('/apps', {name: 'slow-app'})
  })

  afterEach(() => t.close())

  it('answers provisioning, then gives the apps its vars in a release once the provider is done', async () => {
    const created = await t.client.post('/apps/slow-app/addons', {plan: 'slow-kv'})
    expect(created.status).to.equal(201)
    expect(created.body.state).to.equal('provisioning')
    expect((await t.client.get('/apps/slow-app/config-vars')).body).to.deep.equal({})
    const releasesBefore = (await t.client.get('/apps/slow-app/releases')).body.length
    provider.release()
    await waitFor('provisioned', async () => (await addon(created.body.id)).body.state === 'provisioned')
    expect((await t.client.get('/apps/slow-app/config-vars')).body).to.deep.equal({SLOW_URL: `kv://${created.body.id}`, KV_HOST: 'here'})
    expect((await addon(created.body.id)).body.config_vars).to.deep.equal(['SLOW_URL', 'KV_HOST'])
    const releases = (await t.client.get('/apps/slow-app/releases')).body
    expect(releases.length).to.equal(releasesBefore + 1)
    expect(releases.at(-1).description).to.equal(`Attach SLOW (@ref:${created.body.name})`)
  })

  it('a second add-on of the service gets its prefixed vars but never overwrites the plain ones', async () => {
    const first = t.client.post('/apps/slow-app/addons', {plan: 'slow-kv'})
    await waitFor('a provision call', async () => provider.calls.length === 1)
    provider.release()
    await first
    await waitFor('provisioned', async () => (await t.client.get('/apps/slow-app/config-vars')).body.KV_HOST === 'here')
    const second = t.client.post('/apps/slow-app/addons', {plan: 'slow-kv'})
    await waitFor('a second call', async () => provider.calls.length === 2)
    provider.release()
    const {body} = await second
    await waitFor('provisioned', async () => (await addon(body.id)).body.state === 'provisioned')
    const config = (await t.client.get('/apps/slow-app/config-vars')).body
    expect(Object.keys(config).sort()).to.deep.equal(['KV_HOST', 'SLOW_KV_AQUA_URL', 'SLOW_URL'])
  })

  it('a late failure leaves the add-on deprovisioned with the reason, its work undone and no vars', async () => {
    provider.mode = 'fail'
    const created = await t.client.post('/apps/slow-app/addons', {plan: 'slow-kv'})
    expect(created.body.state).to.equal('provisioning')
    provider.release()
    await waitFor('deprovisioned', async () => (await addon(created.body.id)).body.state === 'deprovisioned')
    const failed = (await addon(created.body.id)).body
    expect(failed.provision_message).to.equal('Provisioning failed: the disk is full')
    expect(provider.undone).to.deep.equal([created.body.id])
    expect((await t.client.get('/apps/slow-app/config-vars')).body).to.deep.equal({})
    expect((await t.client.get('/apps/slow-app/addon-attachments')).body).to.deep.equal([])
    expectError(await t.client.patch(`/apps/slow-app/addons/${created.body.id}`, {plan: 'slow-kv:basic'}), 422, 'invalid_params')
    // what is left can be destroyed, without asking the provider again
    expect((await t.client.delete(`/apps/slow-app/addons/${created.body.id}`)).status).to.equal(200)
    expect(provider.undone).to.have.length(1)
  })

  it('a failure while the client waits fails the request and leaves nothing', async () => {
    await t.close()
    provider = new GatedProvider()
    t = await startTestPlatform({addonProviders: [provider], addonAnswerWaitMs: 5000})
    await t.client.post('/apps', {name: 'slow-app'})
    provider.mode = 'fail'
    const request = t.client.post('/apps/slow-app/addons', {plan: 'slow-kv'})
    await waitFor('a provision call', async () => provider.calls.length === 1)
    provider.release()
    expectError(await request, 422, 'invalid_params')
    expect((await t.client.get('/apps/slow-app/addons')).body).to.deep.equal([])
  })

  it('a pending provider finishes through the runtime (the Partner API\'s async provisioning)', async () => {
    provider.mode = 'pending'
    const created = await t.client.post('/apps/slow-app/addons', {plan: 'slow-kv'})
    provider.release()
    await waitFor('a provider id', async () => (await addon(created.body.id)).body.provider_id === `p-${created.body.id}`)
    expect((await addon(created.body.id)).body.state).to.equal('provisioning')
    await provider.runtime!.completeProvisioning(created.body.id, {configVars: {URL: 'kv://later'}})
    expect((await addon(created.body.id)).body.state).to.equal('provisioned')
    expect((await t.client.get('/apps/slow-app/config-vars')).body).to.deep.equal({SLOW_URL: 'kv://later'})
  })

  it('destroying an add-on that is still provisioning waits for it, then undoes it', async () => {
    const created = await t.client.post('/apps/slow-app/addons', {plan: 'slow-kv'})
    const destroying = t.client.delete(`/apps/slow-app/addons/${created.body.id}`)
    await new Promise(r => setTimeout(r, 50))
    provider.release()
    expect((await destroying).status).to.equal(200)
    expect(provider.made.size).to.equal(0)
    expect((await t.client.get('/apps/slow-app/config-vars')).body).to.deep.equal({})
  })

  it('a restart while provisioning resumes it with the same options', async () => {
    const created = await t.client.post('/apps/slow-app/addons', {plan: 'slow-kv', config: {size: '3'}})
    await t.close({keepData: true})
    const second = new GatedProvider()
    const again = await startTestPlatform({addonProviders: [second], dataDir: t.dataDir})
    try {
      const client = again.client.withToken(t.client.token)
      await waitFor('the provision called again', async () => second.calls.includes(created.body.id))
      second.release()
      await waitFor('provisioned', async () => (await client.get(`/apps/slow-app/addons/${created.body.id}`)).body.state === 'provisioned')
      expect((await client.get('/apps/slow-app/config-vars')).body.SLOW_URL).to.equal(`kv://${created.body.id}`)
    } finally {
      provider.release()
      await again.close()
    }

    t = await startTestPlatform({addonProviders: [new GatedProvider()]})
  })
})
