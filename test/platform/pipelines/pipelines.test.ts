// Pipelines: an account's pipelines, apps coupled at a stage, and promotions — the upstream app's
// slug released on each downstream app with that app's own config, no rebuild; a downstream
// release phase that fails leaves that app on its release and the target failed.
import {expect} from 'chai'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {createUser} from '../../../src/platform/bootstrap.js'
import {deployFixture, type RuntimePlatform, startRuntimePlatform, viaRouter, waitFor} from '../fixtures/runtime/helpers.js'
import {ApiClient, expectError, expectSchema, startTestPlatform, type TestPlatform} from '../helpers.js'

describe('pipelines and couplings', function () {
  this.timeout(30_000)
  let t: TestPlatform
  let other: ApiClient

  before(async () => {
    t = await startTestPlatform()
    const user = await createUser(t.platform.store, {email: `other-${Math.random().toString(36).slice(2, 8)}@example.com`, password: 'correct horse battery'})
    other = t.client.withToken(user.token)
    for (const name of ['shop-staging', 'shop-prod', 'shop-dev']) expect((await t.client.post('/apps', {name})).status).to.equal(201)
    expect((await other.post('/apps', {name: 'not-yours'})).status).to.equal(201)
  })

  after(() => t.close())

  it('creates, finds (by id, by name, by eq[name]), renames and lists pipelines as the schema has them', async () => {
    const created = await t.client.post('/pipelines', {name: 'shop'})
    expect(created.status, created.text).to.equal(201)
    expectSchema('pipeline', 'POST', 'Create', created.body)
    expect(created.body).to.deep.include({name: 'shop', owner: {id: (await t.client.get('/account')).body.id, type: 'user'}})
    expectSchema('pipeline', 'GET', 'Info', (await t.client.get(`/pipelines/${created.body.id}`)).body)
    expect((await t.client.get('/pipelines/shop')).body.id).to.equal(created.body.id)
    const listed = await t.client.get('/pipelines')
    expectSchema('pipeline', 'GET', 'List', listed.body)
    expect(listed.body.map((p: {name: string}) => p.name)).to.deep.equal(['shop'])
    expect((await t.client.get('/pipelines?eq[name]=nope')).body).to.deep.equal([])
    // the same name twice, or a name the schema does not allow: 422 naming "name"
    const twice = await t.client.post('/pipelines', {name: 'shop'})
    expectError(twice, 422, 'invalid_params')
    expect(twice.body.message).to.include('"name"')
    const bad = await t.client.post('/pipelines', {name: 'Shop Front'})
    expectError(bad, 422, 'invalid_params')
    expect(bad.body.message).to.include('"name"')
    const renamed = await t.client.patch(`/pipelines/${created.body.id}`, {name: 'store'})
    expectSchema('pipeline', 'PATCH', 'Update', renamed.body)
    expect(renamed.body.name).to.equal('store')
    expect((await t.client.patch(`/pipelines/${created.body.id}`, {name: 'shop'})).body.name).to.equal('shop')
    // another account neither sees nor finds it
    expect((await other.get('/pipelines')).body).to.deep.equal([])
    expectError(await other.get(`/pipelines/${created.body.id}`), 404, 'not_found')
  })

  it('couples apps at a stage; an unknown stage, an app already in a pipeline or an app of someone else is refused, nothing made', async () => {
    const pipeline = (await t.client.get('/pipelines/shop')).body
    const coupling = await t.client.post('/pipeline-couplings', {app: 'shop-staging', pipeline: pipeline.id, stage: 'staging'})
    expect(coupling.status, coupling.text).to.equal(201)
    expectSchema('pipeline-coupling', 'POST', 'Create', coupling.body)
    expect(coupling.body).to.deep.include({stage: 'staging', pipeline: {id: pipeline.id, name: 'shop'}})
    expect((await t.client.post('/pipeline-couplings', {app: 'shop-prod', pipeline: pipeline.id, stage: 'production'})).status).to.equal(201)

    const stage = await t.client.post('/pipeline-couplings', {app: 'shop-dev', pipeline: pipeline.id, stage: 'qa'})
    expectError(stage, 422, 'invalid_params')
    expect(stage.body.message).to.include('"stage"')
    expectError(await t.client.get('/apps/shop-dev/pipeline-couplings'), 404, 'not_found')

    const again = await t.client.post('/pipeline-couplings', {app: 'shop-staging', pipeline: pipeline.id, stage: 'production'})
    expectError(again, 422, 'invalid_params')
    expect(again.body.message).to.include('"app"').and.include('already in')
    expect((await t.client.get('/apps/shop-staging/pipeline-couplings')).body.stage).to.equal('staging')

    expectError(await t.client.post('/pipeline-couplings', {app: 'not-yours', pipeline: pipeline.id, stage: 'development'}), 404, 'not_found')
    // nor can the other account couple its own app into a pipeline it does not own
    expectError(await other.post('/pipeline-couplings', {app: 'not-yours', pipeline: pipeline.id, stage: 'development'}), 404, 'not_found')
    expectError(await other.get('/apps/not-yours/pipeline-couplings'), 404, 'not_found')

    const byApp = await t.client.get('/apps/shop-staging/pipeline-couplings')
    expectSchema('pipeline-coupling', 'GET', 'Info By App', byApp.body)
    const byPipeline = await t.client.get(`/pipelines/${pipeline.id}/pipeline-couplings`)
    expectSchema('pipeline-coupling', 'GET', 'List By Pipeline', byPipeline.body)
    // a list is ordered by its Range field (id by default): compare the couplings, not their order
    expect(byPipeline.body.map((c: {app: {name: string}, stage: string}) => [c.app.name, c.stage]).sort()).to.deep.equal([['shop-prod', 'production'], ['shop-staging', 'staging']])
    expectError(await other.get(`/pipeline-couplings/${coupling.body.id}`), 404, 'not_found')
  })

  it('changes a coupling\'s stage, removes a coupling, and destroys a pipeline leaving its apps', async () => {
    const dev = await t.client.post('/pipeline-couplings', {app: 'shop-dev', pipeline: (await t.client.get('/pipelines/shop')).body.id, stage: 'development'})
    const patched = await t.client.patch(`/pipeline-couplings/${dev.body.id}`, {stage: 'review'})
    expectSchema('pipeline-coupling', 'PATCH', 'Update', patched.body)
    expect(patched.body.stage).to.equal('review')
    expectError(await t.client.patch(`/pipeline-couplings/${dev.body.id}`, {stage: 'nope'}), 422, 'invalid_params')
    const removed = await t.client.delete(`/pipeline-couplings/${dev.body.id}`)
    expectSchema('pipeline-coupling', 'DELETE', 'Delete', removed.body)
    expectError(await t.client.get('/apps/shop-dev/pipeline-couplings'), 404, 'not_found')

    const doomed = await t.client.post('/pipelines', {name: 'doomed'})
    expect((await t.client.post('/pipeline-couplings', {app: 'shop-dev', pipeline: doomed.body.id, stage: 'development'})).status).to.equal(201)
    const destroyed = await t.client.delete(`/pipelines/${doomed.body.id}`)
    expectSchema('pipeline', 'DELETE', 'Delete', destroyed.body)
    expectError(await t.client.get(`/pipelines/${doomed.body.id}`), 404, 'not_found')
    expectError(await t.client.get('/apps/shop-dev/pipeline-couplings'), 404, 'not_found')
    expect((await t.client.get('/apps/shop-dev')).status).to.equal(200)
  })

  it('refuses a promotion without a slug to promote, to itself, or to an app outside the pipeline', async () => {
    const pipeline = (await t.client.get('/pipelines/shop')).body
    const promote = (source: string, targets: string[]) => t.client.post('/pipeline-promotions', {
      pipeline: {id: pipeline.id}, source: {app: {id: source}}, targets: targets.map(id => ({app: {id}})),
    })
    expectError(await promote('shop-staging', ['shop-prod']), 422, 'invalid_params')
    expectError(await promote('shop-staging', ['shop-staging']), 422, 'invalid_params')
    expectError(await promote('shop-staging', ['shop-dev']), 422, 'invalid_params')
    expectError(await promote('shop-staging', ['not-yours']), 404, 'not_found')
    expectError(await promote('shop-staging', []), 422, 'invalid_params')
  })
})

describe('pipeline promotions', function () {
  this.timeout(120_000)
  let t: RuntimePlatform

  before(async () => {
    t = await startRuntimePlatform({releasePhaseTimeoutMs: 5000})
  })

  after(() => t.close())

  type Target = {app: {id: string}, error_message: null | string, release: null | {id: string}, status: string}

  async function pipelineOf(name: string, couplings: Record<string, string>): Promise<string> {
    const pipeline = await t.client.post('/pipelines', {name})
    expect(pipeline.status, pipeline.text).to.equal(201)
    for (const [app, stage] of Object.entries(couplings)) {
      const coupled = await t.client.post('/pipeline-couplings', {app, pipeline: pipeline.body.id, stage})
      expect(coupled.status, coupled.text).to.equal(201)
    }

    return pipeline.body.id
  }

  async function promote(pipeline: string, source: string, targets: string[]): Promise<Target[]> {
    const promotion = await t.client.post('/pipeline-promotions', {pipeline: {id: pipeline}, source: {app: {id: source}}, targets: targets.map(id => ({app: {id}}))})
    expect(promotion.status, promotion.text).to.equal(201)
    expectSchema('pipeline-promotion', 'POST', 'Create', promotion.body)
    expect(promotion.body.status).to.equal('pending')
    const finished = await waitFor('the promotion completed', async () => {
      const info = await t.client.get(`/pipeline-promotions/${promotion.body.id}`)
      return info.body.status === 'completed' ? info.body : undefined
    }, 60_000, 100)
    expectSchema('pipeline-promotion', 'GET', 'Info', finished)
    const targetsRes = await t.client.get(`/pipeline-promotions/${promotion.body.id}/promotion-targets`)
    expectSchema('pipeline-promotion-target', 'GET', 'List', targetsRes.body)
    return targetsRes.body as Target[]
  }

  const current = async (app: string) => ((await t.client.get(`/apps/${app}/releases`)).body as {current: boolean, description: string, slug: null | {id: string}, status: string, version: number}[]).find(r => r.current)!

  it('releases the upstream slug on two downstream apps, each with its own config, no rebuild', async () => {
    await deployFixture(t.client, 'promo-staging', {web: 'node server.js'}, {GREETING: 'from staging'})
    await deployFixture(t.client, 'promo-eu', {web: 'node server.js', worker: 'node worker.js'}, {GREETING: 'eu'})
    await deployFixture(t.client, 'promo-us', {web: 'node server.js'}, {GREETING: 'us'})
    const pipeline = await pipelineOf('promo', {'promo-staging': 'staging', 'promo-eu': 'production', 'promo-us': 'production'})
    const source = await current('promo-staging')
    const sourceSlug = (await t.client.get(`/apps/promo-staging/slugs/${source.slug!.id}`)).body
    const before = {eu: await current('promo-eu'), us: await current('promo-us')}
    const builds = (await t.client.get('/apps/promo-eu/builds')).body.length

    const targets = await promote(pipeline, 'promo-staging', ['promo-eu', 'promo-us'])
    expect(targets.map(target => [target.status, target.error_message])).to.deep.equal([['succeeded', null], ['succeeded', null]])
    for (const [app, greeting] of [['promo-eu', 'eu'], ['promo-us', 'us']] as const) {
      const release = await current(app)
      expect(release.version).to.equal(before[app === 'promo-eu' ? 'eu' : 'us'].version + 1)
      expect(release.description).to.equal(`Promote promo-staging v${source.version}`)
      expect(targets.map(target => target.release?.id)).to.include((await t.client.get(`/apps/${app}/releases/${release.version}`)).body.id)
      // the source's slug, as a slug of this app (slugs are per app): same process types, same tarball
      const slug = (await t.client.get(`/apps/${app}/slugs/${release.slug!.id}`)).body
      expect(slug.id).to.not.equal(sourceSlug.id)
      expect(slug.process_types).to.deep.equal({web: 'node server.js'})
      expect(slug.checksum).to.equal(sourceSlug.checksum)
      expect((await t.client.get(`/apps/${app}/config-vars`)).body.GREETING).to.equal(greeting)
      await waitFor(`${app} serves the promoted release with its own config`, async () => (await viaRouter(t.routerUrl, app, '/env?name=GREETING')).text === greeting, 20_000)
      await waitFor(`${app}'s dynos run the new release`, async () => ((await t.client.get(`/apps/${app}/dynos`)).body as {release: {version: number}}[]).every(d => d.release.version === release.version) || undefined, 20_000)
    }

    // the formation followed the slug: the worker the old slug had is gone
    expect(((await t.client.get('/apps/promo-eu/formation')).body as {type: string}[]).map(f => f.type)).to.deep.equal(['web'])
    expect((await t.client.get('/apps/promo-eu/builds')).body.length).to.equal(builds)

    // the downstream slugs outlive the upstream app
    const usSlug = (await current('promo-us')).slug!.id
    expect((await t.client.delete('/apps/promo-staging')).status).to.equal(200)
    expect(existsSync(join(t.dataDir, 'slugs', `${sourceSlug.id}.tgz`))).to.equal(false)
    expect(existsSync(join(t.dataDir, 'slugs', `${usSlug}.tgz`))).to.equal(true)
    expect((await t.client.delete('/apps/promo-us/dynos')).status).to.equal(202)
    await waitFor('promo-us comes back on the promoted slug', async () => (await viaRouter(t.routerUrl, 'promo-us', '/env?name=GREETING')).text === 'us', 20_000)
  })

  it('a downstream release phase that fails leaves that app on its release and the target failed; the other succeeds', async () => {
    const phased = {web: 'node server.js', release: 'echo "migrating"; [ -z "$FAIL" ] || exit 3'}
    await deployFixture(t.client, 'phase-staging', phased)
    await waitFor('the source release succeeded', async () => (await current('phase-staging'))?.slug ? true : undefined, 20_000)
    await deployFixture(t.client, 'phase-broken', {web: 'node server.js'}, {GREETING: 'old', FAIL: '1'})
    await deployFixture(t.client, 'phase-fine', {web: 'node server.js'}, {GREETING: 'fine'})
    const pipeline = await pipelineOf('phase', {'phase-staging': 'staging', 'phase-broken': 'production', 'phase-fine': 'production'})
    const broken = await current('phase-broken')
    const brokenApp = (await t.client.get('/apps/phase-broken')).body
    await waitFor('phase-broken serves', async () => (await viaRouter(t.routerUrl, 'phase-broken', '/env?name=GREETING')).text === 'old', 20_000)

    const targets = await promote(pipeline, 'phase-staging', ['phase-broken', 'phase-fine'])
    const byApp = Object.fromEntries(targets.map(target => [target.app.id, target]))
    const failed = byApp[brokenApp.id]
    expect(failed.status).to.equal('failed')
    expect(failed.error_message).to.match(/^Release v\d+ failed: The release command .* exited with status 3\.$/)
    expect(failed.release).to.not.equal(null)
    // still on its release, with its slug, serving as before
    const after = await current('phase-broken')
    expect({version: after.version, slug: after.slug}).to.deep.equal({version: broken.version, slug: broken.slug})
    const releases = (await t.client.get('/apps/phase-broken/releases')).body as {status: string, version: number}[]
    expect(releases.at(-1)).to.include({version: broken.version + 1, status: 'failed'})
    expect((await viaRouter(t.routerUrl, 'phase-broken', '/env?name=GREETING')).text).to.equal('old')
    expect(((await t.client.get('/apps/phase-broken/dynos')).body as {release: {version: number}}[]).map(d => d.release.version)).to.deep.equal([broken.version])

    const fine = targets.find(target => target !== failed)!
    expect(fine).to.include({status: 'succeeded', error_message: null})
    expect((await current('phase-fine')).description).to.match(/^Promote phase-staging v\d+$/)
  })
})
