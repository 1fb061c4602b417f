// Liberal in what the platform accepts, as Heroku is: identities as {"id"}/{"name"} objects,
// quantities as numeric strings, fields beyond the schema ignored — the shapes the official
// Heroku CLI sends. A malformed value still answers 422 naming the field.
import {expect} from 'chai'

import type {AddonProvider} from '../../../src/platform/addons/provider.js'

import {expectError, startTestPlatform, type TestPlatform} from '../helpers.js'

const kv: AddonProvider = {
  service: {
    name: 'shape-kv', humanName: 'Shape KV', primaryAttachmentName: 'KV', attachmentNamePrefix: 'SHAPE_KV',
    plans: [{name: 'basic', humanName: 'Basic', description: 'basic', default: true}, {name: 'big', humanName: 'Big', description: 'big'}],
  },
  availability: () => ({available: true}),
  provision: async ctx => ({providerId: ctx.addonId, configVars: {URL: `kv://${ctx.addonId}`}}),
  async deprovision() {},
  changePlan: async () => ({}),
}

describe('platform API: the request shapes other clients send', () => {
  let t: TestPlatform

  before(async () => {
    t = await startTestPlatform({addonProviders: [kv]})
  })

  after(() => t.close())

  it('creates an app with region and stack as identity objects, ignoring fields it does not know', async () => {
    const res = await t.client.post('/apps', {name: 'shapes', region: {name: 'us'}, stack: {name: 'heroku-24'}, space: null, internal_routing: false})
    expect(res.status, res.text).to.equal(201)
    expect(res.body.name).to.equal('shapes')
  })

  it('takes the official CLI\'s addons:create body: plan as {"name"}, an empty attachment, config', async () => {
    const res = await t.client.post('/apps/shapes/addons', {plan: {name: 'shape-kv'}, attachment: {}, config: {}})
    expect(res.status, res.text).to.equal(201)
    expect(res.body.plan.name).to.equal('shape-kv:basic')
    const byId = await t.client.post('/apps/shapes/addons', {plan: {id: res.body.plan.id}, attachment: {name: 'OTHER'}})
    expect(byId.status, byId.text).to.equal(201)
    expect(byId.body.config_vars).to.deep.equal(['OTHER_URL'])
  })

  it('attaches with addon and app as identity objects', async () => {
    await t.client.post('/apps', {name: 'shapes-two'})
    const addon = (await t.client.get('/apps/shapes/addons')).body[0]
    const res = await t.client.post('/addon-attachments', {addon: {name: addon.name}, app: {name: 'shapes-two'}})
    expect(res.status, res.text).to.equal(201)
    expect(res.body.app.name).to.equal('shapes-two')
    const byId = await t.client.post('/addon-attachments', {addon: {id: addon.id}, app: {id: res.body.app.id}, name: 'AGAIN'})
    expect(byId.status, byId.text).to.equal(201)
  })

  it('changes a plan given as {"name"}', async () => {
    const addon = (await t.client.get('/apps/shapes/addons')).body[0]
    const res = await t.client.patch(`/apps/shapes/addons/${addon.id}`, {plan: {name: 'shape-kv:big'}})
    expect(res.status, res.text).to.equal(200)
    expect(res.body.plan.name).to.equal('shape-kv:big')
  })

  it('scales with quantities as numeric strings (ps:scale web=1 from the official CLI)', async () => {
    const slug = await t.client.post('/apps/shapes/slugs', {process_types: {web: 'node index.js'}})
    expect((await t.client.post('/apps/shapes/releases', {slug: {id: slug.body.id}})).status).to.equal(201)
    const batch = await t.client.patch('/apps/shapes/formation', {updates: [{type: 'web', quantity: '2'}]})
    expect(batch.status, batch.text).to.equal(200)
    expect(batch.body[0].quantity).to.equal(2)
    const one = await t.client.patch('/apps/shapes/formation/web', {quantity: '0', size: 'basic'})
    expect(one.body.quantity).to.equal(0)
  })

  it('still answers 422 naming the field for a malformed identity or quantity', async () => {
    const plan = await t.client.post('/apps/shapes/addons', {plan: {colour: 'red'}})
    expectError(plan, 422, 'invalid_params')
    expect(plan.body.message).to.include('"plan"')
    const quantity = await t.client.patch('/apps/shapes/formation', {updates: [{type: 'web', quantity: 'two'}]})
    expectError(quantity, 422, 'invalid_params')
    expect(quantity.body.message).to.include('quantity')
    expectError(await t.client.patch('/apps/shapes/formation', {updates: [{type: 'web', quantity: '-1'}]}), 422, 'invalid_params')
  })

  it('includes the add-on\'s plan and the attachment\'s config vars when asked (Accept-Inclusion, as pg:info asks)', async () => {
    const plain = (await t.client.get('/apps/shapes/addon-attachments')).body
    expect(plain[0]).not.to.have.property('config_vars')
    expect(plain[0].addon).not.to.have.property('plan')
    const res = await t.client.get('/apps/shapes/addon-attachments', {headers: {'Accept-Inclusion': 'addon:plan,config_vars'}})
    expect(res.status).to.equal(200)
    const primary = res.body.find((a: {name: string}) => a.name === 'KV')
    const addon = (await t.client.get(`/addons/${primary.addon.id}`)).body
    expect(primary.addon.plan).to.deep.equal({id: addon.plan.id, name: addon.plan.name})
    expect(primary.config_vars).to.deep.equal(['KV_URL'])
  })
})
