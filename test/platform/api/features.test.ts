// Labs features on a platform with real dynos: runtime-dyno-metadata gives the dynos Heroku's
// metadata variables (after the restart that turning it on or off makes), preboot is listed and on,
// and without it a restart stops the old web dyno before the new one starts.
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'

import {FIXTURE_APP, nodeProcessesOf, type RuntimePlatform, startRuntimePlatform, viaRouter, waitFor} from '../fixtures/runtime/helpers.js'
import {expectError} from '../helpers.js'

type Dyno = {id: string, name: string, release: {version: number}, state: string}
type Feature = {[key: string]: unknown, enabled: boolean, id: string, name: string, state: string}

const COMMIT = '2c3a0b24069af49b3de35b8e8c26765c1dba9ff0'
const METADATA = ['HEROKU_APP_ID', 'HEROKU_APP_NAME', 'HEROKU_APP_DEFAULT_DOMAIN_NAME', 'HEROKU_DYNO_ID', 'HEROKU_RELEASE_VERSION', 'HEROKU_RELEASE_CREATED_AT', 'HEROKU_SLUG_COMMIT', 'HEROKU_SLUG_DESCRIPTION']

describe('labs features', function () {
  this.timeout(90_000)
  let t: RuntimePlatform

  before(async () => {
    t = await startRuntimePlatform()
  })

  after(async () => {
    await t.close()
  })

  const dynos = async (app: string): Promise<Dyno[]> => (await t.client.get(`/apps/${app}/dynos`)).body as Dyno[]
  const envOf = async (app: string, name: string) => (await viaRouter(t.routerUrl, app, `/env?name=${name}`)).text
  /** the fixture app as a slug with a commit, released as "Deploy 2c3a0b2"; web and worker */
  const deploy = async (app: string) => {
    await t.client.post('/apps', {name: app})
    const slug = await t.client.post(`/apps/${app}/slugs`, {process_types: {web: 'node server.js', worker: 'node worker.js'}, commit: COMMIT, commit_description: 'the fixture'})
    const upload = await fetch(slug.body.blob.url, {method: 'PUT', body: execFileSync('tar', ['-czf', '-', '-C', FIXTURE_APP, '.'])})
    expect(upload.status).to.equal(200)
    const release = await t.client.post(`/apps/${app}/releases`, {slug: slug.body.id, description: 'Deploy 2c3a0b2'})
    expect(release.status, release.text).to.equal(201)
    await t.client.patch(`/apps/${app}/formation`, {updates: [{type: 'worker', quantity: 1}]})
    await waitFor('web and worker up', async () => {
      const list = await dynos(app)
      return list.length === 2 && list.every(d => d.state === 'up')
    }, 20_000)
  }

  const workerEnv = (): Record<string, string> => {
    const [pid] = nodeProcessesOf(t.platform, 'worker.1')
    return Object.fromEntries(readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter(Boolean).map(kv => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
  }

  it('lists preboot (on) and runtime-dyno-metadata (off) with the schema\'s fields; unknown ones are 404; no account features', async () => {
    await t.client.post('/apps', {name: 'listed'})
    const res = await t.client.get('/apps/listed/features')
    expect(res.status).to.equal(200)
    const features = res.body as Feature[]
    expect(features.map(f => [f.name, f.enabled, f.state])).to.deep.equal([['preboot', true, 'public'], ['runtime-dyno-metadata', false, 'beta']])
    for (const f of features) {
      expect(Object.keys(f).sort()).to.deep.equal(['created_at', 'description', 'display_name', 'doc_url', 'enabled', 'feedback_email', 'id', 'name', 'state', 'updated_at'])
    }

    const byId = await t.client.get(`/apps/listed/features/${features[1].id}`)
    expect(byId.body).to.deep.equal(features[1])
    expectError(await t.client.get('/apps/listed/features/spaces-strict-tls'), 404, 'not_found')
    expectError(await t.client.patch('/apps/listed/features/nope', {enabled: true}), 404, 'not_found')
    expectError(await t.client.patch('/apps/listed/features/preboot', {}), 422, 'invalid_params')
    expectError(await t.client.patch('/apps/listed/features/preboot', {enabled: 'no'}), 422, 'invalid_params')
    expect((await t.client.get('/account/features')).body).to.deep.equal([])
    expectError(await t.client.get('/account/features/preboot'), 404, 'not_found')
    expectError(await t.client.patch('/account/features/preboot', {enabled: true}), 404, 'not_found')
  })

  it('runtime-dyno-metadata: enabling restarts the dynos with Heroku\'s metadata, disabling takes it away again', async () => {
    await deploy('meta')
    expect(await envOf('meta', 'HEROKU_APP_NAME')).to.equal('')
    const before = (await dynos('meta')).find(d => d.name === 'web.1')!
    const enabled = await t.client.patch('/apps/meta/features/runtime-dyno-metadata', {enabled: true})
    expect(enabled.status).to.equal(200)
    expect(enabled.body).to.include({name: 'runtime-dyno-metadata', enabled: true})
    expect((await t.client.get('/apps/meta/features/runtime-dyno-metadata')).body.enabled).to.equal(true)
    await waitFor('web.1 restarted with metadata', async () => (await envOf('meta', 'HEROKU_APP_NAME').catch(() => '')) === 'meta', 20_000)
    await waitFor('worker.1 restarted with metadata', () => workerEnv().HEROKU_APP_NAME === 'meta', 20_000)

    const app = (await t.client.get('/apps/meta')).body
    const release = (await t.client.get('/apps/meta/releases')).body.at(-1)
    const web = (await dynos('meta')).find(d => d.name === 'web.1')!
    expect(web.id).to.not.equal(before.id)
    const expected = {
      HEROKU_APP_ID: app.id,
      HEROKU_APP_NAME: 'meta',
      HEROKU_APP_DEFAULT_DOMAIN_NAME: 'meta.localhost',
      HEROKU_DYNO_ID: web.id,
      HEROKU_RELEASE_VERSION: `v${release.version}`,
      HEROKU_RELEASE_CREATED_AT: release.created_at,
      HEROKU_SLUG_COMMIT: COMMIT,
      HEROKU_SLUG_DESCRIPTION: 'Deploy 2c3a0b2',
    }
    const seen: Record<string, string> = {}
    for (const name of METADATA) seen[name] = await envOf('meta', name)
    expect(seen).to.deep.equal(expected)
    const worker = workerEnv()
    const workerDyno = (await dynos('meta')).find(d => d.name === 'worker.1')!
    expect(worker.HEROKU_DYNO_ID).to.equal(workerDyno.id)
    expect(worker.HEROKU_RELEASE_VERSION).to.equal(`v${release.version}`)
    expect(worker.HEROKU_SLUG_COMMIT).to.equal(COMMIT)

    // a new release: the dynos are told its version
    await t.client.patch('/apps/meta/config-vars', {GREETING: 'hi'})
    await waitFor('the new release\'s version', async () => (await envOf('meta', 'HEROKU_RELEASE_VERSION').catch(() => '')) === `v${release.version + 1}`, 20_000)

    const disabled = await t.client.patch('/apps/meta/features/runtime-dyno-metadata', {enabled: false})
    expect(disabled.body.enabled).to.equal(false)
    await waitFor('web.1 restarted without metadata', async () => (await envOf('meta', 'GREETING').catch(() => '')) === 'hi' && (await envOf('meta', 'HEROKU_APP_ID')) === '', 20_000)
    await waitFor('worker.1 restarted without metadata', () => workerEnv().GREETING === 'hi' && METADATA.every(name => !(name in workerEnv())), 20_000)
  })

  it('preboot: on, a restart starts the new web dyno before the old one stops; disabled, the old one stops first', async () => {
    await deploy('order')
    const logs = async () => (await (await fetch((await t.client.post('/apps/order/log-sessions', {lines: 1500, dyno: 'web.1'})).body.logplex_url)).text()).split('\n').filter(Boolean)
    /** web.1's log lines (without the prefix) from the change on, once the new dyno is up and the old one down */
    const changeLog = async (change: () => Promise<unknown>): Promise<string[]> => {
      const seen = (await logs()).length
      await change()
      return waitFor('the change done', async () => {
        const after = (await logs()).slice(seen).map(l => l.replace(/^.*?heroku\[web\.1\]: /, ''))
        return after.includes('State changed from starting to up') && after.includes('State changed from up to down') ? after : false
      }, 20_000)
    }

    const restartLog = () => changeLog(async () => expect((await t.client.delete('/apps/order/dynos/web.1')).status).to.equal(202))
    const order = (lines: string[]) => [lines.findIndex(l => l.startsWith('Starting process')), lines.indexOf('Stopping all processes with SIGTERM')]

    const [startOn, stopOn] = order(await restartLog())
    expect(startOn, 'prebooted: the new one starts first').to.be.greaterThan(-1).and.lessThan(stopOn)

    const off = await t.client.patch('/apps/order/features/preboot', {enabled: false})
    expect(off.body).to.include({name: 'preboot', enabled: false})
    const [startOff, stopOff] = order(await restartLog())
    expect(stopOff, 'without preboot: the old one stops first').to.be.greaterThan(-1).and.lessThan(startOff)
    await waitFor('web.1 serves again', async () => (await viaRouter(t.routerUrl, 'order', '/').catch(() => ({text: ''}))).text === 'hello from web.1\n')
    // a deploy (config change) in the same order
    const [startDeploy, stopDeploy] = order(await changeLog(() => t.client.patch('/apps/order/config-vars', {GREETING: 'again'})))
    expect(stopDeploy, 'a deploy without preboot: the old one stops first').to.be.greaterThan(-1).and.lessThan(startDeploy)
    await waitFor('the new release serves', async () => (await envOf('order', 'GREETING').catch(() => '')) === 'again')

    await t.client.patch('/apps/order/features/preboot', {enabled: true})
    const [startAgain, stopAgain] = order(await restartLog())
    expect(startAgain).to.be.greaterThan(-1).and.lessThan(stopAgain)
  })
})
