// SNI endpoints on a TLS platform: a certificate uploaded for a custom domain (made here with
// openssl, signed by a test CA) is served by the router for that domain by SNI and reaches the app;
// bad uploads are refused with 422 and nothing stored; a deleted endpoint gives the default
// certificate back; another account neither sees nor uses it.
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {X509Certificate} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {request as httpsRequest} from 'node:https'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {type PeerCertificate, connect as tlsConnect} from 'node:tls'
import {Agent, type Dispatcher, getGlobalDispatcher, setGlobalDispatcher} from 'undici'

import {createUser} from '../../../src/platform/bootstrap.js'
import {certificateNameCovers} from '../../../src/platform/store/sni-endpoints.js'
import {deployFixture, type RuntimePlatform, startRuntimePlatform, waitFor} from '../fixtures/runtime/helpers.js'

const openssl = (dir: string, ...args: string[]) => execFileSync('openssl', args, {cwd: dir, stdio: ['ignore', 'pipe', 'pipe']})

interface Pair {cert: string, key: string}

/** A test CA (not trusted by anyone but these tests). */
function makeCa(dir: string): Pair {
  openssl(
    dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt',
    '-subj', '/CN=SNI Test CA', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign',
  )
  return {cert: readFileSync(join(dir, 'ca.crt'), 'utf8'), key: readFileSync(join(dir, 'ca.key'), 'utf8')}
}

/** A leaf for `names`, signed by the CA in `dir` (or expired: `days` < 0). */
function makeLeaf(dir: string, file: string, names: string[], days = 2): Pair {
  openssl(dir, 'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${file}.key`, '-out', `${file}.csr`, '-subj', `/CN=${names[0]}`)
  writeFileSync(join(dir, `${file}.ext`), `subjectAltName=${names.map(n => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\n`)
  openssl(dir, 'x509', '-req', '-in', `${file}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', String(days), '-extfile', `${file}.ext`, '-out', `${file}.crt`)
  return {cert: readFileSync(join(dir, `${file}.crt`), 'utf8'), key: readFileSync(join(dir, `${file}.key`), 'utf8')}
}

/** The certificate a handshake naming `servername` gets (verified against `ca` and the name when given, else not: the caller compares it). */
function served(port: number, servername: string, ca?: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({host: '127.0.0.1', port, servername, ...(ca ? {ca} : {rejectUnauthorized: false})}, () => {
      resolve(socket.getPeerCertificate())
      socket.end()
    })
    socket.once('error', reject)
  })
}

/** GET over HTTPS to the router, verified against `ca` and the name `host` (SNI and Host). */
function httpsGet(port: number, host: string, path: string, ca: string): Promise<{status: number, text: string}> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({host: '127.0.0.1', port, path, servername: host, headers: {Host: host}, ca, agent: false}, res => {
      const chunks: Buffer[] = []
      res.on('data', c => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode!, text: Buffer.concat(chunks).toString()}))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('sni-endpoints: certificates for custom domains', function () {
  this.timeout(60_000)
  let t: RuntimePlatform
  let dir: string
  let ca: Pair
  let www: Pair
  let routerPort: number
  let previousDispatcher: Dispatcher
  let domainId: string
  let endpointName: string
  const count = () => t.platform.store.get<{n: number}>('SELECT count(*) AS n FROM sni_endpoints')!.n

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sni-test-'))
    ca = makeCa(dir)
    www = makeLeaf(dir, 'www', ['www.example.test'])
    t = await startRuntimePlatform({tls: true})
    previousDispatcher = getGlobalDispatcher()
    setGlobalDispatcher(new Agent({connect: {ca: readFileSync(t.platform.caPath!, 'utf8')}}))
    routerPort = t.platform.routerPort!
    await deployFixture(t.client, 'sni-app', {web: 'node server.js'})
    await waitFor('web.1 up', async () => (await t.client.get('/apps/sni-app/dynos')).body[0]?.state === 'up')
    const domain = await t.client.post('/apps/sni-app/domains', {hostname: 'www.example.test', sni_endpoint: null})
    expect(domain.status, domain.text).to.equal(201)
    domainId = domain.body.id
  })

  after(async () => {
    setGlobalDispatcher(previousDispatcher)
    await t?.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it('lists none at first (what the official CLI\'s domains:add asks)', async () => {
    const listed = await t.client.get('/apps/sni-app/sni-endpoints')
    expect(listed.status).to.equal(200)
    expect(listed.body).to.deep.equal([])
    // before: the custom domain gets the platform's default certificate
    expect((await served(routerPort, 'www.example.test')).subjectaltname).to.contain('DNS:localhost')
  })

  it('refuses a key of another certificate, an expired certificate, non-PEM and a broken chain: 422, nothing stored', async () => {
    const other = makeLeaf(dir, 'other', ['www.example.test'])
    const expired = makeLeaf(dir, 'expired', ['www.example.test'], -1)
    const der = openssl(dir, 'x509', '-in', 'www.crt', '-outform', 'DER').toString('base64')
    const cases: [unknown, RegExp][] = [
      [{certificate_chain: www.cert, private_key: other.key}, /private_key does not match the certificate/],
      [{certificate_chain: expired.cert, private_key: expired.key}, /expired/],
      [{certificate_chain: der, private_key: www.key}, /certificate_chain.*not PEM/],
      [{certificate_chain: www.cert, private_key: 'not a key'}, /private_key.*not PEM/],
      [{certificate_chain: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', private_key: www.key}, /does not parse/],
      [{certificate_chain: ca.cert + www.cert, private_key: www.key}, /not signed by certificate 2/],
      [{certificate_chain: www.cert}, /Missing required field "private_key"/],
    ]
    for (const [body, message] of cases) {
      const res = await t.client.post('/apps/sni-app/sni-endpoints', body)
      expect(res.status, res.text).to.equal(422)
      expect(res.body.id).to.equal('invalid_params')
      expect(res.body.message).to.match(message)
    }

    expect(count()).to.equal(0)
    expect((await t.client.get('/apps/sni-app/sni-endpoints')).body).to.deep.equal([])
  })

  it('stores a certificate for the app and associates the custom domain it covers; the key is never returned', async () => {
    const res = await t.client.post('/apps/sni-app/sni-endpoints', {certificate_chain: www.cert + ca.cert, private_key: www.key})
    expect(res.status, res.text).to.equal(201)
    const endpoint = res.body
    endpointName = endpoint.name
    expect(endpoint.name).to.match(/^[a-z][a-z0-9-]{2,29}$/)
    expect(endpoint.app.name).to.equal('sni-app')
    expect(endpoint.domains).to.deep.equal([domainId])
    expect(endpoint.ssl_cert).to.include({'ca_signed?': false, 'self_signed?': false, issuer: '/CN=SNI Test CA', subject: '/CN=www.example.test'})
    expect(endpoint.ssl_cert.cert_domains).to.deep.equal(['www.example.test'])
    expect(endpoint.ssl_cert.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(Date.parse(endpoint.ssl_cert.expires_at)).to.be.greaterThan(Date.now())
    expect(Date.parse(endpoint.ssl_cert.starts_at)).to.be.at.most(Date.now())
    expect(endpoint.certificate_chain).to.contain('BEGIN CERTIFICATE')
    expect(res.text).to.not.contain('PRIVATE KEY')
    expect(JSON.stringify((await t.client.get('/apps/sni-app/sni-endpoints')).body)).to.not.contain('PRIVATE KEY')
    const info = await t.client.get(`/apps/sni-app/sni-endpoints/${endpoint.name}`)
    expect(info.status).to.equal(200)
    expect(info.body.id).to.equal(endpoint.id)
    expect((await t.client.get(`/apps/sni-app/sni-endpoints/${endpoint.id}`)).body.name).to.equal(endpoint.name)
    const domain = (await t.client.get('/apps/sni-app/domains/www.example.test')).body
    expect(domain.sni_endpoint).to.deep.equal({id: endpoint.id, name: endpoint.name})
    // the official CLI's domains:add --wait polls while "pending": it is not
    expect(domain.status).to.not.equal('pending')
  })

  it('the router serves it for www.example.test by SNI, and the request reaches the app', async () => {
    const answer = await httpsGet(routerPort, 'www.example.test', '/headers', ca.cert)
    expect(answer.status).to.equal(200)
    // a client trusting the test CA verifies the chain and the name
    expect((await served(routerPort, 'www.example.test', ca.cert)).fingerprint256).to.equal(new X509Certificate(www.cert).fingerprint256)
    const headers = JSON.parse(answer.text)
    expect(headers.host).to.equal('www.example.test')
    expect(headers['x-forwarded-proto']).to.equal('https')
    // the app's own name still gets its APP.localhost certificate
    expect((await served(routerPort, 'sni-app.localhost')).subjectaltname).to.equal('DNS:sni-app.localhost')
  })

  it('another account neither sees it nor can use it for its own domain', async () => {
    const user = await createUser(t.platform.store, {email: 'sni-other@example.com', password: 'correct horse battery'})
    const other = t.client.withToken(user.token)
    expect((await other.get('/apps/sni-app/sni-endpoints')).status).to.equal(404)
    expect((await other.get(`/apps/sni-app/sni-endpoints/${endpointName}`)).status).to.equal(404)
    expect((await other.request('DELETE', `/apps/sni-app/sni-endpoints/${endpointName}`)).status).to.equal(404)
    expect((await other.patch(`/apps/sni-app/sni-endpoints/${endpointName}`, {certificate_chain: www.cert, private_key: www.key})).status).to.equal(404)
    expect((await other.post('/apps', {name: 'sni-other'})).status).to.equal(201)
    expect((await other.post('/apps/sni-other/domains', {hostname: 'api.example.test', sni_endpoint: endpointName})).status).to.equal(422)
    expect((await other.post('/apps/sni-other/domains', {hostname: 'api.example.test', sni_endpoint: null})).body.sni_endpoint).to.equal(null)
    expect((await other.patch('/apps/sni-other/domains/api.example.test', {sni_endpoint: endpointName})).status).to.equal(422)
    expect(count()).to.equal(1)
  })

  it('a wildcard certificate covers one label, as TLS does; an update replaces what is served', async () => {
    expect(certificateNameCovers('*.example.test', 'www.example.test')).to.equal(true)
    expect(certificateNameCovers('*.example.test', 'a.b.example.test')).to.equal(false)
    expect(certificateNameCovers('*.example.test', 'example.test')).to.equal(false)
    const wildcard = makeLeaf(dir, 'wild', ['*.example.test'])
    const updated = await t.client.patch(`/apps/sni-app/sni-endpoints/${endpointName}`, {certificate_chain: wildcard.cert, private_key: wildcard.key})
    expect(updated.status, updated.text).to.equal(200)
    expect(updated.body.ssl_cert.cert_domains).to.deep.equal(['*.example.test'])
    expect(updated.body.domains).to.deep.equal([domainId])
    expect((await served(routerPort, 'www.example.test')).fingerprint256).to.equal(new X509Certificate(wildcard.cert).fingerprint256)
    // a mismatched update changes nothing
    expect((await t.client.patch(`/apps/sni-app/sni-endpoints/${endpointName}`, {certificate_chain: www.cert, private_key: wildcard.key})).status).to.equal(422)
    expect((await served(routerPort, 'www.example.test')).fingerprint256).to.equal(new X509Certificate(wildcard.cert).fingerprint256)
    // a domain can be detached (PATCH domain sni_endpoint null) and attached again
    expect((await t.client.patch('/apps/sni-app/domains/www.example.test', {sni_endpoint: null})).body.sni_endpoint).to.equal(null)
    expect((await served(routerPort, 'www.example.test')).subjectaltname).to.contain('DNS:localhost')
    expect((await t.client.patch('/apps/sni-app/domains/www.example.test', {sni_endpoint: endpointName})).body.sni_endpoint.name).to.equal(endpointName)
    expect((await served(routerPort, 'www.example.test')).fingerprint256).to.equal(new X509Certificate(wildcard.cert).fingerprint256)
  })

  it('delete: the domain gets the default certificate again', async () => {
    const deleted = await t.client.request('DELETE', `/apps/sni-app/sni-endpoints/${endpointName}`)
    expect(deleted.status).to.equal(200)
    expect(deleted.body.name).to.equal(endpointName)
    expect(count()).to.equal(0)
    expect((await t.client.get('/apps/sni-app/domains/www.example.test')).body.sni_endpoint).to.equal(null)
    expect((await served(routerPort, 'www.example.test')).subjectaltname).to.contain('DNS:localhost')
    expect((await t.client.get(`/apps/sni-app/sni-endpoints/${endpointName}`)).status).to.equal(404)
  })
})
