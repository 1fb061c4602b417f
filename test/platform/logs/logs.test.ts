// Log sessions served by the log router: history, filters, tail (SSE and plain), latency; slow
// and stuck clients (bounded buffers, L10); a platform stopping with tails open.
import {expect} from 'chai'
import {createServer, request, type ServerResponse} from 'node:http'
import {type AddressInfo, connect, type Socket} from 'node:net'
import {PassThrough} from 'node:stream'

import {ApiClient as CliApiClient} from '../../../src/lib/api/client.js'
import {streamLogs} from '../../../src/lib/logs/logs.js'
import {Output} from '../../../src/lib/ui/output.js'
import {LogRouter} from '../../../src/platform/logs/log-router.js'
import {streamLogSession} from '../../../src/platform/logs/log-session-stream.js'
import {deployFixture, type RuntimePlatform, startRuntimePlatform, viaRouter, waitFor} from '../fixtures/runtime/helpers.js'
import {startTestPlatform, type TestPlatform} from '../helpers.js'

interface Tail {
  close(): void
  contentType: string
  lines: string[]
}

function tail(url: string, accept = 'text/event-stream'): Promise<Tail> {
  return new Promise((resolve, reject) => {
    const lines: string[] = []
    const req = request(url, {headers: {Accept: accept}}, res => {
      let buffer = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buffer += chunk
        let nl
        while ((nl = buffer.indexOf('\n')) !== -1) {
          const line = buffer.slice(0, nl)
          buffer = buffer.slice(nl + 1)
          if (line.startsWith('data: ')) lines.push(line.slice(6))
          else if (!accept.includes('event-stream') && line !== '') lines.push(line)
        }
      })
      resolve({lines, contentType: String(res.headers['content-type']), close: () => req.destroy()})
    })
    req.on('error', error => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error)
    })
    req.end()
  })
}

describe('logs', function () {
  this.timeout(60_000)
  let t: RuntimePlatform

  before(async () => {
    t = await startRuntimePlatform()
    await deployFixture(t.client, 'logged', {web: 'node server.js'})
    await waitFor('web.1 up', async () => (await t.client.get('/apps/logged/dynos')).body[0]?.state === 'up')
  })

  after(() => t.close())

  it('without tail: the last N lines in Heroku format, then the end', async () => {
    const session = await t.client.post('/apps/logged/log-sessions', {lines: 5})
    const res = await fetch(session.body.logplex_url)
    expect(res.headers.get('content-type')).to.match(/^text\/plain/)
    const lines = (await res.text()).trimEnd().split('\n')
    expect(lines).to.have.length(5)
    for (const line of lines) expect(line).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 (app|heroku)\[[\w.]+\]: /)
    const all = await (await fetch((await t.client.post('/apps/logged/log-sessions', {lines: 1500})).body.logplex_url)).text()
    expect(all).to.match(/ heroku\[api\]: Release v2 created by user rt-\w+@example\.com/)
    expect(all).to.include(' heroku[web.1]: Starting process with command `node server.js`')
    expect(all).to.include(' heroku[web.1]: State changed from starting to up')
    expect(all).to.match(/ app\[web\.1\]: listening on \d+/)
  })

  it('filters by dyno, process type and source', async () => {
    await viaRouter(t.routerUrl, 'logged', '/')
    const text = async (body: object) => (await (await fetch((await t.client.post('/apps/logged/log-sessions', {lines: 1500, ...body})).body.logplex_url)).text()).trimEnd().split('\n')
    expect((await text({source: 'app'})).every(l => / app\[/.test(l))).to.equal(true)
    expect((await text({dyno_name: 'router'})).every(l => l.includes(' heroku[router]: '))).to.equal(true)
    const web = await text({type: 'web'})
    expect(web.length).to.be.above(0)
    expect(web.every(l => /\[web\.1\]: /.test(l))).to.equal(true)
  })

  it('tail: a line a dyno writes arrives within milliseconds (SSE), and plain text too', async () => {
    const session = await t.client.post('/apps/logged/log-sessions', {tail: true, lines: 0, source: 'app'})
    const sse = await tail(session.body.logplex_url)
    expect(sse.contentType).to.match(/^text\/event-stream/)
    const plain = await tail((await t.client.post('/apps/logged/log-sessions', {tail: true, lines: 0, source: 'app'})).body.logplex_url, 'text/plain')
    expect(plain.contentType).to.match(/^text\/plain/)
    const latencies: number[] = []
    for (let i = 0; i < 5; i++) {
      const marker = `latency-probe-${i}-${Date.now()}`
      // the clock starts before the request that makes the dyno write the line (an upper bound)
      const written = Date.now()

      await viaRouter(t.routerUrl, 'logged', `/log?msg=${marker}`)

      await waitFor('the line on the tail', () => sse.lines.some(l => l.endsWith(`app[web.1]: ${marker}`)), 2000, 1)
      latencies.push(Date.now() - written)

      await waitFor('the line on the plain tail', () => plain.lines.some(l => l.endsWith(`app[web.1]: ${marker}`)), 2000, 1)
    }

    console.log(`      tail latency, request sent → line on the SSE stream (ms): ${latencies.join(' ')}`)
    expect(Math.max(...latencies)).to.be.below(500)
    sse.close()
    plain.close()
  })

  it('heroku logs (the CLI\'s lib) reads history and follows a tail', async () => {
    const lines: string[] = []
    const stdout = new PassThrough()
    stdout.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)))
    const out = new Output({stdout, stderr: new PassThrough(), env: {CI: 'true'}})
    const api = new CliApiClient({baseUrl: t.platform.url, token: async () => t.token, userAgent: 'test'})
    await streamLogs({api, out, app: 'logged', lines: 3, dyno: 'web.1'})
    expect(lines).to.have.length(3)
    lines.length = 0
    const controller = new AbortController()
    const following = streamLogs({api, out, app: 'logged', tail: true, lines: 0, source: 'app', signal: controller.signal})
    await new Promise(resolve => setTimeout(resolve, 200))
    await viaRouter(t.routerUrl, 'logged', '/log?msg=seen-by-heroku-logs')
    await waitFor('the line', () => lines.some(l => l.endsWith('app[web.1]: seen-by-heroku-logs')), 3000)
    controller.abort()
    await following
  })

  it('an unknown or expired session URL is 404', async () => {
    const res = await fetch(`${t.platform.url}/log-sessions/not-a-real-secret-at-all-000`)
    expect(res.status).to.equal(404)
  })
})

/** A tail on a raw socket, paused once the response headers are in: the test decides when it reads. */
async function stuckTail(url: string): Promise<{lines: () => string[], socket: Socket, text: () => string}> {
  const {hostname, port, pathname} = new URL(url)
  const socket = connect(Number(port), hostname)
  let text = ''
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk
  })
  socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`)
  await waitFor('the response headers', () => text.includes('\r\n\r\n'), 5000, 5)
  socket.pause()
  return {socket, text: () => text, lines: () => text.split('\n').filter(l => l.startsWith('data: ')).map(l => l.slice(6))}
}

const pause = () => new Promise(resolve => setImmediate(resolve))

/**
 * `count` lines of ~150 bytes from dyno load.1, 1000 at a time; before each next 1000, the
 * event loop turns and `keptUp` (a reader's count) must have reached the lines so far.
 */
async function flood(logs: LogRouter, appId: string, count: number, tag = 'flood', keptUp?: () => number): Promise<void> {
  const padding = 'x'.repeat(100)
  for (let i = 0; i < count; i += 1000) {
    for (let j = i; j < Math.min(count, i + 1000); j++) logs.write({appId, source: 'app', dyno: 'load.1', message: `${tag} ${j} ${padding}`})

    await pause()

    if (keptUp) await waitFor('the reading tail', () => keptUp() >= Math.min(count, i + 1000), 10_000, 1)
  }
}

describe('logs: slow clients and a stopping platform', function () {
  this.timeout(60_000)
  let t: TestPlatform
  let appId: string
  const cli = (platform: TestPlatform) => new CliApiClient({baseUrl: platform.platform.url, token: async () => platform.owner.token, userAgent: 'test'})
  const newTail = async (platform: TestPlatform): Promise<string> => (await platform.client.post(`/apps/${appId}/log-sessions`, {tail: true, lines: 0, dyno_name: 'load.1'})).body.logplex_url

  beforeEach(async () => {
    t = await startTestPlatform()
    appId = (await t.client.post('/apps', {name: 'flooded'})).body.id
  })

  afterEach(() => t.close())

  it('a tail that does not read costs the platform at most its buffer: later lines are dropped and counted (L10), other tails get every line', async () => {
    const stuck = await stuckTail(await newTail(t))
    const reader = await tail(await newTail(t))
    const total = 200_000
    await flood(t.platform.logs, appId, total, 'flood', () => reader.lines.length)
    expect(reader.lines.filter(l => l.includes(' app[load.1]: flood ')).length).to.equal(total)
    expect(reader.lines.some(l => l.includes('L10'))).to.equal(false)

    // the stuck client reads again: what was buffered, then the L10, then new lines as usual
    stuck.socket.resume()
    const l10 = await waitFor('the L10 line', () => stuck.lines().find(l => l.includes('heroku[logplex]: Error L10 (output buffer overflow): ')), 10_000)
    expect(l10).to.match(/^\d{4}-\d\d-\d\dT[\d:.]+\+00:00 heroku\[logplex\]: Error L10 \(output buffer overflow\): \d+ messages dropped since \d{4}-\d\d-\d\dT[\d:.]+\+00:00\.$/)
    const dropped = Number(/: (\d+) messages dropped/.exec(l10)![1])
    const delivered = stuck.lines().filter(l => l.includes(' app[load.1]: flood ')).length
    expect(delivered + dropped).to.equal(total)
    // 1 MB on the platform's side, the rest in the kernel's socket buffers (a few MB on loopback)
    const deliveredBytes = stuck.text().indexOf('Error L10')
    console.log(`      stuck tail: ${delivered} lines (${(deliveredBytes / 1e6).toFixed(1)} MB) delivered, ${dropped} dropped`)
    expect(deliveredBytes).to.be.below(16 * 1024 * 1024)
    expect(dropped).to.be.above(total / 2)
    await flood(t.platform.logs, appId, 1, 'after')
    await waitFor('a new line on the recovered tail', () => stuck.lines().some(l => l.includes(' app[load.1]: after 0 ')), 5000)
    stuck.socket.destroy()
    reader.close()
  })

  it('a client that takes nothing for stallMs while lines are dropped is disconnected', async () => {
    const logs = new LogRouter()
    let response: ServerResponse | undefined
    const server = createServer((req, res) => {
      response = res
      streamLogSession(logs, 'app-1', {dyno: null, source: null, lines: 0, tail: true}, new Date(Date.now() + 60_000), req, res, {maxBufferedBytes: 64 * 1024, stallMs: 1000})
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    try {
      const stuck = await stuckTail(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
      const started = Date.now()
      await flood(logs, 'app-1', 100_000)
      // not at once: only after stallMs without progress (a busy machine may take that long to flood)
      if (Date.now() - started < 800) expect(response!.destroyed).to.equal(false)
      await waitFor('the stuck stream closed by the platform', () => response!.destroyed, 5000)
      // nothing follows the app for it any more
      expect((logs as unknown as {listeners: Map<string, Set<unknown>>}).listeners.has('app-1')).to.equal(false)
      stuck.socket.destroy()
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })

  it('stopping the platform ends every tail at once: heroku logs --tail prints the last line and does not reconnect', async () => {
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    let printed = ''
    let noted = ''
    stdout.setEncoding('utf8').on('data', (chunk: string) => {
      printed += chunk
    })
    stderr.setEncoding('utf8').on('data', (chunk: string) => {
      noted += chunk
    })
    const out = new Output({stdout, stderr, env: {CI: 'true'}})
    const following = streamLogs({api: cli(t), out, app: 'flooded', tail: true, lines: 0, dyno: 'load.1'})
    await new Promise(resolve => setTimeout(resolve, 200))
    await flood(t.platform.logs, appId, 1, 'before-stop')
    await waitFor('the line on heroku logs', () => printed.includes(' app[load.1]: before-stop 0 '), 3000)
    const started = Date.now()
    await t.platform.close()
    expect(Date.now() - started, 'platform.close() took (ms)').to.be.below(3000)
    await following
    expect(printed.trimEnd().split('\n').at(-1)).to.match(/ heroku\[logplex\]: The platform is stopping: this log stream ends\.$/)
    expect(noted).not.to.contain('reconnecting')
  })

  it('a tail that does not read does not hold up the platform\'s stop', async () => {
    const stuck = await stuckTail(await newTail(t))
    await flood(t.platform.logs, appId, 50_000) // more than its buffer and the kernel's take
    const started = Date.now()
    const closed = t.platform.close()
    await Promise.race([closed, new Promise(resolve => setTimeout(resolve, 5000))])
    expect(Date.now() - started, 'platform.close() took (ms)').to.be.below(3000)
    await closed
    stuck.socket.destroy()
  })

  it('a tail opened while the platform stops ends at once with the last line', async () => {
    const url = await newTail(t)
    t.platform.logs.close()
    const res = await fetch(url, {headers: {Accept: 'text/event-stream'}})
    expect(await res.text()).to.match(/^event: end\ndata: \S+ heroku\[logplex\]: The platform is stopping: this log stream ends\.\n\n$/)
  })
})
