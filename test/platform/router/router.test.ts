// The HTTP router against real dynos: headers, balancing, streaming, WebSocket, Heroku errors.
import {expect} from 'chai'
import {connect} from 'node:net'

import {deployFixture, type RuntimePlatform, startRuntimePlatform, viaRouter, waitFor} from '../fixtures/runtime/helpers.js'

describe('router', function () {
  this.timeout(60_000)
  let t: RuntimePlatform
  let appId: string

  before(async () => {
    t = await startRuntimePlatform()
    await deployFixture(t.client, 'routed', {web: 'node server.js'})
    appId = (await t.client.get('/apps/routed')).body.id
    await waitFor('web.1 up', async () => (await t.client.get('/apps/routed/dynos')).body[0]?.state === 'up')
  })

  after(() => t.close())

  const routerLines = () => t.platform.logs.recent(appId, 1500, {dyno: 'router'}).map(l => l.text)

  it('adds the forwarding headers, keeps a valid request id and logs the request', async () => {
    const res = await viaRouter(t.routerUrl, 'routed', '/headers', {headers: {'X-Request-Id': 'client-chosen-request-id-0001', 'X-Forwarded-For': '10.0.0.1'}})
    expect(res.status).to.equal(200)
    const seen = JSON.parse(res.text) as Record<string, string>
    expect(seen['x-request-id']).to.equal('client-chosen-request-id-0001')
    expect(seen['x-forwarded-for']).to.equal('10.0.0.1, 127.0.0.1')
    expect(seen['x-forwarded-proto']).to.equal('http')
    expect(seen['x-forwarded-port']).to.equal(new URL(t.routerUrl).port)
    expect(Math.abs(Number(seen['x-request-start']) - Date.now())).to.be.below(5000)
    expect(seen.via).to.equal('1.1 heroku-toolbelt')
    expect(seen.host).to.equal(`routed.localhost:${new URL(t.routerUrl).port}`)
    const generated = JSON.parse((await viaRouter(t.routerUrl, 'routed', '/headers', {headers: {'X-Request-Id': 'short'}})).text) as Record<string, string>
    expect(generated['x-request-id']).to.match(/^[0-9a-f-]{36}$/)
    const line = routerLines().find(l => l.includes('request_id=client-chosen-request-id-0001'))!
    expect(line).to.match(/ heroku\[router\]: at=info method=GET path="\/headers" host=routed\.localhost request_id=client-chosen-request-id-0001 fwd="127\.0\.0\.1" dyno=web\.1 connect=\d+ms service=\d+ms status=200 bytes=\d+ protocol=http cache=miss$/)
  })

  it('streams request and response bodies', async () => {
    const body = 'x'.repeat(1024 * 1024)
    const res = await viaRouter(t.routerUrl, 'routed', '/echo', {method: 'POST', body, headers: {'Content-Type': 'application/octet-stream'}})
    expect(res.status).to.equal(200)
    expect(res.text.length).to.equal(body.length)
  })

  it('spreads requests over the up web dynos by fewest in flight', async () => {
    await t.client.patch('/apps/routed/formation/web', {quantity: 2})
    await waitFor('2 up', async () => (await t.client.get('/apps/routed/dynos')).body.filter((d: {state: string}) => d.state === 'up').length === 2)
    // one slow request occupies a dyno: the next requests go to the other one
    const slow = viaRouter(t.routerUrl, 'routed', '/slow?ms=800')
    await new Promise(resolve => setTimeout(resolve, 100))
    const quick = []
    for (let i = 0; i < 3; i++) quick.push(await viaRouter(t.routerUrl, 'routed', '/'))
    const slowDyno = (await slow).text.split(' ')[1]
    for (const r of quick) expect(r.text).to.not.include(slowDyno)
    // idle: round robin
    const names = new Set<string>()
    for (let i = 0; i < 4; i++) names.add((await viaRouter(t.routerUrl, 'routed', '/')).text)
    expect(names.size).to.equal(2)
  })

  it('proxies WebSocket upgrades both ways', async () => {
    const port = Number(new URL(t.routerUrl).port)
    const socket = connect(port, '127.0.0.1')
    let received = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      received += chunk
    })
    socket.write(`GET /ws HTTP/1.1\r\nHost: routed.localhost:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`)
    await waitFor('101', () => received.includes('\r\n\r\n'))
    expect(received).to.match(/^HTTP\/1\.1 101 /)
    expect(received).to.include('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
    received = ''
    socket.write('ping through the router')
    await waitFor('echo', () => received === 'ping through the router')
    socket.destroy()
  })

  it('H12 request timeout (503) and H13 connection closed without response (503)', async () => {
    const timedOut = await viaRouter(t.routerUrl, 'routed', '/slow?ms=3000')
    expect(timedOut.status).to.equal(503)
    expect(timedOut.text).to.include('Application error')
    expect(routerLines().some(l => /at=error code=H12 desc="Request timeout" method=GET path="\/slow\?ms=3000" .* status=503 /.test(l))).to.equal(true)
    const closed = await viaRouter(t.routerUrl, 'routed', '/close')
    expect(closed.status).to.equal(503)
    expect(routerLines().some(l => l.includes('code=H13 desc="Connection closed without response"'))).to.equal(true)
  })

  it('H80 maintenance mode (503), unknown host (404)', async () => {
    await t.client.patch('/apps/routed', {maintenance: true})
    const res = await viaRouter(t.routerUrl, 'routed', '/')
    expect(res.status).to.equal(503)
    expect(res.text).to.include('Offline for Maintenance')
    expect(routerLines().at(-1)).to.include('code=H80 desc="Maintenance mode"')
    await t.client.patch('/apps/routed', {maintenance: false})
    expect((await viaRouter(t.routerUrl, 'routed', '/')).status).to.equal(200)
    const unknown = await viaRouter(t.routerUrl, 'no-such-app', '/')
    expect(unknown.status).to.equal(404)
    expect(unknown.text).to.include('No such app')
  })

  it('a custom domain selects the app', async () => {
    await t.client.post('/apps/routed/domains', {hostname: 'www.routed-example.com', sni_endpoint: null})
    const {request} = await import('node:http')
    const status = await new Promise<number>((resolve, reject) => {
      request(t.routerUrl, {headers: {Host: 'www.routed-example.com'}}, res => {
        res.resume()
        resolve(res.statusCode!)
      }).on('error', reject).end()
    })
    expect(status).to.equal(200)
  })

  it('while web dynos boot, requests wait for one (and get H20 when none comes up in time)', async () => {
    await deployFixture(t.client, 'booting', {web: 'node server.js'}, {BOOT_DELAY_MS: '800'})
    const started = Date.now()
    const waited = await viaRouter(t.routerUrl, 'booting', '/')
    expect(waited.status).to.equal(200)
    expect(Date.now() - started).to.be.above(300)
    const impatient = await startRuntimePlatform({router: {bootWaitMs: 300}})
    try {
      await deployFixture(impatient.client, 'slowboot', {web: 'node server.js'}, {BOOT_DELAY_MS: '5000'})
      const res = await viaRouter(impatient.routerUrl, 'slowboot', '/')
      expect(res.status).to.equal(503)
      const {id} = (await impatient.client.get('/apps/slowboot')).body
      expect(impatient.platform.logs.recent(id, 100, {dyno: 'router'}).at(-1)!.text).to.include('at=error code=H20 desc="App boot timeout"')
    } finally {
      await impatient.close()
    }
  })

  it('H14 no web dynos (503), H10 app crashed (503)', async () => {
    await t.client.patch('/apps/routed/formation/web', {quantity: 0})
    await waitFor('no dynos', async () => (await t.client.get('/apps/routed/dynos')).body.length === 0)
    const none = await viaRouter(t.routerUrl, 'routed', '/')
    expect(none.status).to.equal(503)
    expect(routerLines().at(-1), routerLines().slice(-3).join('\n')).to.include('code=H14 desc="No web processes running"')
    await deployFixture(t.client, 'crashy', {web: 'exit 1'})
    const crashyId = (await t.client.get('/apps/crashy')).body.id
    await waitFor('crashed', async () => (await t.client.get('/apps/crashy/dynos')).body[0]?.state === 'crashed')
    // between restarts (backoff) the app is crashed: H10; while restarting, H10 after the wait
    const res = await waitFor('H10', async () => {
      const r = await viaRouter(t.routerUrl, 'crashy', '/')
      return r.status === 503 && t.platform.logs.recent(crashyId, 50, {dyno: 'router'}).some(l => l.text.includes('code=H10')) ? r : undefined
    })
    expect(res.text).to.include('Application error')
  })
})
