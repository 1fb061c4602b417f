// The router on its own: a fake WebPools and little HTTP servers on loopback as dynos, so that a
// test decides exactly which dyno is up, which refuses connections and what each one answers.
// Timeouts are short (bodyIdleTimeoutMs) so that idle connections are cut within a test.
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer, type IncomingMessage, request, type Server, type ServerResponse} from 'node:http'
import {type AddressInfo, connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Backend, WebPool} from '../../../src/platform/dynos/web-pool.js'
import type {LogLine} from '../../../src/platform/logs/log-sink.js'

import {createUser} from '../../../src/platform/bootstrap.js'
import {PlatformEvents} from '../../../src/platform/events.js'
import {HttpRouter, type RouterOptions} from '../../../src/platform/router/router.js'
import {insertApp} from '../../../src/platform/store/apps.js'
import {openStore, type Store} from '../../../src/platform/store/database.js'

interface FakeDyno extends Backend {
  /** request connections that closed before their response finished */
  cut: number
  /** requests this dyno received */
  requests: number
  server: Server
}

type Handler = (req: IncomingMessage, res: ServerResponse, dyno: FakeDyno) => void

async function startDyno(name: string, handler: Handler): Promise<FakeDyno> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const dyno: FakeDyno = {name, port: (server.address() as AddressInfo).port, inflight: 0, server, requests: 0, cut: 0}
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    dyno.requests++
    res.on('close', () => {
      if (!res.writableFinished) dyno.cut++
    })
    handler(req, res, dyno)
  })
  return dyno
}

/** a dyno whose port refuses connections (nothing listens there any more) */
async function deadDyno(name: string): Promise<FakeDyno> {
  const dyno = await startDyno(name, () => {})
  await stopDyno(dyno)
  return dyno
}

function stopDyno(dyno: FakeDyno): Promise<void> {
  return new Promise(resolve => {
    dyno.server.close(() => resolve())
    dyno.server.closeAllConnections()
  })
}

interface Outcome {
  /** the connection closed before the response ended (the error's code) */
  error?: string
  ms: number
  status?: number
  text: string
}

describe('router against loopback dynos (fake web pool)', function () {
  this.timeout(20_000)
  const app = 'loopback'
  let dataDir: string
  let store: Store
  let appId: string
  let lines: LogLine[]
  let pool: WebPool
  let router: HttpRouter | undefined
  const dynos: FakeDyno[] = []

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'router-loopback-'))
    store = openStore(dataDir)
    const owner = await createUser(store, {email: 'router@example.com', password: 'correct horse battery'})
    appId = insertApp(store, {name: app, ownerId: owner.account.id}).id
  })

  after(() => {
    store.close()
    rmSync(dataDir, {recursive: true, force: true})
  })

  beforeEach(() => {
    lines = []
    pool = {up: [], starting: 0, crashed: 0, wanted: 1, pending: 0}
  })

  afterEach(async () => {
    await router?.close()
    router = undefined
    await Promise.all(dynos.splice(0).map(d => stopDyno(d)))
  })

  async function startRouter(options: Partial<RouterOptions> = {}): Promise<HttpRouter> {
    router = new HttpRouter({
      store, events: new PlatformEvents(), port: 0, requestTimeoutMs: 2000, bootWaitMs: 500,
      logs: {write: line => lines.push(line)},
      pools: {webPool: id => (id === appId ? pool : undefined), poolChanged: (_id, ms) => new Promise(resolve => setTimeout(resolve, Math.min(ms, 20)))},
      ...options,
    })
    await router.listen()
    return router
  }

  async function dyno(name: string, handler: Handler): Promise<FakeDyno> {
    const d = await startDyno(name, handler)
    dynos.push(d)
    return d
  }

  /** One request through the router on a connection of its own; gives up after `limitMs`. */
  function send(path: string, init: {body?: string, method?: string} = {}, limitMs = 5000): Promise<Outcome> {
    const started = Date.now()
    return new Promise(resolve => {
      let text = ''
      let status: number | undefined
      const done = (error?: string) => {
        clearTimeout(limit)
        resolve({status, text, error, ms: Date.now() - started})
      }

      const req = request({host: '127.0.0.1', port: router!.port, path, method: init.method ?? 'GET', agent: false, headers: {Host: `${app}.localhost:${router!.port}`}}, res => {
        status = res.statusCode
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () => done())
        res.on('aborted', () => done('aborted'))
        res.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message))
      })
      const limit = setTimeout(() => {
        req.destroy()
        done('no answer in time')
      }, limitMs)
      req.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message))
      req.end(init.body)
    })
  }

  const routerLines = () => lines.filter(l => l.dyno === 'router').map(l => l.message)
  const until = async (what: string, probe: () => boolean, ms = 3000) => {
    const deadline = Date.now() + ms
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)

      await new Promise(resolve => setTimeout(resolve, 10))
    }
  }

  describe('idle connections', () => {
    it('H15: a response body that stalls after its headers is cut after the idle timeout and logged', async () => {
      const stalled = await dyno('web.1', (_req, res) => {
        res.writeHead(200, {'Content-Type': 'text/plain'})
        res.write('first part, then nothing')
      })
      pool.up = [stalled]
      await startRouter({bodyIdleTimeoutMs: 300})
      const outcome = await send('/stall', {}, 4000)
      expect(outcome.status).to.equal(200)
      expect(outcome.text).to.equal('first part, then nothing')
      expect(outcome.error).to.be.oneOf(['aborted', 'ECONNRESET'])
      expect(outcome.ms).to.be.within(250, 2500)
      await until('the router line', () => routerLines().length > 0)
      expect(routerLines()[0]).to.match(/^at=error code=H15 desc="Idle connection" method=GET path="\/stall" host=loopback\.localhost request_id=\S+ fwd="127\.0\.0\.1" dyno=web\.1 connect=\d+ms service=\d+ms status=503 bytes=24 protocol=http cache=miss$/)
      // the dyno's connection is closed too, and the dyno counts no request in flight
      await until('the dyno connection closed', () => stalled.cut === 1)
      expect(stalled.inflight).to.equal(0)
    })

    it('a body that keeps trickling is not idle, however long it takes in all', async () => {
      const trickle = await dyno('web.1', (_req, res) => {
        res.writeHead(200, {'Content-Type': 'text/plain'})
        let n = 0
        const timer = setInterval(() => {
          res.write(String(n))
          if (++n === 8) {
            clearInterval(timer)
            res.end()
          }
        }, 100)
      })
      pool.up = [trickle]
      await startRouter({bodyIdleTimeoutMs: 300})
      const outcome = await send('/trickle')
      expect(outcome).to.include({status: 200, text: '01234567', error: undefined})
      expect(outcome.ms).to.be.above(700)
      expect(routerLines()[0]).to.match(/^at=info method=GET path="\/trickle" .* status=200 bytes=8 protocol=http cache=miss$/)
    })

    it('H28: a request body that stalls is cut after the idle timeout (499) and the dyno request aborted', async () => {
      const reader = await dyno('web.1', (req, res) => {
        req.resume()
        req.on('end', () => res.end('read it all'))
      })
      pool.up = [reader]
      await startRouter({bodyIdleTimeoutMs: 300})
      const socket = connect(router!.port, '127.0.0.1')
      let received = ''
      socket.setEncoding('latin1').on('data', (chunk: string) => {
        received += chunk
      })
      const closed = new Promise<number>(resolve => socket.on('close', () => resolve(Date.now())))
      const started = Date.now()
      socket.write(`POST /upload HTTP/1.1\r\nHost: ${app}.localhost\r\nContent-Length: 100\r\n\r\nonly ten b`)
      const closedAt = await Promise.race([closed, new Promise<number>(resolve => setTimeout(() => resolve(0), 4000))])
      socket.destroy()
      expect(closedAt, 'the router closed the client connection').to.not.equal(0)
      expect(closedAt - started).to.be.within(250, 2500)
      expect(received).to.equal('')
      await until('the router line', () => routerLines().length > 0)
      expect(routerLines()[0]).to.match(/^at=error code=H28 desc="Client Connection Idle" method=POST path="\/upload" .* dyno=web\.1 connect=\d+ms service=\d+ms status=499 bytes=0 protocol=http cache=bypass$/)
      await until('the dyno request ended', () => reader.inflight === 0 && reader.cut === 1)
    })
  })

  describe('retries', () => {
    const hello: Handler = (req, res, d) => {
      let body = ''
      req.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk
      })
      req.on('end', () => res.end(`${d.name} ${req.method} ${body}`.trim()))
    }

    it('a refused connection is retried on another dyno, even when the refusing one has fewer requests in flight', async () => {
      let releaseSlow = () => {}
      const good = await dyno('web.2', (req, res, d) => {
        if (req.url === '/slow') releaseSlow = () => res.end('slow done')
        else hello(req, res, d)
      })
      pool.up = [good]
      await startRouter()
      // web.2 busy with one request: fewest in flight now prefers the dead web.1
      const slow = send('/slow')
      await until('the slow request at web.2', () => good.requests === 1)
      pool.up = [await deadDyno('web.1'), good]
      const retried = await send('/')
      expect(retried).to.include({status: 200, text: 'web.2 GET'})
      releaseSlow()
      expect((await slow).text).to.equal('slow done')
      expect(routerLines().filter(l => l.includes('path="/" '))).to.have.length(1)
      expect(routerLines().find(l => l.includes('path="/" '))).to.include('dyno=web.2').and.include('status=200')
    })

    it('tries each up dyno once: two refusing dynos, then a good one; H13 when every one refuses', async () => {
      let releaseSlow = () => {}
      const good = await dyno('web.3', (req, res, d) => {
        if (req.url === '/slow') releaseSlow = () => res.end('slow done')
        else hello(req, res, d)
      })
      pool.up = [good]
      await startRouter()
      const slow = send('/slow')
      await until('the slow request at web.3', () => good.requests === 1)
      const dead1 = await deadDyno('web.1')
      const dead2 = await deadDyno('web.2')
      pool.up = [dead1, dead2, good]
      expect(await send('/')).to.include({status: 200, text: 'web.3 GET'})
      releaseSlow()
      await slow
      pool.up = [dead1, dead2]
      const refused = await send('/nowhere')
      expect(refused.status).to.equal(503)
      expect(routerLines().at(-1)).to.include('code=H13').and.include('path="/nowhere"')
      expect(dead1.inflight + dead2.inflight + good.inflight).to.equal(0)
    })

    it('a refused request with a body is retried too (it never reached a dyno), body intact', async () => {
      const good = await dyno('web.2', hello)
      pool.up = [await deadDyno('web.1'), good]
      await startRouter()
      const res = await send('/echo', {method: 'POST', body: 'the body'})
      expect(res).to.include({status: 200, text: 'web.2 POST the body'})
    })

    it('a safe request on a connection the dyno reset goes to another dyno; with one dyno, to the same one on a new connection', async () => {
      let resets = 1
      const flaky: Handler = (req, res, d) => {
        if (resets > 0) {
          resets--
          req.socket.destroy()
          return
        }

        hello(req, res, d)
      }

      const one = await dyno('web.1', flaky)
      pool.up = [one]
      await startRouter()
      expect(await send('/')).to.include({status: 200, text: 'web.1 GET'})
      expect(one.requests).to.equal(2)
      resets = 1
      const two = await dyno('web.2', hello)
      pool.up = [one, two]
      // web.1 is next in round robin
      // eslint-disable-next-line no-unmodified-loop-condition -- flaky, web.1's handler, counts resets down while send() awaits
      for (let i = 0; i < 4 && resets > 0; i++) {
        const res = await send('/')
        expect(res.status).to.equal(200)
        if (resets === 0) expect(res.text).to.equal('web.2 GET')
      }

      expect(resets).to.equal(0)
    })

    it('an unsafe request whose connection was reset is not retried (H13)', async () => {
      const resetting = await dyno('web.1', req => req.socket.destroy())
      const good = await dyno('web.2', hello)
      pool.up = [resetting, good]
      await startRouter()
      const res = await send('/pay', {method: 'POST', body: 'once'})
      expect(res.status).to.equal(503)
      expect(resetting.requests).to.equal(1)
      expect(good.requests).to.equal(0)
      expect(routerLines().at(-1)).to.include('code=H13').and.include('dyno=web.1')
    })
  })
})
