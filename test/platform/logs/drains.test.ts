// Log drains against real receivers written here: a TCP syslog server and a syslog+tls one (a
// certificate from a test CA the platform is told to trust; one from another CA refused), an
// HTTPS server checking Logplex's headers and batch framing; a receiver down for a while gets the
// buffered lines when it comes back; one down too long: drops counted, an L10 line in the log.
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer as createHttpsServer, type Server as HttpsServer} from 'node:https'
import {type AddressInfo, createServer as createNetServer, type Server as NetServer, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createServer as createTlsServer} from 'node:tls'

import {issueLeaf, openAuthority} from '../../../src/platform/tls/authority.js'
import {waitFor} from '../fixtures/runtime/helpers.js'
import {expectSchema, startTestPlatform, type TestPlatform} from '../helpers.js'

interface SyslogMessage {
  app: string
  host: string
  msg: string
  msgid: string
  pri: number
  procid: string
  sd: string
  timestamp: string
  version: number
}

/** RFC 6587 octet counting: `LEN SP MSG`, MSG exactly LEN bytes */
function parseOctetCounted(buffer: Buffer): {frames: Buffer[], rest: Buffer} {
  const frames: Buffer[] = []
  let offset = 0
  for (;;) {
    const space = buffer.indexOf(0x20, offset)
    if (space === -1) break
    const lengthText = buffer.subarray(offset, space).toString('latin1')
    if (!/^[1-9]\d*$/.test(lengthText)) throw new Error(`bad frame length ${JSON.stringify(lengthText)}`)
    const length = Number(lengthText)
    if (buffer.length < space + 1 + length) break
    frames.push(buffer.subarray(space + 1, space + 1 + length))
    offset = space + 1 + length
  }

  return {frames, rest: buffer.subarray(offset)}
}

const RFC5424 = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?\]) ([\s\S]*)$/

function parseRfc5424(frame: Buffer): SyslogMessage {
  const m = RFC5424.exec(frame.toString('utf8'))
  if (!m) throw new Error(`not RFC 5424: ${frame.toString()}`)
  return {pri: Number(m[1]), version: Number(m[2]), timestamp: m[3], host: m[4], app: m[5], procid: m[6], msgid: m[7], sd: m[8], msg: m[9]}
}

/** A syslog receiver over TCP (or TLS): every message parsed, in order. */
class SyslogReceiver {
  readonly messages: SyslogMessage[] = []
  readonly errors: string[] = []
  private server?: NetServer
  private readonly sockets = new Set<Socket>()
  port = 0

  constructor(private readonly tls?: {cert: string, key: string}) {}

  async start(port = 0): Promise<number> {
    const onSocket = (socket: Socket) => {
      this.sockets.add(socket)
      let buffer: Buffer = Buffer.alloc(0)
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk])
        try {
          const {frames, rest} = parseOctetCounted(buffer)
          buffer = rest
          for (const frame of frames) this.messages.push(parseRfc5424(frame))
        } catch (error) {
          this.errors.push((error as Error).message)
          socket.destroy()
        }
      })
      socket.on('error', () => {})
      socket.on('close', () => this.sockets.delete(socket))
    }

    const server = this.tls ? createTlsServer({cert: this.tls.cert, key: this.tls.key}, onSocket) : createNetServer(onSocket)
    server.on('tlsClientError', (error: Error) => this.errors.push(`tls: ${error.message}`))
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
    this.port = (server.address() as AddressInfo).port
    return this.port
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise(resolve => this.server?.close(resolve))
    this.server = undefined
  }

  of(text: string): SyslogMessage[] {
    return this.messages.filter(m => m.msg.includes(text))
  }
}

/** a port nothing listens on (now) */
async function freePort(): Promise<number> {
  const server = createNetServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}

describe('log drains', function () {
  this.timeout(60_000)
  let t: TestPlatform
  let appId: string
  let caDir: string
  let ca: Awaited<ReturnType<typeof openAuthority>>
  let leaf: Awaited<ReturnType<typeof issueLeaf>>
  const receivers: {stop(): Promise<void>}[] = []

  const write = (message: string, source: 'app' | 'heroku' = 'app', dyno = 'web.1') => t.platform.logs.write({appId, source, dyno, message})
  const addDrain = async (url: string) => {
    const res = await t.client.post('/apps/drained/log-drains', {url})
    expect(res.status, res.text).to.equal(201)
    return res.body as {id: string, token: string, url: string}
  }

  before(async () => {
    caDir = mkdtempSync(join(tmpdir(), 'drain-ca-'))
    ca = await openAuthority(caDir)
    leaf = await issueLeaf(ca, ['localhost', '127.0.0.1'], new Date())
    t = await startTestPlatform({logs: {drains: {ca: ca.certPem, backoffInitialMs: 50, backoffMaxMs: 200, bufferLines: 300, timeoutMs: 2000}}})
    appId = (await t.client.post('/apps', {name: 'drained'})).body.id
  })

  after(async () => {
    await t?.close()
    for (const r of receivers) await r.stop().catch(() => {})
    rmSync(caDir, {recursive: true, force: true})
  })

  describe('the API', () => {
    it('creates, lists, shows and deletes drains by id, URL or token, as the schema has them', async () => {
      const created = await t.client.post('/apps/drained/log-drains', {url: 'syslog://127.0.0.1:1'})
      expect(created.status).to.equal(201)
      expectSchema('log-drain', 'POST', 'Create', created.body)
      expect(created.body).to.include({url: 'syslog://127.0.0.1:1', addon: null})
      expect(created.body.token).to.match(/^d\.[0-9a-f-]{36}$/)
      expect(created.body.app).to.deep.equal({id: appId, name: 'drained'})
      const listed = await t.client.get('/apps/drained/log-drains')
      expectSchema('log-drain', 'GET', 'List', listed.body)
      expect(listed.body.map((d: {id: string}) => d.id)).to.deep.equal([created.body.id])
      for (const identity of [created.body.id, created.body.url, created.body.token]) {
        const info = await t.client.get(`/apps/drained/log-drains/${encodeURIComponent(identity)}`)
        expect(info.status).to.equal(200)
        expectSchema('log-drain', 'GET', 'Info', info.body)
        expect(info.body.id).to.equal(created.body.id)
      }

      expect((await t.client.post('/apps/drained/log-drains', {url: 'syslog://127.0.0.1:1'})).status).to.equal(409)
      const removed = await t.client.delete(`/apps/drained/log-drains/${encodeURIComponent(created.body.token)}`)
      expect(removed.status).to.equal(200)
      expectSchema('log-drain', 'DELETE', 'Delete', removed.body)
      expect((await t.client.get('/apps/drained/log-drains')).body).to.deep.equal([])
      expect((await t.client.delete(`/apps/drained/log-drains/${created.body.id}`)).status).to.equal(404)
      expect((await t.client.get('/apps/nope-nope/log-drains')).status).to.equal(404)
    })

    it('a URL it cannot deliver to: 422 naming the field, nothing made', async () => {
      for (const url of ['ftp://logs.example.com/x', 'syslog://logs.example.com', 'not a url', '', 42]) {
        const res = await t.client.post('/apps/drained/log-drains', {url})
        expect(res.status, String(url)).to.equal(422)
        expect(res.body.id).to.equal('invalid_params')
        expect(res.body.message).to.include('"url"')
      }

      expect((await t.client.post('/apps/drained/log-drains', {})).status).to.equal(422)
      expect((await t.client.get('/apps/drained/log-drains')).body).to.deep.equal([])
    })
  })

  describe('delivery', () => {
    it('syslog://: every line as an octet-counted RFC 5424 frame (host the app, app app/heroku, procid the dyno)', async () => {
      const receiver = new SyslogReceiver()
      receivers.push(receiver)
      const port = await receiver.start()
      const drain = await addDrain(`syslog://127.0.0.1:${port}`)
      write('hello from the app')
      write('at=info method=GET path="/" status=200', 'heroku', 'router')
      write('State changed from starting to up', 'heroku', 'web.1')
      write('-----> Building on the Heroku-24 stack', 'app', 'build')
      await t.client.patch('/apps/drained/config-vars', {DRAINED: 'yes'}) // heroku[api]: Release v… created by user …
      await waitFor('5 messages', () => receiver.messages.length >= 5)
      expect(receiver.errors).to.deep.equal([])
      const [app, router, state, build, release] = receiver.messages
      for (const m of receiver.messages) {
        expect(m.version).to.equal(1)
        expect(m.timestamp).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/)
        expect(Math.abs(Date.parse(m.timestamp) - Date.now())).to.be.below(10_000)
        expect(m.host).to.equal('drained')
        expect(m.msgid).to.equal('-')
        expect(m.sd).to.equal('-')
      }

      expect(app).to.include({app: 'app', procid: 'web.1', msg: 'hello from the app', pri: 190})
      expect(router).to.include({app: 'heroku', procid: 'router', msg: 'at=info method=GET path="/" status=200', pri: 158})
      expect(state).to.include({app: 'heroku', procid: 'web.1', msg: 'State changed from starting to up'})
      expect(build).to.include({app: 'app', procid: 'build', msg: '-----> Building on the Heroku-24 stack'})
      expect(release).to.include({app: 'heroku', procid: 'api'})
      expect(release.msg).to.match(/^Release v\d+ created by user /)
      // removed: nothing more goes there
      await t.client.delete(`/apps/drained/log-drains/${drain.id}`)
      write('after the drain was removed')
      await new Promise(resolve => setTimeout(resolve, 200))
      expect(receiver.of('after the drain was removed')).to.deep.equal([])
    })

    it('syslog+tls://: the receiver\'s certificate is verified (a trusted CA delivers, another CA\'s certificate gets nothing)', async () => {
      const trusted = new SyslogReceiver({cert: leaf.certPem, key: leaf.keyPem})
      receivers.push(trusted)
      const otherDir = mkdtempSync(join(tmpdir(), 'drain-other-ca-'))
      try {
        const otherCa = await openAuthority(otherDir)
        const otherLeaf = await issueLeaf(otherCa, ['localhost', '127.0.0.1'], new Date())
        const untrusted = new SyslogReceiver({cert: otherLeaf.certPem, key: otherLeaf.keyPem})
        receivers.push(untrusted)
        const good = await addDrain(`syslog+tls://localhost:${await trusted.start()}`)
        const bad = await addDrain(`syslog+tls://localhost:${await untrusted.start()}`)
        write('over tls')
        await waitFor('the trusted receiver has it', () => trusted.of('over tls').length === 1)
        expect(trusted.of('over tls')[0]).to.include({host: 'drained', app: 'app', procid: 'web.1'})
        // the other is refused at each handshake: kept queued, never delivered
        await waitFor('handshakes refused', () => untrusted.errors.length >= 2)
        expect(untrusted.messages).to.deep.equal([])
        expect(t.platform.logs.drainStatus(appId, bad.id)?.queued).to.be.at.least(1)
        await t.client.delete(`/apps/drained/log-drains/${good.id}`)
        await t.client.delete(`/apps/drained/log-drains/${bad.id}`)
      } finally {
        rmSync(otherDir, {recursive: true, force: true})
      }
    })

    it('https://: POST batches as Logplex sends them (application/logplex-1, Logplex-Msg-Count, -Frame-Id, -Drain-Token, Basic auth)', async () => {
      const posts: {body: Buffer, headers: Record<string, string | string[] | undefined>}[] = []
      let failNext = 1
      const server: HttpsServer = createHttpsServer({cert: leaf.certPem, key: leaf.keyPem}, (req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', () => {
          posts.push({headers: req.headers, body: Buffer.concat(chunks)})
          // the first batch is answered 503: it comes again, with the same frame id
          if (failNext-- > 0) res.writeHead(503).end()
          else res.writeHead(200).end()
        })
      })
      receivers.push({
        stop: () => new Promise(resolve => {
          server.close(() => resolve())
        }),
      })
      await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
      const {port} = (server.address() as AddressInfo)
      const drain = await addDrain(`https://user:s3cret@localhost:${port}/logs?x=1`)
      for (let i = 0; i < 5; i++) write(`batched ${i}`)
      await waitFor('a delivered batch', () => posts.length >= 2)
      const [failed, ok] = posts
      expect(ok.headers['logplex-frame-id']).to.equal(failed.headers['logplex-frame-id'])
      expect(ok.body.equals(failed.body)).to.equal(true)
      expect(ok.headers['content-type']).to.equal('application/logplex-1')
      expect(ok.headers['logplex-msg-count']).to.equal('5')
      expect(ok.headers['logplex-frame-id']).to.match(/^[0-9a-f]{16,}$/)
      expect(ok.headers['logplex-drain-token']).to.equal(drain.token)
      expect(ok.headers['user-agent']).to.match(/^Logplex\//)
      expect(ok.headers.authorization).to.equal(`Basic ${Buffer.from('user:s3cret').toString('base64')}`)
      // octet-counted frames, each counting its newline: `<PRI>1 TIME host APP PROCID - MSG\n`
      const {frames, rest} = parseOctetCounted(ok.body)
      expect(rest.length).to.equal(0)
      expect(frames).to.have.length(5)
      for (const [i, frame] of frames.entries()) {
        const text = frame.toString()
        expect(text).to.match(new RegExp(`^<190>1 \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00 host app web\\.1 - batched ${i}\\n$`))
      }

      await t.client.delete(`/apps/drained/log-drains/${drain.id}`)
    })

    it('a receiver down for a while gets the buffered lines, in order, once it is back', async () => {
      const port = await freePort()
      const drain = await addDrain(`syslog://127.0.0.1:${port}`)
      for (let i = 0; i < 100; i++) write(`while down ${i}`)
      await new Promise(resolve => setTimeout(resolve, 400)) // a few refused connections, backing off
      expect(t.platform.logs.drainStatus(appId, drain.id)?.queued).to.equal(100)
      const receiver = new SyslogReceiver()
      receivers.push(receiver)
      await receiver.start(port)
      write('once back')
      await waitFor('all 101', () => receiver.messages.length >= 101, 10_000)
      expect(receiver.messages.map(m => m.msg)).to.deep.equal([...Array.from({length: 100}, (_, i) => `while down ${i}`), 'once back'])
      expect(receiver.errors).to.deep.equal([])
      await t.client.delete(`/apps/drained/log-drains/${drain.id}`)
    })

    it('a receiver down too long: the buffer is bounded, drops counted, an L10 line in the app\'s log (and the drain)', async () => {
      const port = await freePort()
      const drain = await addDrain(`syslog://127.0.0.1:${port}`)
      const started = Date.now()
      for (let i = 0; i < 1000; i++) write(`flood ${i}`)
      // the write path never waits for the drain
      expect(Date.now() - started).to.be.below(1000)
      expect(t.platform.logs.drainStatus(appId, drain.id)?.queued).to.equal(300)
      const receiver = new SyslogReceiver()
      receivers.push(receiver)
      await receiver.start(port)
      await waitFor('the L10 line', () => receiver.of('Error L10').length === 1, 10_000)
      const kept = receiver.messages.filter(m => m.msg.startsWith('flood '))
      expect(kept.map(m => m.msg)).to.deep.equal(Array.from({length: 300}, (_, i) => `flood ${i}`))
      const l10 = receiver.of('Error L10')[0]
      expect(l10).to.include({app: 'heroku', procid: 'logplex', host: 'drained'})
      expect(l10.msg).to.match(/^Error L10 \(output buffer overflow\): 700 messages dropped since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00\.$/)
      const inLog = t.platform.logs.recent(appId, 5, {source: 'heroku'}).map(l => l.text)
      expect(inLog.some(l => / heroku\[logplex\]: Error L10 \(output buffer overflow\): 700 messages dropped since /.test(l))).to.equal(true)
      await t.client.delete(`/apps/drained/log-drains/${drain.id}`)
    })
  })
})
