// Our CLI trusts the local platform's CA for that platform's origin only: every way it connects
// (API client, log streams, build output, run attach) verifies a server on another origin — even
// one whose certificate the same CA signed — with Node's roots alone, and refuses it.

import type {Socket} from 'node:net'

import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'

import {NetworkError} from '../../../src/lib/api/api-error.js'
import {ApiClient} from '../../../src/lib/api/client.js'
import {CaFileError, caFileFor, extraCaFor, fetchFor, forgetCa, originOf, rememberCa, tlsOptionsFor} from '../../../src/lib/api/trust.js'
import {readLogStream} from '../../../src/lib/logs/stream.js'
import {exitFrame} from '../../../src/lib/run/attach-frames.js'
import {attach} from '../../../src/lib/run/attach.js'
import {readSettings} from '../../../src/lib/settings.js'
import {isolatedEnv} from '../../helpers/cli.js'
import {makeTestCa, startHttpsServer, type TestCa, type TestHttpsServer} from '../../helpers/test-ca.js'

describe('trust: the local platform\'s CA, for its origin only', function () {
  this.timeout(30_000)
  let ca: TestCa
  let trusted: TestHttpsServer
  let other: TestHttpsServer
  let restore: () => void

  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    if (req.url === '/stream') {
      res.writeHead(200, {'content-type': 'text/event-stream'})
      res.end('data: line one\n\ndata: line two\n\nevent: end\ndata: bye\n\n')
      return
    }

    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({email: 'jane@example.com'}))
  }

  const onUpgrade = (s: TestHttpsServer) => s.server.on('upgrade', (_req, socket: Socket) => {
    socket.end(Buffer.concat([Buffer.from('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: heroku-run/1\r\n\r\n'), exitFrame(7)]))
  })

  before(async function () {
    const made = makeTestCa()
    if (!made) this.skip()
    ca = made!
    trusted = await startHttpsServer(ca, 'trusted', handler)
    other = await startHttpsServer(ca, 'other', handler)
    onUpgrade(trusted)
    onUpgrade(other)
  })

  after(async () => {
    await trusted?.close()
    await other?.close()
    ca?.cleanup()
  })

  beforeEach(() => {
    restore = isolatedEnv()
    rememberCa(`${trusted.origin}/some/path`, ca.caPath)
  })

  afterEach(() => restore())

  const client = (baseUrl: string) => new ApiClient({baseUrl, maxAttempts: 3, async sleep() {}, token: async () => 't', userAgent: 'test'})

  it('records the CA by exact origin (scheme, host, port), in the settings', () => {
    expect(readSettings().trustedCAs).to.deep.equal({[trusted.origin]: ca.caPath})
    expect(caFileFor(`${trusted.origin}/apps`)).to.equal(ca.caPath)
    expect(caFileFor(other.origin)).to.equal(undefined)
    expect(caFileFor(trusted.origin.replace('https:', 'http:'))).to.equal(undefined)
    expect(caFileFor(trusted.origin.replace('127.0.0.1', 'localhost'))).to.equal(undefined)
    expect(originOf('HTTPS://LocalHost:443/x')).to.equal('https://localhost')
    rememberCa('http://127.0.0.1:1', ca.caPath) // plain HTTP: nothing to trust
    expect(Object.keys(readSettings().trustedCAs!)).to.deep.equal([trusted.origin])
  })

  it('the API client verifies the recorded origin with the CA, and refuses another origin it signed', async () => {
    expect(await client(trusted.origin).get('/account')).to.deep.equal({email: 'jane@example.com'})
    const before = other.connections()
    const error = await client(other.origin).get('/account').catch((error_: unknown) => error_)
    expect(error).to.be.instanceOf(NetworkError)
    expect((error as NetworkError).message).to.include(`Could not reach ${other.origin}`)
    expect((error as NetworkError).hint).to.include('heroku platform:start').and.include(`heroku login --api-url ${other.origin}`)
    expect(other.connections() - before, 'a certificate error is not retried').to.equal(1)
  })

  it('without the record, the platform\'s own origin is refused as well', async () => {
    forgetCa(trusted.origin)
    expect(await client(trusted.origin).get('/account').catch((error: Error) => error)).to.be.instanceOf(NetworkError)
  })

  it('log streams, fetch (build and release output) and run attach trust it for that origin only', async () => {
    const lines: string[] = []
    expect(await readLogStream(`${trusted.origin}/stream`, {onLine: l => lines.push(l)})).to.equal('finished')
    expect(lines).to.deep.equal(['line one', 'line two', 'bye'])
    const refused = await readLogStream(`${other.origin}/stream`, {onLine() {}}).catch((error: Error & {code?: string}) => error.code)
    expect(refused).to.match(/CERT|SIGN|VERIFY/)

    const res = await (await fetchFor(`${trusted.origin}/output`))(`${trusted.origin}/output`)
    expect(await res.json()).to.deep.equal({email: 'jane@example.com'})
    expect(await fetchFor(other.origin)).to.equal(fetch)
    await fetch(`${other.origin}/output`).then(() => expect.fail('fetched'), () => {})

    const io = () => ({stderr: new PassThrough(), stdin: Object.assign(new PassThrough(), {isTTY: false}), stdout: new PassThrough(), tty: false})
    const quiet = io()
    quiet.stdin.end()
    expect(await attach(`${trusted.origin}/dyno-attach/secret`, quiet)).to.equal(7)
    const elsewhere = io()
    elsewhere.stdin.end()
    const failed = await attach(`${other.origin}/dyno-attach/secret`, elsewhere).catch((error: Error) => error.message)
    expect(failed).to.match(/^Could not attach to the dyno: .*(certificate|issuer)/)
  })

  it('the CA file is read when a connection needs it; a missing one is a clear error', async () => {
    const gone = join(ca.dir, 'gone.pem')
    rememberCa(other.origin, gone)
    expect(await tlsOptionsFor('https://api.heroku.com')).to.deep.equal({})
    const error = await client(other.origin).get('/account').catch((error_: unknown) => error_)
    expect(error).to.be.instanceOf(CaFileError)
    expect((error as CaFileError).message).to.include(gone).and.include('no such file')
    expect((error as CaFileError).hint).to.include('heroku platform:start').and.include('heroku login --api-url')
    const notPem = join(ca.dir, 'not-pem.txt')
    writeFileSync(notPem, 'hello')
    rememberCa(other.origin, notPem)
    expect(() => extraCaFor(other.origin)).to.throw(CaFileError, /not a PEM certificate/)
  })
})
