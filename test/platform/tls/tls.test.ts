// HTTPS on the local platform (tls/): the local CA and what it may sign, the API/git port over
// TLS only, the router speaking both, per-app certificates by SNI, the attach URL over TLS, the
// state file, and certificates reused across restarts and issued again near their end.
import 'reflect-metadata' // before @peculiar/x509 (tsyringe needs it), as in src/platform/tls/authority.ts
import * as x509 from '@peculiar/x509'
import {expect} from 'chai'
import {type ChildProcess, spawn} from 'node:child_process'
import {X509Certificate} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {request as httpRequest} from 'node:http'
import {request as httpsRequest} from 'node:https'
import {connect as netConnect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createServer as createTlsServer, type PeerCertificate, connect as tlsConnect} from 'node:tls'
import {Agent, type Dispatcher, getGlobalDispatcher, setGlobalDispatcher} from 'undici'

import {encodeFrame, FrameDecoder, FrameType} from '../../../src/lib/run/attach-frames.js'
import {type PlatformProcessState, stateFilePath} from '../../../src/platform/process-files.js'
import {createAuthority, issueLeaf, LEAF_VALIDITY_DAYS, openAuthority} from '../../../src/platform/tls/authority.js'
import {appOfServerName, TlsCertificates} from '../../../src/platform/tls/certificates.js'
import {authedUrl, createAppRepo, gitEnvironment, remoteLines, runGit, tempHome} from '../fixtures/deploy/git.js'
import {deployFixture, type RuntimePlatform, startRuntimePlatform, waitFor} from '../fixtures/runtime/helpers.js'

const DAY = 24 * 60 * 60 * 1000

interface Answer {
  headers: Record<string, string | string[] | undefined>
  status: number
  text: string
}

/** One HTTPS request trusting only `ca`; `servername` for SNI (defaults to the URL's host name). */
function httpsGet(url: string, o: {ca?: string, headers?: Record<string, string>, method?: string, servername?: string} = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, {method: o.method ?? 'GET', ca: o.ca, servername: o.servername, headers: o.headers, agent: false}, res => {
      const chunks: Buffer[] = []
      res.on('data', c => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString()}))
    })
    req.on('error', reject)
    req.end()
  })
}

function httpGet(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {headers, agent: false}, res => {
      const chunks: Buffer[] = []
      res.on('data', c => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString()}))
    })
    req.on('error', reject)
    req.end()
  })
}

/** The certificate a TLS handshake with `servername` gets, verified against `ca` (the chain; the name is what the caller checks). */
function handshake(port: number, servername: string | undefined, ca: string): Promise<{cert: PeerCertificate, error?: Error}> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({host: '127.0.0.1', port, servername, ca}, () => {
      resolve({cert: socket.getPeerCertificate()})
      socket.end()
    })
    socket.once('error', (error: Error & {cert?: PeerCertificate}) => {
      // a name mismatch is checked after the chain: its error carries the certificate served
      if (error.cert) resolve({cert: error.cert, error})
      else reject(error)
    })
  })
}

describe('tls: the local certificate authority', () => {
  const dirs: string[] = []
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls-unit-'))
    dirs.push(dir)
    return dir
  }

  after(() => {
    for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
  })

  it('is a CA for loopback names only: pathlen 0, keyCertSign/cRLSign, name constraints, 10 years', async () => {
    const now = new Date('2026-01-01T00:00:00Z')
    const ca = await createAuthority(now, 'testhost')
    const cert = new x509.X509Certificate(ca.certPem)
    expect(cert.subject).to.include('CN=heroku-toolbelt local platform CA (testhost)')
    const basic = cert.getExtension(x509.BasicConstraintsExtension)!
    expect(basic).to.include({ca: true, pathLength: 0, critical: true})
    const usage = cert.getExtension(x509.KeyUsagesExtension)!
    expect(usage.usages).to.equal(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign)
    expect(usage.critical).to.equal(true)
    const constraints = cert.extensions.find(e => e.type === '2.5.29.30')
    expect(constraints?.critical).to.equal(true)
    expect(new X509Certificate(ca.certPem).ca).to.equal(true)
    expect((cert.publicKey.algorithm as {namedCurve?: string}).namedCurve).to.equal('P-256')
    expect(Math.round((cert.notAfter.getTime() - now.getTime()) / DAY)).to.equal(3650)
  })

  it('a leaf for a name outside its constraints is refused by a client that trusts the CA', async () => {
    const dataDir = tempDir()
    const ca = await openAuthority(dataDir)
    const serve = async (names: string[], servername: string) => {
      const leaf = await issueLeaf(ca, names, new Date())
      const server = createTlsServer({key: leaf.keyPem, cert: leaf.certPem}, socket => socket.end('ok'))
      await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
      try {
        return await new Promise<string>(resolve => {
          const socket = tlsConnect({host: '127.0.0.1', port: (server.address() as {port: number}).port, servername, ca: ca.certPem}, () => {
            socket.destroy()
            resolve('trusted')
          })
          socket.once('error', (error: Error) => resolve(error.message))
        })
      } finally {
        server.close()
      }
    }

    expect(await serve(['some-app.localhost'], 'some-app.localhost')).to.equal('trusted')
    // the CA's key, in anyone's hands, cannot vouch for a real site
    expect(await serve(['example.com'], 'example.com')).to.equal('permitted subtree violation')
  })

  it('keeps the CA and the leaves across restarts; issues a leaf again near its end', async () => {
    const dataDir = tempDir()
    let now = new Date()
    const open = () => TlsCertificates.open({dataDir, host: '127.0.0.1', now: () => now, appExists: name => name !== 'no-such-app'})
    const first = await open()
    expect((statSync(join(dataDir, 'tls/ca-key.pem')).mode & 0o777).toString(8)).to.equal('600')
    expect(first.caPath).to.equal(join(dataDir, 'tls/ca.pem'))
    await first.contextFor('my-app.localhost')
    const appFile = join(dataDir, 'tls/leaves/my-app.localhost.pem')
    expect((statSync(appFile).mode & 0o777).toString(8)).to.equal('600')
    const appLeaf = readFileSync(appFile, 'utf8')
    first.close()

    const second = await open()
    expect(second.caPem).to.equal(first.caPem)
    expect(second.defaultLeaf.certPem).to.equal(first.defaultLeaf.certPem)
    await second.contextFor('my-app.localhost')
    expect(readFileSync(appFile, 'utf8')).to.equal(appLeaf)
    // names a client chose freely get the default certificate, and nothing is issued for them
    for (const name of ['example.com', 'no-such-app.localhost', 'Bad_Name.localhost', 'a.b.localhost', '', 'localhost']) await second.contextFor(name)
    expect(existsSync(join(dataDir, 'tls/leaves/example.com.pem'))).to.equal(false)
    expect(existsSync(join(dataDir, 'tls/leaves/no-such-app.localhost.pem'))).to.equal(false)
    expect(appOfServerName('MY-APP.localhost')).to.equal('my-app')
    expect(appOfServerName('x.localhost')).to.equal(undefined)
    expect(appOfServerName('my-app.localhost.example.com')).to.equal(undefined)
    second.close()

    // 20 days before the end (the renewal window is 30): issued again, on the next open and in use
    now = new Date(Date.now() + (LEAF_VALIDITY_DAYS - 20) * DAY)
    const later = await open()
    expect(later.caPem).to.equal(first.caPem)
    const renewed = new x509.X509Certificate(later.defaultLeaf.certPem)
    expect(later.defaultLeaf.certPem).to.not.equal(first.defaultLeaf.certPem)
    expect(renewed.notAfter.getTime()).to.be.above(now.getTime() + 390 * DAY)
    await later.contextFor('my-app.localhost')
    expect(readFileSync(appFile, 'utf8')).to.not.equal(appLeaf)
    // still running when the window comes: renewDefault (twice a day, and at handshakes) issues it again
    const before = later.defaultLeaf.certPem
    now = new Date(now.getTime() + (LEAF_VALIDITY_DAYS - 10) * DAY)
    await later.renewDefault()
    expect(later.defaultLeaf.certPem).to.not.equal(before)
    later.close()
  })
})

describe('tls: the platform over HTTPS', function () {
  this.timeout(60_000)
  let t: RuntimePlatform
  let ca: string
  let previousDispatcher: Dispatcher
  let apiPort: number
  let routerPort: number

  before(async () => {
    t = await startRuntimePlatform({tls: true})
    ca = readFileSync(t.platform.caPath!, 'utf8')
    // fetch (the test client, deployFixture's upload) trusts the local CA, and only it, here
    previousDispatcher = getGlobalDispatcher()
    setGlobalDispatcher(new Agent({connect: {ca}}))
    apiPort = t.platform.port
    routerPort = t.platform.routerPort!
    await deployFixture(t.client, 'secure', {web: 'node server.js'})
    await waitFor('web.1 up', async () => (await t.client.get('/apps/secure/dynos')).body[0]?.state === 'up')
  })

  after(async () => {
    setGlobalDispatcher(previousDispatcher)
    await t?.close()
  })

  it('makes the CA in the data dir and serves the API over HTTPS to a client trusting only it', async () => {
    expect(t.platform.url).to.equal(`https://127.0.0.1:${apiPort}`)
    expect(t.platform.caPath).to.equal(join(t.dataDir, 'tls/ca.pem'))
    expect((statSync(join(t.dataDir, 'tls/ca-key.pem')).mode & 0o777).toString(8)).to.equal('600')
    expect((statSync(join(t.dataDir, 'tls/ca.pem')).mode & 0o077)).to.equal(0)
    expect(new X509Certificate(ca).ca).to.equal(true)
    const account = await httpsGet(`${t.platform.url}/account`, {ca, headers: {Authorization: `Bearer ${t.token}`, Accept: 'application/vnd.heroku+json; version=3'}})
    expect(account.status).to.equal(200)
    expect(JSON.parse(account.text).email).to.match(/@example\.com$/)
    // localhost names the same server: the certificate covers it
    expect((await httpsGet(`https://localhost:${apiPort}/account`, {ca})).status).to.equal(401)
    const app = (await t.client.get('/apps/secure')).body
    expect(app.git_url).to.equal(`https://127.0.0.1:${apiPort}/secure.git`)
    expect(app.web_url).to.equal(`https://secure.localhost:${routerPort}/`)
  })

  it('a client without the CA fails verification; plain HTTP gets a 400 naming the https URL', async () => {
    const untrusted = await httpsGet(`${t.platform.url}/account`).then(() => undefined, (error: Error & {code?: string}) => error.code)
    expect(untrusted).to.equal('UNABLE_TO_VERIFY_LEAF_SIGNATURE')
    const plain = await httpGet(`http://127.0.0.1:${apiPort}/apps/secure?x=1`)
    expect(plain.status).to.equal(400)
    expect(plain.headers.connection).to.equal('close')
    expect(JSON.parse(plain.text)).to.deep.equal({id: 'bad_request', message: `This port speaks HTTPS: use https://127.0.0.1:${apiPort}/apps/secure`})
    // a connection that never says anything, or resets, harms nothing
    const silent = netConnect(apiPort, '127.0.0.1')
    await new Promise(resolve => silent.once('connect', resolve))
    silent.resetAndDestroy()
    expect((await httpsGet(`${t.platform.url}/account`, {ca})).status).to.equal(401)
  })

  it('git push over https deploys (the pre-receive hook calls back over TLS)', async () => {
    const home = tempHome()
    try {
      expect((await t.client.post('/apps', {name: 'pushed'})).status).to.equal(201)
      const dir = await createAppRepo(home, {
        'package.json': JSON.stringify({name: 'pushed', version: '1.0.0', scripts: {start: 'node server.js'}}),
        'server.js': "require('node:http').createServer((req, res) => res.end('pushed\\n')).listen(process.env.PORT)\n",
      }, home)
      const url = authedUrl((await t.client.get('/apps/pushed')).body.git_url, t.token)
      const pushed = await runGit(['-c', `http.sslCAInfo=${t.platform.caPath}`, 'push', url, 'main'], {cwd: dir, home})
      expect(pushed.code, pushed.output).to.equal(0)
      expect(remoteLines(pushed.output)).to.include('       Released v2')
      expect(remoteLines(pushed.output).some(l => l.includes(`https://pushed.localhost:${routerPort}/`)), pushed.output).to.equal(true)
    } finally {
      rmSync(home, {recursive: true, force: true})
    }
  })

  it('git ls-remote and clone over https with sslCAInfo; without it git refuses', async () => {
    const home = tempHome()
    try {
      const url = authedUrl((await t.client.get('/apps/secure')).body.git_url, t.token)
      const listed = await runGit(['-c', `http.sslCAInfo=${t.platform.caPath}`, 'ls-remote', url], {home})
      expect(listed.code, listed.output).to.equal(0)
      const cloned = await runGit(['-c', `http.sslCAInfo=${t.platform.caPath}`, 'clone', url, join(home, 'clone')], {home})
      expect(cloned.code, cloned.output).to.equal(0)
      expect(existsSync(join(home, 'clone/.git'))).to.equal(true)
      const refused = await runGit(['ls-remote', url], {home, env: {...gitEnvironment(home), GIT_SSL_CAINFO: join(home, 'nothing.pem')}})
      expect(refused.code).to.not.equal(0)
    } finally {
      rmSync(home, {recursive: true, force: true})
    }
  })

  it('the router: https://APP.localhost with its own certificate, X-Forwarded-Proto https; plain HTTP as before', async () => {
    const secure = await httpsGet(`https://127.0.0.1:${routerPort}/headers`, {ca, servername: 'secure.localhost', headers: {Host: `secure.localhost:${routerPort}`}})
    expect(secure.status).to.equal(200)
    const seen = JSON.parse(secure.text) as Record<string, string>
    expect(seen['x-forwarded-proto']).to.equal('https')
    expect(seen['x-forwarded-port']).to.equal(String(routerPort))
    const {cert} = await handshake(routerPort, 'secure.localhost', ca)
    expect(cert.subjectaltname).to.equal('DNS:secure.localhost')
    const plain = await httpGet(`http://127.0.0.1:${routerPort}/headers`, {Host: `secure.localhost:${routerPort}`})
    expect(plain.status).to.equal(200)
    expect(JSON.parse(plain.text)['x-forwarded-proto']).to.equal('http')
    // no SNI (an IP address): the default certificate, valid for 127.0.0.1
    const bare = await httpsGet(`https://127.0.0.1:${routerPort}/`, {ca, headers: {Host: `secure.localhost:${routerPort}`}})
    expect(bare.text).to.equal('hello from web.1\n')
    const appId: string = (await t.client.get('/apps/secure')).body.id
    const lines = t.platform.logs.recent(appId, 200, {dyno: 'router'}).map(l => l.text)
    expect(lines.filter(l => l.includes('path="/headers"')).map(l => /protocol=(\w+)/.exec(l)?.[1])).to.deep.equal(['https', 'http'])
  })

  it('the router pipes WebSocket upgrades over TLS (wss://APP.localhost)', async () => {
    const socket = tlsConnect({host: '127.0.0.1', port: routerPort, servername: 'secure.localhost', ca})
    let received = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      received += chunk
    })
    socket.write(`GET /ws HTTP/1.1\r\nHost: secure.localhost:${routerPort}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`)
    await waitFor('101', () => received.includes('\r\n\r\n'))
    expect(received).to.match(/^HTTP\/1\.1 101 /)
    received = ''
    socket.write('ping over tls')
    await waitFor('echo', () => received === 'ping over tls')
    socket.destroy()
    const appId: string = (await t.client.get('/apps/secure')).body.id
    expect(t.platform.logs.recent(appId, 200, {dyno: 'router'}).map(l => l.text).find(l => l.includes('path="/ws"'))).to.include('status=101 bytes=0 protocol=https')
  })

  it('a wrong or unknown SNI name gets the default certificate, and the router carries on', async () => {
    for (const name of ['example.com', 'no-such-app.localhost', 'UPPER_case.localhost']) {
      const {cert, error} = await handshake(routerPort, name, ca)
      expect(error && (error as {code?: string}).code, name).to.equal('ERR_TLS_CERT_ALTNAME_INVALID')
      expect(cert.subjectaltname, name).to.equal('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1')
    }

    expect(existsSync(join(t.dataDir, 'tls/leaves/example.com.pem'))).to.equal(false)
    expect((await httpsGet(`https://127.0.0.1:${routerPort}/`, {ca, servername: 'secure.localhost', headers: {Host: 'secure.localhost'}})).status).to.equal(200)
  })

  it('attaches to a one-off dyno over TLS (https attach_url with Upgrade)', async () => {
    const created = await t.client.post('/apps/secure/dynos', {command: 'echo "attached over $TRANSPORT"', env: {TRANSPORT: 'tls'}, attach: true, force_no_tty: true}, {headers: {'Attach-Upgrade': 'heroku-run/1'}})
    expect(created.status).to.equal(201)
    expect(created.body.attach_url).to.match(new RegExp(`^https://127\\.0\\.0\\.1:${apiPort}/dyno-attach/[\\w-]{20,}$`))
    const {stdout, exit} = await new Promise<{exit: number, stdout: string}>((resolve, reject) => {
      const req = httpsRequest(created.body.attach_url, {ca, headers: {Connection: 'Upgrade', Upgrade: 'heroku-run/1'}, agent: false})
      req.on('response', res => reject(new Error(`no upgrade: ${res.statusCode}`)))
      req.on('error', reject)
      req.on('upgrade', (_res, socket, head) => {
        let out = ''
        const decoder = new FrameDecoder((type, payload) => {
          if (type === FrameType.stdout) out += payload.toString()
          if (type === FrameType.exit) {
            resolve({stdout: out, exit: payload.readInt32BE(0)})
            socket.destroy()
          }
        })
        if (head.length > 0) decoder.push(head)
        socket.on('data', (chunk: Buffer) => decoder.push(chunk))
        socket.write(encodeFrame(FrameType.stdinEof))
      })
      req.end()
    })
    expect(stdout).to.equal('attached over tls\n')
    expect(exit).to.equal(0)
  })
})

describe('tls: platform/main.ts --tls', function () {
  this.timeout(30_000)
  let child: ChildProcess | undefined
  const dataDir = mkdtempSync(join(tmpdir(), 'tls-main-'))

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise(resolve => child!.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }

    rmSync(dataDir, {recursive: true, force: true})
  })

  it('writes caPath and the https url into platform.json', async () => {
    const output: string[] = []
    child = spawn(process.execPath, ['--import', 'tsx', 'src/platform/main.ts', '--data-dir', dataDir, '--port', '0', '--router-port', '0', '--tls'], {stdio: ['ignore', 'pipe', 'pipe']})
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk))
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk))
    const state = await waitFor('platform.json', () => {
      if (!existsSync(stateFilePath(dataDir))) return
      const read = JSON.parse(readFileSync(stateFilePath(dataDir), 'utf8')) as PlatformProcessState
      return read.pid === child!.pid ? read : undefined
    }, 25_000, 50).catch(error => {
      throw new Error(`${(error as Error).message}\n${output.join('')}`)
    })
    expect(state.url).to.equal(`https://127.0.0.1:${state.port}`)
    expect(state.tls).to.equal(true)
    expect(state.caPath).to.equal(join(dataDir, 'tls/ca.pem'))
    const answer = await httpsGet(`${state.url}/account`, {ca: readFileSync(state.caPath!, 'utf8')})
    expect(answer.status).to.equal(401)
  })
})
