// The router's HTTP cache in the running platform: a real dyno (the fixture app counts what
// reaches it), the cache API (authenticated, scoped to the owner), a new release emptying it.
import {expect} from 'chai'

import {createUser} from '../../../../src/platform/bootstrap.js'
import {deployFixture, type RuntimePlatform, startRuntimePlatform, viaRouter, waitFor} from '../../fixtures/runtime/helpers.js'
import {ApiClient} from '../../helpers.js'

describe('router cache with a real dyno, and its API', function () {
  this.timeout(60_000)
  let t: RuntimePlatform
  let appId: string
  let n = 0

  before(async () => {
    t = await startRuntimePlatform()
    await deployFixture(t.client, 'cached-app', {web: 'node server.js'})
    appId = (await t.client.get('/apps/cached-app')).body.id
    await waitFor('web.1 up', async () => (await t.client.get('/apps/cached-app/dynos')).body[0]?.state === 'up')
  })

  after(() => t.close())

  const url = (query: string) => `/cacheable?n=${++n}&${query}`
  const reached = async (path: string) => Number((await viaRouter(t.routerUrl, 'cached-app', `/cacheable-count?url=${encodeURIComponent(path)}`)).text)

  it('serves a public, max-age response from the cache: the dyno sees it once', async () => {
    const path = url('cc=public,max-age=60')
    const first = await viaRouter(t.routerUrl, 'cached-app', path)
    const second = await viaRouter(t.routerUrl, 'cached-app', path)
    expect(first.headers.get('x-cache')).to.equal('MISS')
    expect(second.headers.get('x-cache')).to.equal('HIT')
    expect(second.text).to.equal(first.text)
    expect(await reached(path)).to.equal(1)
    const lines = t.platform.logs.recent(appId, 200, {dyno: 'router'}).map(l => l.text)
    expect(lines.some(line => line.includes(`path="${path}"`) && line.endsWith('cache=hit'))).to.equal(true)
  })

  it('coalesces 32 concurrent misses on a cold key into one dyno request', async () => {
    const path = url('cc=public,max-age=60&delay=200')
    const answers = await Promise.all(Array.from({length: 32}, () => viaRouter(t.routerUrl, 'cached-app', path)))
    expect(answers.every(a => a.status === 200 && a.text === answers[0].text)).to.equal(true)
    expect(await reached(path)).to.equal(1)
  })

  it('an app that sends no caching headers reaches its dyno on every request', async () => {
    const path = url('x=1')
    await viaRouter(t.routerUrl, 'cached-app', path)
    await viaRouter(t.routerUrl, 'cached-app', path)
    expect(await reached(path)).to.equal(2)
  })

  it('GET /apps/{app}/cache counts; POST /apps/{app}/cache/purge empties it, by path or all', async () => {
    const path = url('cc=max-age=60')
    await viaRouter(t.routerUrl, 'cached-app', path)
    await viaRouter(t.routerUrl, 'cached-app', path)
    const stats = await t.client.get('/apps/cached-app/cache')
    expect(stats.status).to.equal(200)
    expect(stats.body.app).to.deep.equal({id: appId, name: 'cached-app'})
    expect(stats.body.hits).to.be.at.least(2)
    expect(stats.body.entries).to.be.at.least(2)
    expect(stats.body.bytes).to.be.above(0)
    expect(stats.body.hit_ratio).to.be.above(0).and.below(1)
    const byPath = await t.client.post('/apps/cached-app/cache/purge', {paths: ['/cacheable']})
    expect(byPath.status).to.equal(200)
    expect(byPath.body.purged).to.be.at.least(2)
    expect((await viaRouter(t.routerUrl, 'cached-app', path)).headers.get('x-cache')).to.equal('MISS')
    const all = await t.client.post('/apps/cached-app/cache/purge', {})
    expect(all.body.purged).to.equal(1)
    expect((await t.client.post('/apps/cached-app/cache/purge', {paths: ['no-slash']})).status).to.equal(422)
  })

  it('the cache API needs a token, and one account never sees another\'s app', async () => {
    expect((await t.client.get('/apps/cached-app/cache', {token: null})).status).to.equal(401)
    const other = await createUser(t.platform.store, {email: 'other-cache@example.com', password: 'correct horse battery'})
    const stranger = new ApiClient(t.platform.url, other.token)
    expect((await stranger.get('/apps/cached-app/cache')).status).to.equal(404)
    expect((await stranger.post('/apps/cached-app/cache/purge', {})).status).to.equal(404)
  })

  it('a new release (a config change) empties the app\'s cache; ROUTER_CACHE_HEADER=off drops X-Cache', async () => {
    const path = url('cc=max-age=60')
    await viaRouter(t.routerUrl, 'cached-app', path)
    expect((await viaRouter(t.routerUrl, 'cached-app', path)).headers.get('x-cache')).to.equal('HIT')
    expect((await t.client.patch('/apps/cached-app/config-vars', {ROUTER_CACHE_HEADER: 'off'})).status).to.equal(200)
    const after = await viaRouter(t.routerUrl, 'cached-app', path)
    expect(after.status).to.equal(200)
    expect(after.headers.get('x-cache')).to.equal(null)
    // the release restarts the dyno (its counts with it): the router line says it was a miss
    const lines = t.platform.logs.recent(appId, 500, {dyno: 'router'}).map(l => l.text).filter(line => line.includes(`path="${path}"`))
    expect(lines.at(-1)).to.match(/ cache=miss$/)
  })
})
