// Log sessions served by the log router: history, filters, tail (SSE and plain), latency.
import {expect} from 'chai'
import {request} from 'node:http'
import {PassThrough} from 'node:stream'

import {ApiClient as CliApiClient} from '../../src/lib/api/client.js'
import {streamLogs} from '../../src/lib/logs/logs.js'
import {Output} from '../../src/lib/ui/output.js'

import {deployFixture, type RuntimePlatform, startRuntimePlatform, viaRouter, waitFor} from './fixtures/runtime/helpers.js'

interface Tail {
  lines: string[]
  contentType: string
  close(): void
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
      // eslint-disable-next-line no-await-in-loop
      await viaRouter(t.routerUrl, 'logged', `/log?msg=${marker}`)
      // eslint-disable-next-line no-await-in-loop
      await waitFor('the line on the tail', () => sse.lines.some(l => l.endsWith(`app[web.1]: ${marker}`)), 2000, 1)
      latencies.push(Date.now() - written)
      // eslint-disable-next-line no-await-in-loop
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
