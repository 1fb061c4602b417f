// Maintenance mode through the real router: H80 with the app's MAINTENANCE_PAGE_URL page (fetched
// from a server written here, cached, refreshed), the built-in page when it cannot be fetched,
// the app again once maintenance is off.

import type {AddressInfo} from 'node:net'

import {expect} from 'chai'
import {createServer, type Server} from 'node:http'

import type {PlatformOptions} from '../../../src/platform/server.js'

import {deployFixture, type RuntimePlatform, startRuntimePlatform, viaRouter, waitFor} from '../fixtures/runtime/helpers.js'

describe('maintenance mode (router H80, MAINTENANCE_PAGE_URL)', function () {
  this.timeout(60_000)
  let t: RuntimePlatform
  let appId: string
  let pages: Server
  let pageUrl: string
  let fetches = 0
  let pageText = '<h1>Back soon: custom page</h1>'

  before(async () => {
    pages = createServer((req, res) => {
      fetches++
      if (req.url === '/big') {
        res.writeHead(200, {'Content-Type': 'text/html'})
        res.end('x'.repeat(64 * 1024))
        return
      }

      res.writeHead(200, {'Content-Type': 'text/html; charset=iso-8859-1'})
      res.end(pageText)
    })
    await new Promise<void>(resolve => pages.listen(0, '127.0.0.1', resolve))
    pageUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}/maintenance.html`
    // a short refresh interval and size cap, so that the test sees a refresh and a refusal
    t = await startRuntimePlatform({router: {maintenancePage: {refreshMs: 300, maxBytes: 16 * 1024, timeoutMs: 1000}}} as unknown as Partial<PlatformOptions>)
    await deployFixture(t.client, 'down-app', {web: 'node server.js'})
    appId = (await t.client.get('/apps/down-app')).body.id
    await waitFor('web.1 up', async () => (await t.client.get('/apps/down-app/dynos')).body[0]?.state === 'up')
  })

  after(async () => {
    await t?.close()
    pages?.closeAllConnections()
    await new Promise(resolve => pages?.close(resolve))
  })

  const routerLines = () => t.platform.logs.recent(appId, 1500, {dyno: 'router'}).map(l => l.text)

  it('without a page URL: 503 H80 with the built-in page, Retry-After, logged', async () => {
    expect((await viaRouter(t.routerUrl, 'down-app', '/')).status).to.equal(200)
    await t.client.patch('/apps/down-app', {maintenance: true})
    const res = await viaRouter(t.routerUrl, 'down-app', '/some/path')
    expect(res.status).to.equal(503)
    expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8')
    expect(res.headers.get('retry-after')).to.equal('60')
    expect(res.text).to.include('Offline for Maintenance')
    expect(res.text).to.include('H80 Maintenance mode')
    expect(routerLines().at(-1)).to.match(/heroku\[router\]: at=error code=H80 desc="Maintenance mode" method=GET path="\/some\/path" host=down-app\.localhost .* status=503 /)
  })

  it('with MAINTENANCE_PAGE_URL: the fetched page with its content type, refreshed in the background', async () => {
    await t.client.patch('/apps/down-app/config-vars', {MAINTENANCE_PAGE_URL: pageUrl})
    // never waits for the fetch: the first requests may get the built-in page, then the custom one
    const custom = await waitFor('custom page', async () => {
      const res = await viaRouter(t.routerUrl, 'down-app', '/')
      expect(res.status).to.equal(503)
      return res.text.includes('custom page') && res
    })
    expect(custom.text).to.equal(pageText)
    expect(custom.headers.get('content-type')).to.equal('text/html; charset=iso-8859-1')
    expect(Number(custom.headers.get('content-length'))).to.equal(pageText.length)
    expect(custom.headers.get('retry-after')).to.equal('60')
    // HEAD: the status and headers, no body
    expect((await viaRouter(t.routerUrl, 'down-app', '/', {method: 'HEAD'})).text).to.equal('')
    // cached: many requests, few fetches
    const before = fetches
    await Promise.all(Array.from({length: 20}, () => viaRouter(t.routerUrl, 'down-app', '/')))
    expect(fetches - before).to.be.below(3)
    // a changed page shows after the refresh interval
    pageText = '<h1>Back soon: custom page, second edition</h1>'
    await waitFor('refreshed page', async () => (await viaRouter(t.routerUrl, 'down-app', '/')).text === pageText, 5000)
  })

  it('a page over the size cap, or a page server that is down: the built-in page', async () => {
    await t.client.patch('/apps/down-app/config-vars', {MAINTENANCE_PAGE_URL: pageUrl.replace('/maintenance.html', '/big')})
    await new Promise(resolve => setTimeout(resolve, 500))
    for (let i = 0; i < 3; i++) {
      const res = await viaRouter(t.routerUrl, 'down-app', '/')
      expect(res.status).to.equal(503)
      expect(res.text).to.include('Offline for Maintenance')
    }

    await t.client.patch('/apps/down-app/config-vars', {MAINTENANCE_PAGE_URL: pageUrl})
    await waitFor('custom page', async () => (await viaRouter(t.routerUrl, 'down-app', '/')).text === pageText, 5000)
    // the page server goes away: once the page is due for a refresh, the built-in one serves
    pages.closeAllConnections()
    await new Promise(resolve => pages.close(resolve))
    const fallback = await waitFor('built-in page', async () => {
      const res = await viaRouter(t.routerUrl, 'down-app', '/')
      expect(res.status).to.equal(503)
      return res.text.includes('Offline for Maintenance') && res
    }, 5000)
    expect(fallback.headers.get('content-type')).to.equal('text/html; charset=utf-8')
  })

  it('maintenance off: the app answers again', async () => {
    await t.client.patch('/apps/down-app', {maintenance: false})
    const res = await viaRouter(t.routerUrl, 'down-app', '/')
    expect(res.status).to.equal(200)
    expect(res.text).to.not.include('Offline for Maintenance')
  })
})
