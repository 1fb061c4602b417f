import {expect} from 'chai'

import {ApiClient} from '../../../src/lib/api/client.js'
import {addToPipeline} from '../../../src/lib/pipelines/pipelines.js'
import {API, api, run, useIsolatedEnv} from '../../helpers/cli.js'
import {scriptedPrompter} from '../../helpers/scripted-prompter.js'
import {testOutput} from '../../helpers/test-output.js'

const PIPELINE_ID = '11111111-2222-4333-8444-555555555555'
const OWNER = {id: 'u1', email: 'jane@example.com'}

function pipeline(name = 'shop', extra: Record<string, unknown> = {}) {
  return {created_at: '2026-01-01T00:00:00Z', id: PIPELINE_ID, name, owner: {id: OWNER.id, type: 'user'}, updated_at: '2026-01-01T00:00:00Z', ...extra}
}

function coupling(app: string, stage: string, id = `c-${app}`) {
  return {app: {id: `id-${app}`}, created_at: '2026-01-01T00:00:00Z', id, pipeline: {id: PIPELINE_ID, name: 'shop'}, stage, updated_at: '2026-01-01T00:00:00Z'}
}

const app = (name: string) => ({id: `id-${name}`, name, owner: OWNER})

function target(name: string, status: string, error: null | string = null) {
  return {app: {id: `id-${name}`}, error_message: error, id: `t-${name}`, pipeline_promotion: {id: 'promo-1'}, release: status === 'pending' ? null : {id: `r-${name}`}, status}
}

/** the pipeline's couplings and apps, as pipelines:info and pipelines:promote read them */
function pipelineApps(stages: Record<string, string>) {
  api().get(`/pipelines/${PIPELINE_ID}/pipeline-couplings`).reply(200, Object.entries(stages).map(([name, stage]) => coupling(name, stage)))
  for (const name of Object.keys(stages)) api().get(`/apps/id-${name}`).reply(200, app(name))
}

describe('pipelines', () => {
  useIsolatedEnv()

  it('lists pipelines under a heading; --json prints the API objects', async () => {
    api().get('/pipelines').twice().reply(200, [pipeline('shop'), pipeline('blog', {id: 'p2'})])
    const {stdout, exitCode} = await run(['pipelines'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal('=== My Pipelines\nshop\nblog\n')
    expect(JSON.parse((await run(['pipelines', '--json'])).stdout)).to.deep.equal([pipeline('shop'), pipeline('blog', {id: 'p2'})])
  })

  describe('pipelines:create', () => {
    it('creates the pipeline owned by the caller and adds the app at its stage', async () => {
      api().get('/apps/shop-staging/pipeline-couplings').reply(404, {id: 'not_found', message: 'shop-staging is not in a pipeline.'})
      api().get('/account').reply(200, {id: OWNER.id, email: OWNER.email})
      api().post('/pipelines', {name: 'shop', owner: {id: OWNER.id, type: 'user'}}).reply(201, pipeline())
      api().post('/pipeline-couplings', {app: 'shop-staging', pipeline: PIPELINE_ID, stage: 'staging'}).reply(201, coupling('shop-staging', 'staging'))
      const {stderr, exitCode} = await run(['pipelines:create', 'shop', '-a', 'shop-staging', '--stage', 'staging'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.contain('Creating shop pipeline... done')
      expect(stderr).to.contain('Adding shop-staging to shop pipeline as staging... done')
    })

    it('names the pipeline after the app without its stage suffix; --json prints the pipeline object', async () => {
      api().get('/apps/blog-prod/pipeline-couplings').reply(404, {id: 'not_found', message: 'blog-prod is not in a pipeline.'})
      api().get('/account').reply(200, {id: OWNER.id})
      api().post('/pipelines', {name: 'blog', owner: {id: OWNER.id, type: 'user'}}).reply(201, pipeline('blog'))
      api().post('/pipeline-couplings', {app: 'blog-prod', pipeline: PIPELINE_ID, stage: 'production'}).reply(201, coupling('blog-prod', 'production'))
      const {stdout, exitCode} = await run(['pipelines:create', '-a', 'blog-prod', '-s', 'production', '--json'])
      expect(exitCode).to.equal(0)
      expect(JSON.parse(stdout)).to.deep.equal(pipeline('blog'))
    })

    it('takes the pipeline away again when the platform refuses the coupling (an unknown stage)', async () => {
      api().get('/apps/shop-staging/pipeline-couplings').reply(404, {id: 'not_found', message: 'not in a pipeline'})
      api().get('/account').reply(200, {id: OWNER.id})
      api().post('/pipelines').reply(201, pipeline())
      api().post('/pipeline-couplings', {app: 'shop-staging', pipeline: PIPELINE_ID, stage: 'qa'})
        .reply(422, {id: 'invalid_params', message: '"stage" must be one of test, review, development, staging, production, not "qa".'})
      api().delete(`/pipelines/${PIPELINE_ID}`).reply(200, pipeline())
      const {stderr, exitCode} = await run(['pipelines:create', 'shop', '-a', 'shop-staging', '--stage', 'qa'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('"stage" must be one of')
    })

    it('refuses an app already in a pipeline before making anything', async () => {
      api().get('/apps/shop-staging/pipeline-couplings').reply(200, coupling('shop-staging', 'staging'))
      const {stderr, exitCode} = await run(['pipelines:create', 'other', '-a', 'shop-staging', '--stage', 'staging'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('shop-staging is already in the pipeline shop')
      expect(stderr).to.contain('heroku pipelines:remove -a shop-staging')
    })

    it('without --stage and no terminal, names the flag', async () => {
      const {stderr, exitCode} = await run(['pipelines:create', 'shop', '-a', 'shop-staging'])
      expect(exitCode).to.equal(2)
      expect(stderr).to.contain('--stage')
    })
  })

  it('pipelines:add couples the app to the pipeline named; the server\'s 422 is shown', async () => {
    api().get('/pipelines/shop').twice().reply(200, pipeline())
    api().post('/pipeline-couplings', {app: 'shop-prod', pipeline: PIPELINE_ID, stage: 'production'}).reply(201, coupling('shop-prod', 'production'))
    const added = await run(['pipelines:add', 'shop', '-a', 'shop-prod', '--stage', 'production'])
    expect(added.exitCode).to.equal(0)
    expect(added.stderr).to.contain('Adding shop-prod to shop pipeline as production... done')
    api().post('/pipeline-couplings', {app: 'shop-prod', pipeline: PIPELINE_ID, stage: 'staging'})
      .reply(422, {id: 'invalid_params', message: '"app": shop-prod is already in this pipeline (stage production); remove it first (pipelines:remove).'})
    const again = await run(['pipelines:add', 'shop', '-a', 'shop-prod', '--stage', 'staging'])
    expect(again.exitCode).to.equal(1)
    expect(again.stderr).to.contain('shop-prod is already in this pipeline')
  })

  it('pipelines:add on a terminal without --stage asks for it, offering the stage the app\'s name says', async () => {
    api().get('/pipelines/shop').reply(200, pipeline())
    api().post('/pipeline-couplings', {app: 'shop-stg', pipeline: PIPELINE_ID, stage: 'development'}).reply(201, coupling('shop-stg', 'development'))
    const prompter = scriptedPrompter([{answer: 'development', flag: '--stage', input: /^Stage of shop-stg \(/}])
    const client = new ApiClient({baseUrl: API, token: async () => 'test-token', userAgent: 'test'})
    await addToPipeline({api: client, app: 'shop-stg', out: testOutput().out, pipeline: 'shop', prompter})
    expect(prompter.asked[0].default).to.equal('staging')
  })

  it('pipelines:info shows the owner and the apps by stage; --json prints the pipeline object', async () => {
    api().get('/pipelines/shop').reply(200, pipeline())
    pipelineApps({'shop-prod': 'production', 'shop-dev': 'development', 'shop-staging': 'staging'})
    const {stdout, exitCode} = await run(['pipelines:info', 'shop'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal([
      '=== shop',
      'owner: jane@example.com',
      '',
      'app name      stage',
      'shop-dev      development',
      'shop-staging  staging',
      'shop-prod     production',
      '',
    ].join('\n'))
    api().get('/pipelines/shop').reply(200, pipeline())
    pipelineApps({'shop-prod': 'production'})
    const json = JSON.parse((await run(['pipelines:info', 'shop', '--json'])).stdout)
    expect(json).to.deep.equal(pipeline())
  })

  describe('pipelines:promote', () => {
    it('promotes to every app of the next stage and waits for each target', async () => {
      api().get('/apps/shop-staging/pipeline-couplings').reply(200, coupling('shop-staging', 'staging'))
      pipelineApps({'shop-staging': 'staging', 'shop-eu': 'production', 'shop-us': 'production', 'shop-dev': 'development'})
      api().post('/pipeline-promotions', {pipeline: {id: PIPELINE_ID}, source: {app: {id: 'id-shop-staging'}}, targets: [{app: {id: 'id-shop-eu'}}, {app: {id: 'id-shop-us'}}]})
        .reply(201, {id: 'promo-1', pipeline: {id: PIPELINE_ID}, source: {app: {id: 'id-shop-staging'}, release: {id: 'r0'}}, status: 'pending'})
      api().get('/pipeline-promotions/promo-1/promotion-targets').reply(200, [target('shop-eu', 'succeeded'), target('shop-us', 'pending')])
      api().get('/pipeline-promotions/promo-1/promotion-targets').reply(200, [target('shop-eu', 'succeeded'), target('shop-us', 'succeeded')])
      const {stdout, stderr, exitCode} = await run(['pipelines:promote', '-a', 'shop-staging'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.contain('Starting promotion to production... done')
      expect(stderr).to.contain('Waiting for promotion to complete... done')
      expect(stdout).to.equal('\nshop-eu: succeeded\nshop-us: succeeded\nPromotion successful\n')
    })

    it('--to promotes to the apps named, at any stage; --json prints the promotion targets as the API returned them', async () => {
      api().get('/apps/shop-dev/pipeline-couplings').reply(200, coupling('shop-dev', 'development'))
      pipelineApps({'shop-dev': 'development', 'shop-staging': 'staging', 'shop-prod': 'production'})
      const promotion = {id: 'promo-1', pipeline: {id: PIPELINE_ID}, source: {app: {id: 'id-shop-dev'}, release: {id: 'r0'}}, status: 'pending'}
      api().post('/pipeline-promotions', {pipeline: {id: PIPELINE_ID}, source: {app: {id: 'id-shop-dev'}}, targets: [{app: {id: 'id-shop-prod'}}]}).reply(201, promotion)
      api().get('/pipeline-promotions/promo-1/promotion-targets').reply(200, [target('shop-prod', 'succeeded')])
      const {stdout, exitCode} = await run(['pipelines:promote', '-a', 'shop-dev', '--to', 'shop-prod,', '--json'])
      expect(exitCode).to.equal(0)
      expect(JSON.parse(stdout)).to.deep.equal([target('shop-prod', 'succeeded')])
    })

    it('a target that failed is shown with its error and fails the command (exit 1)', async () => {
      api().get('/apps/shop-staging/pipeline-couplings').reply(200, coupling('shop-staging', 'staging'))
      pipelineApps({'shop-staging': 'staging', 'shop-eu': 'production', 'shop-us': 'production'})
      api().post('/pipeline-promotions').reply(201, {id: 'promo-1', status: 'pending'})
      api().get('/pipeline-promotions/promo-1/promotion-targets')
        .reply(200, [target('shop-eu', 'failed', 'Release v7 failed: The release command `./migrate` exited with status 3.'), target('shop-us', 'succeeded')])
      const {stdout, stderr, exitCode} = await run(['pipelines:promote', '-a', 'shop-staging'])
      expect(exitCode).to.equal(1)
      expect(stdout).to.contain('shop-eu: failed: Release v7 failed: The release command `./migrate` exited with status 3.\nshop-us: succeeded\n')
      expect(stdout).to.not.contain('Promotion successful')
      expect(stderr).to.contain('Promotion to shop-eu failed')
    })

    it('refuses an app at the last stage, a stage without apps, or a --to app outside the pipeline, before promoting', async () => {
      api().get('/apps/shop-prod/pipeline-couplings').reply(200, coupling('shop-prod', 'production'))
      pipelineApps({'shop-prod': 'production'})
      const last = await run(['pipelines:promote', '-a', 'shop-prod'])
      expect(last.exitCode).to.equal(1)
      expect(last.stderr).to.contain('Cannot promote shop-prod from its stage, production')

      api().get('/apps/shop-dev/pipeline-couplings').reply(200, coupling('shop-dev', 'development'))
      pipelineApps({'shop-dev': 'development', 'shop-prod': 'production'})
      const empty = await run(['pipelines:promote', '-a', 'shop-dev'])
      expect(empty.exitCode).to.equal(1)
      expect(empty.stderr).to.contain('no downstream apps in the staging stage')

      api().get('/apps/shop-dev/pipeline-couplings').reply(200, coupling('shop-dev', 'development'))
      pipelineApps({'shop-dev': 'development'})
      const outside = await run(['pipelines:promote', '-a', 'shop-dev', '--to', 'elsewhere'])
      expect(outside.exitCode).to.equal(1)
      expect(outside.stderr).to.contain('elsewhere is not in the pipeline shop')
    })
  })

  it('pipelines:remove deletes the app\'s coupling', async () => {
    api().get('/apps/shop-dev/pipeline-couplings').reply(200, coupling('shop-dev', 'development'))
    api().delete('/pipeline-couplings/c-shop-dev').reply(200, coupling('shop-dev', 'development'))
    const {stderr, exitCode} = await run(['pipelines:remove', '-a', 'shop-dev'])
    expect(exitCode).to.equal(0)
    expect(stderr).to.contain('Removing shop-dev... done')
    api().get('/apps/loose/pipeline-couplings').reply(404, {id: 'not_found', message: 'loose is not in a pipeline.'})
    const loose = await run(['pipelines:remove', '-a', 'loose'])
    expect(loose.exitCode).to.equal(1)
    expect(loose.stderr).to.contain('loose is not in a pipeline.')
  })

  it('pipelines:destroy and pipelines:rename act on the pipeline by its id', async () => {
    api().get('/pipelines/shop').reply(200, pipeline())
    api().delete(`/pipelines/${PIPELINE_ID}`).reply(200, pipeline())
    const destroyed = await run(['pipelines:destroy', 'shop'])
    expect(destroyed.exitCode).to.equal(0)
    expect(destroyed.stderr).to.contain('Destroying shop pipeline... done')
    api().get('/pipelines/shop').reply(200, pipeline())
    api().patch(`/pipelines/${PIPELINE_ID}`, {name: 'store'}).reply(200, pipeline('store'))
    const renamed = await run(['pipelines:rename', 'shop', 'store', '--json'])
    expect(renamed.exitCode).to.equal(0)
    expect(renamed.stderr).to.contain('Renaming shop pipeline to store... done')
    expect(JSON.parse(renamed.stdout).name).to.equal('store')
    api().get('/pipelines/nope').reply(404, {id: 'not_found', message: 'Couldn\'t find that pipeline.', resource: 'pipeline'})
    const missing = await run(['pipelines:destroy', 'nope'])
    expect(missing.exitCode).to.equal(1)
    expect(missing.stderr).to.contain('Couldn\'t find that pipeline.')
  })
})
