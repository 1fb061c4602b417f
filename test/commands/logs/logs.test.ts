import {expect} from 'chai'
import {Chalk} from 'chalk'
import {createServer, IncomingMessage, Server, ServerResponse} from 'node:http'
import {AddressInfo} from 'node:net'
import {PassThrough} from 'node:stream'

import {ApiClient} from '../../../src/lib/api/client.js'
import {colourLogLine, parseLogLine} from '../../../src/lib/logs/log-line.js'
import {streamLogs} from '../../../src/lib/logs/logs.js'
import {LineDecoder, readLogStream} from '../../../src/lib/logs/stream.js'
import {Output} from '../../../src/lib/ui/output.js'
import {API, api, isolatedEnv, run} from '../../helpers/cli.js'

const L1 = '2026-01-01T00:00:01.000000+00:00 app[web.1]: one'
const L2 = '2026-01-01T00:00:02.000000+00:00 heroku[router]: at=info method=GET path="/" status=200'
const L3 = '2026-01-01T00:00:03.000000+00:00 app[worker.1]: three'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/** A real log stream server on 127.0.0.1:0; each path is one log session's stream. */
async function logServer(routes: Record<string, Handler>): Promise<{close: () => Promise<void>, hits: string[], url: (path: string) => string}> {
  const hits: string[] = []
  const server: Server = createServer((req, res) => {
    hits.push(`${req.url} accept=${req.headers.accept}`)
    const handler = routes[req.url ?? '']
    if (handler) handler(req, res)
    else res.writeHead(404).end()
  })
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const {port} = server.address() as AddressInfo
  return {
    close: () => new Promise<void>(resolve => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
    hits,
    url: path => `http://127.0.0.1:${port}${path}`,
  }
}

const session = (url: string) => ({created_at: '2026-01-01T00:00:00Z', id: 'ls-1', logplex_url: url, updated_at: '2026-01-01T00:00:00Z'})

describe('logs', () => {
  let restore: () => void
  let server: Awaited<ReturnType<typeof logServer>> | undefined

  beforeEach(() => {
    restore = isolatedEnv()
  })

  afterEach(async () => {
    await server?.close()
    server = undefined
    restore()
  })

  it('shows recent lines from a plain-text stream (lines split across chunks), no colour off a TTY', async () => {
    server = await logServer({
      '/s1'(_req, res) {
        res.writeHead(200, {'Content-Type': 'text/plain'})
        res.write(`${L1}\n${L2.slice(0, 20)}`)
        setTimeout(() => res.end(`${L2.slice(20)}\n${L3}`), 20)
      },
    })
    api().post('/apps/my-app/log-sessions', {lines: 200, tail: false}).reply(201, session(server.url('/s1')))
    const {stdout, exitCode} = await run(['logs', '-a', 'my-app', '-n', '200'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal(`${L1}\n${L2}\n${L3}\n`)
    expect(server.hits[0]).to.contain('text/event-stream')
  })

  it('--json prints one object a line; --dyno web.1 and --source go in the session', async () => {
    server = await logServer({
      '/s1'(_req, res) {
        res.writeHead(200, {'Content-Type': 'text/plain'}).end(`${L1}\nnot a log line\n`)
      },
    })
    api().post('/apps/my-app/log-sessions', {dyno_name: 'web.1', source: 'app', tail: false}).reply(201, session(server.url('/s1')))
    const {stdout, exitCode} = await run(['logs', '-a', 'my-app', '-d', 'web.1', '-s', 'app', '--json'])
    expect(exitCode).to.equal(0)
    expect(stdout.trim().split('\n').map(l => JSON.parse(l))).to.deep.equal([
      {dyno: 'web.1', line: L1, message: 'one', source: 'app', timestamp: '2026-01-01T00:00:01.000000+00:00'},
      {line: 'not a log line'},
    ])
  })

  it('--dyno web (a process type) is sent as type', async () => {
    server = await logServer({
      '/s1'(_req, res) {
        res.writeHead(200).end()
      },
    })
    api().post('/apps/my-app/log-sessions', {tail: false, type: 'web'}).reply(201, session(server.url('/s1')))
    expect((await run(['logs', '-a', 'my-app', '--dyno', 'web'])).exitCode).to.equal(0)
  })

  it('--tail: reconnects once after a dropped stream (SSE the second time), skips replayed lines, and Ctrl-C leaves with 0', async () => {
    server = await logServer({
      '/s1'(_req, res) {
        res.writeHead(200, {'Content-Type': 'text/plain'})
        res.write(`${L1}\n${L2}\n`)
        setTimeout(() => res.socket?.destroy(), 30) // the connection drops
      },
      '/s2'(_req, res) {
        res.writeHead(200, {'Content-Type': 'text/event-stream'})
        // the new session replays history first, then streams; keep-alive comments carry nothing
        res.write(`: keep-alive\n\ndata: ${L1}\n\ndata: ${L2}\n\n`)
        setTimeout(() => res.write(`event: message\ndata: ${L3}\n\n`), 20)
        setTimeout(() => process.emit('SIGINT'), 120) // the user presses Ctrl-C
      },
    })
    api().post('/apps/my-app/log-sessions', {tail: true}).reply(201, session(server.url('/s1')))
    api().post('/apps/my-app/log-sessions', {tail: true}).reply(201, session(server.url('/s2')))
    const started = Date.now()
    const {stdout, stderr, exitCode} = await run(['logs', '-a', 'my-app', '--tail'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal(`${L1}\n${L2}\n${L3}\n`)
    expect(stderr).to.contain('The log stream was dropped; reconnecting...')
    expect(stderr).not.to.contain('Error')
    expect(Date.now() - started).to.be.lessThan(3000)
    expect(process.listenerCount('SIGINT')).to.equal(0)
  })

  it('--tail: a stream the server ends for good (event: end, the platform stopping) is the end: its line shown, no reconnect, exit 0', async () => {
    const last = '2026-01-01T00:00:04.000000+00:00 heroku[logplex]: The platform is stopping: this log stream ends.'
    server = await logServer({
      '/s1'(_req, res) {
        res.writeHead(200, {'Content-Type': 'text/event-stream'})
        res.write(`data: ${L1}\n\n`)
        setTimeout(() => res.end(`event: end\ndata: ${last}\n\n`), 20)
      },
    })
    // one session only: a reconnect would POST again and find no answer
    api().post('/apps/my-app/log-sessions', {tail: true}).reply(201, session(server.url('/s1')))
    const {stdout, stderr, exitCode} = await run(['logs', '-a', 'my-app', '--tail'])
    expect(exitCode, stderr).to.equal(0)
    expect(stdout).to.equal(`${L1}\n${last}\n`)
    expect(stderr).not.to.contain('reconnecting')
    expect(server.hits).to.have.length(1)
  })

  it('--tail: a second drop is an error (exit 1)', async () => {
    const drop: Handler = (_req, res) => {
      res.writeHead(200, {'Content-Type': 'text/plain'})
      res.write(`${L1}\n`)
      setTimeout(() => res.socket?.destroy(), 10)
    }

    server = await logServer({'/s1': drop, '/s2': drop})
    api().post('/apps/my-app/log-sessions', {tail: true}).reply(201, session(server.url('/s1')))
    api().post('/apps/my-app/log-sessions', {tail: true}).reply(201, session(server.url('/s2')))
    const {stdout, stderr, exitCode} = await run(['logs', '-a', 'my-app', '-t'])
    expect(exitCode).to.equal(1)
    expect(stdout).to.equal(`${L1}\n`)
    expect(stderr).to.contain('reconnecting')
    expect(stderr).to.contain('The log stream was dropped again')
  })

  it('--tail: a stream that had stayed up earns a new reconnect (lib, with an AbortSignal)', async () => {
    const controller = new AbortController()
    const drop: Handler = (_req, res) => {
      res.writeHead(200, {'Content-Type': 'text/plain'})
      res.write(`${L1}\n`)
      setTimeout(() => res.socket?.destroy(), 10)
    }

    server = await logServer({
      '/s1': drop,
      '/s2': drop,
      '/s3'(_req, res) {
        res.writeHead(200, {'Content-Type': 'text/plain'})
        res.write(`${L3}\n`)
        setTimeout(() => controller.abort(), 30)
      },
    })
    for (const path of ['/s1', '/s2', '/s3']) api().post('/apps/my-app/log-sessions', {tail: true}).reply(201, session(server.url(path)))
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    let printed = ''
    let noted = ''
    stdout.on('data', c => {
      printed += String(c)
    })
    stderr.on('data', c => {
      noted += String(c)
    })
    const out = new Output({env: {}, stderr, stdout})
    const client = new ApiClient({baseUrl: API, token: async () => 'test-token', userAgent: 'test'})
    await streamLogs({api: client, app: 'my-app', out, signal: controller.signal, stableMs: 0, tail: true})
    expect(printed).to.equal(`${L1}\n${L3}\n`)
    expect(noted.match(/reconnecting/g)).to.have.length(2)
  })

  it('fails when the log server answers an error status', async () => {
    server = await logServer({
      '/s1'(_req, res) {
        res.writeHead(500).end('boom')
      },
    })
    api().post('/apps/my-app/log-sessions', {tail: false}).reply(201, session(server.url('/s1')))
    const {stderr, exitCode} = await run(['logs', '-a', 'my-app'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.contain('Could not read the logs: the log server answered 500')
  })

  it('gives up on a log server that never answers', async () => {
    server = await logServer({
      '/silent'() {
        // accept the request, never answer
      },
    })
    let failure: Error | undefined
    await readLogStream(server.url('/silent'), {onLine() {}, responseTimeoutMs: 50}).catch(error => {
      failure = error
    })
    expect(failure?.message).to.equal('no answer from the log server within 50 ms')
  })

  it('fails on an unknown app (404) and on invalid params (422)', async () => {
    api().post('/apps/nope/log-sessions').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
    const notFound = await run(['logs', '-a', 'nope'])
    expect(notFound.exitCode).to.equal(1)
    expect(notFound.stderr).to.contain('Couldn\'t find that app.')
    api().post('/apps/my-app/log-sessions').reply(422, {id: 'invalid_params', message: 'Unknown source: bogus.'})
    const invalid = await run(['logs', '-a', 'my-app', '-s', 'bogus', '--json'])
    expect(invalid.exitCode).to.equal(1)
    expect(JSON.parse(invalid.stderr.trim()).error).to.include({id: 'invalid_params', message: 'Unknown source: bogus.'})
  })

  it('parses lines, decodes SSE and colours sources only when colour is on', () => {
    expect(parseLogLine(L2)).to.include({dyno: 'router', source: 'heroku'})
    const lines: string[] = []
    const sse = new LineDecoder(true, l => lines.push(l))
    sse.push('data: a\r\n\r\ndata: b\ndata: c\n\nid: 3\n')
    sse.push('data:d')
    sse.end()
    expect(lines).to.deep.equal(['a', 'b', 'c', 'd'])
    expect(sse.finished).to.equal(false)
    const ending = new LineDecoder(true, l => lines.push(l))
    ending.push('event: end\ndata: e\n\n')
    expect(ending.finished).to.equal(true)
    expect(lines.at(-1)).to.equal('e')
    expect(colourLogLine(L1, new Chalk({level: 0}))).to.equal(L1)
    const coloured = colourLogLine(L1, new Chalk({level: 1}))
    expect(coloured).to.contain('\u001B[')
    // eslint-disable-next-line no-control-regex -- strips the ANSI SGR (colour) escapes the line was given, and nothing else
    expect(coloured.replaceAll(/\u001B\[\d+m/g, '')).to.equal(L1)
  })
})
