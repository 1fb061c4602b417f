import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {X509Certificate} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ApiClient} from '../../../src/lib/api/client.js'
import {addCert} from '../../../src/lib/certs/certs.js'
import {API, api, run, useIsolatedEnv} from '../../helpers/cli.js'
import {scriptedPrompter} from '../../helpers/scripted-prompter.js'
import {testOutput} from '../../helpers/test-output.js'

/** A self-signed certificate for `names`, made with openssl: the files' paths and their contents. */
function selfSigned(dir: string, file: string, names: string[]) {
  const crt = join(dir, `${file}.crt`)
  const key = join(dir, `${file}.key`)
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt,
    '-subj', `/CN=${names[0]}`, '-days', '30', '-addext', `subjectAltName=${names.map(n => `DNS:${n}`).join(',')}`], {stdio: 'ignore'})
  return {crt, key, certPem: readFileSync(crt, 'utf8'), keyPem: readFileSync(key, 'utf8')}
}

function endpoint(name: string, extra: {caSigned?: boolean, certDomains?: string[], domains?: string[]} = {}) {
  return {
    app: {id: 'a1', name: 'my-app'},
    certificate_chain: '-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n',
    created_at: '2026-01-01T00:00:00Z',
    display_name: null,
    domains: extra.domains ?? [],
    id: `id-${name}`,
    name,
    ssl_cert: {
      'ca_signed?': extra.caSigned ?? false,
      cert_domains: extra.certDomains ?? ['www.example.com'],
      expires_at: '2027-03-04T05:06:07Z',
      issuer: '/CN=www.example.com',
      'self_signed?': !extra.caSigned,
      starts_at: '2026-01-01T00:00:00Z',
      subject: '/CN=www.example.com',
    },
    updated_at: '2026-01-01T00:00:00Z',
  }
}

function domain(hostname: string, sniEndpoint: null | {id: string, name: string} = null, kind = 'custom') {
  return {
    acm_status: null, acm_status_reason: null, app: {id: 'a1', name: 'my-app'}, cname: kind === 'custom' ? 'my-app.herokudns.test' : null,
    created_at: '2026-01-01T00:00:00Z', hostname, id: `dom-${hostname}`, kind, sni_endpoint: sniEndpoint, status: 'succeeded', updated_at: '2026-01-01T00:00:00Z',
  }
}

describe('certs', () => {
  useIsolatedEnv()
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'certs-test-'))
  })

  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('lists the certificates: name, common names, expiry, trust, type, domains', async () => {
    api().get('/apps/my-app/sni-endpoints').reply(200, [
      endpoint('tall-tree-22222', {caSigned: true, certDomains: ['*.example.org'], domains: ['d1', 'd2']}),
      endpoint('calm-sea-11111', {domains: ['dom-www.example.com']}),
    ])
    const {stdout, exitCode} = await run(['certs', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal([
      'Name             Common Name(s)   Expires               Trusted  Type  Domains',
      'calm-sea-11111   www.example.com  2027-03-04 05:06 UTC  False    SNI   1',
      'tall-tree-22222  *.example.org    2027-03-04 05:06 UTC  True     SNI   2',
      '',
    ].join('\n'))
  })

  it('says when there are none; --json prints the API objects', async () => {
    api().get('/apps/my-app/sni-endpoints').reply(200, [])
    expect((await run(['certs', '-a', 'my-app'])).stdout).to.equal('my-app has no SSL certificates.\nUse heroku certs:add CRT KEY to add one.\n')
    api().get('/apps/my-app/sni-endpoints').reply(200, [endpoint('calm-sea-11111')])
    expect(JSON.parse((await run(['certs', '-a', 'my-app', '--json'])).stdout)).to.deep.equal([endpoint('calm-sea-11111')])
  })

  it('certs:add uploads both files and, without a terminal, uses it for every custom domain it covers', async () => {
    const {crt, key, certPem, keyPem} = selfSigned(dir, 'www', ['www.example.com'])
    api().post('/apps/my-app/sni-endpoints', {certificate_chain: certPem, private_key: keyPem}).reply(201, endpoint('calm-sea-11111'))
    api().get('/apps/my-app/domains').reply(200, [domain('my-app.localhost', null, 'heroku'), domain('www.example.com'), domain('api.example.com')])
    api().patch('/apps/my-app/domains/www.example.com', {sni_endpoint: 'calm-sea-11111'}).reply(200, domain('www.example.com', {id: 'id-calm-sea-11111', name: 'calm-sea-11111'}))
    api().get('/apps/my-app/sni-endpoints/calm-sea-11111').reply(200, endpoint('calm-sea-11111', {domains: ['dom-www.example.com']}))
    const {stdout, stderr, exitCode} = await run(['certs:add', crt, key, '-a', 'my-app'])
    expect(exitCode, stderr).to.equal(0)
    expect(stderr).to.contain('Adding SSL certificate to my-app... done')
    expect(stdout).to.equal([
      'Certificate details:',
      'Name:           calm-sea-11111',
      'Common Name(s): www.example.com',
      'Domain(s):      www.example.com',
      'Expires At:     2027-03-04 05:06 UTC',
      'Issuer:         /CN=www.example.com',
      'Starts At:      2026-01-01 00:00 UTC',
      'Subject:        /CN=www.example.com',
      'SSL certificate is self signed.',
      '',
    ].join('\n'))
  })

  it('certs:add on a terminal asks about each custom domain it covers and uses it for those answered yes', async () => {
    const {crt, key} = selfSigned(dir, 'both', ['www.example.com', 'api.example.com'])
    const both = {certDomains: ['www.example.com', 'api.example.com']}
    api().post('/apps/my-app/sni-endpoints').reply(201, endpoint('calm-sea-11111', both))
    api().get('/apps/my-app/domains').reply(200, [domain('www.example.com'), domain('api.example.com')])
    api().patch('/apps/my-app/domains/www.example.com', {sni_endpoint: 'calm-sea-11111'}).reply(200, domain('www.example.com', {id: 'id-calm-sea-11111', name: 'calm-sea-11111'}))
    api().get('/apps/my-app/sni-endpoints/calm-sea-11111').reply(200, endpoint('calm-sea-11111', {...both, domains: ['dom-www.example.com']}))
    const prompter = scriptedPrompter([
      {answer: true, confirm: 'Use calm-sea-11111 for www.example.com?', flag: '--domains'},
      {answer: false, confirm: 'Use calm-sea-11111 for api.example.com?', flag: '--domains'},
    ])
    const {out, stdout} = testOutput({columns: 0, stdoutTTY: true})
    const client = new ApiClient({baseUrl: API, token: async () => 'test-token', userAgent: 'test'})
    const added = await addCert({api: client, app: 'my-app', certFile: crt, keyFile: key, out, prompter})
    expect(added.domains).to.deep.equal(['dom-www.example.com'])
    expect(stdout.text).to.contain('Which of these domains on this application would you like this certificate associated with?')
  })

  it('certs:add --domains uses it for those only (and un-assigns a covered one the platform gave it); --json prints the endpoint', async () => {
    const {crt, key} = selfSigned(dir, 'both', ['www.example.com', 'api.example.com'])
    const ref = {id: 'id-calm-sea-11111', name: 'calm-sea-11111'}
    const both = {certDomains: ['www.example.com', 'api.example.com'], domains: ['dom-www.example.com', 'dom-api.example.com']}
    api().get('/apps/my-app/domains').reply(200, [domain('www.example.com'), domain('api.example.com')])
    api().post('/apps/my-app/sni-endpoints').reply(201, endpoint('calm-sea-11111', both))
    api().get('/apps/my-app/domains').reply(200, [domain('www.example.com', ref), domain('api.example.com', ref)])
    api().patch('/apps/my-app/domains/api.example.com', {sni_endpoint: null}).reply(200, domain('api.example.com'))
    api().get('/apps/my-app/sni-endpoints/calm-sea-11111').reply(200, endpoint('calm-sea-11111', {...both, domains: ['dom-www.example.com']}))
    const {stdout, exitCode} = await run(['certs:add', crt, key, '-a', 'my-app', '--domains', 'www.example.com', '--json'])
    expect(exitCode).to.equal(0)
    expect(JSON.parse(stdout).domains).to.deep.equal(['dom-www.example.com'])
  })

  it('certs:add --domains naming a domain it does not cover, or one the app lacks, adds nothing (exit 2)', async () => {
    const {crt, key} = selfSigned(dir, 'www', ['www.example.com'])
    api().get('/apps/my-app/domains').reply(200, [domain('www.example.com'), domain('api.example.com')])
    const uncovered = await run(['certs:add', crt, key, '-a', 'my-app', '--domains', 'www.example.com,api.example.com'])
    expect(uncovered.exitCode).to.equal(2)
    expect(uncovered.stderr).to.contain('The certificate (www.example.com) does not cover api.example.com.')
    api().get('/apps/my-app/domains').reply(200, [domain('api.example.com')])
    const missing = await run(['certs:add', crt, key, '-a', 'my-app', '--domains', 'www.example.com'])
    expect(missing.exitCode).to.equal(2)
    expect(missing.stderr).to.contain('www.example.com is not a custom domain of my-app.')
  })

  it('certs:add: a missing file is a usage error; the API\'s 422 is shown', async () => {
    const missing = await run(['certs:add', join(dir, 'nope.crt'), join(dir, 'nope.key'), '-a', 'my-app'])
    expect(missing.exitCode).to.equal(2)
    expect(missing.stderr).to.contain(`Could not read the certificate file ${join(dir, 'nope.crt')}: ENOENT.`)
    const {crt, key} = selfSigned(dir, 'www', ['www.example.com'])
    api().post('/apps/my-app/sni-endpoints').reply(422, {id: 'invalid_params', message: 'private_key does not match the certificate (/CN=www.example.com).'})
    const refused = await run(['certs:add', crt, key, '-a', 'my-app'])
    expect(refused.exitCode).to.equal(1)
    expect(refused.stderr).to.contain('Adding SSL certificate to my-app... failed')
    expect(refused.stderr).to.contain('private_key does not match the certificate')
  })

  it('certs:info shows the only certificate, or the one --name names; several without --name is a usage error', async () => {
    api().get('/apps/my-app/sni-endpoints').reply(200, [endpoint('calm-sea-11111', {domains: ['dom-www.example.com']})])
    api().get('/apps/my-app/domains').reply(200, [domain('www.example.com', {id: 'id-calm-sea-11111', name: 'calm-sea-11111'})])
    const info = await run(['certs:info', '-a', 'my-app'])
    expect(info.exitCode).to.equal(0)
    expect(info.stdout).to.contain('Domain(s):      www.example.com\n')
    api().get('/apps/my-app/sni-endpoints').reply(200, [endpoint('calm-sea-11111'), endpoint('tall-tree-22222')])
    const several = await run(['certs:info', '-a', 'my-app'])
    expect(several.exitCode).to.equal(2)
    expect(several.stderr).to.contain('my-app has several SSL certificates: calm-sea-11111, tall-tree-22222.')
    expect(several.stderr).to.contain('--name NAME')
    api().get('/apps/my-app/sni-endpoints/tall-tree-22222').reply(200, endpoint('tall-tree-22222', {caSigned: true}))
    const named = await run(['certs:info', '-a', 'my-app', '--name', 'tall-tree-22222', '--json'])
    expect(JSON.parse(named.stdout).name).to.equal('tall-tree-22222')
  })

  it('certs:update sends the new certificate and key to the endpoint', async () => {
    const {crt, key, certPem, keyPem} = selfSigned(dir, 'new', ['www.example.com'])
    api().get('/apps/my-app/sni-endpoints/calm-sea-11111').reply(200, endpoint('calm-sea-11111'))
    api().patch('/apps/my-app/sni-endpoints/calm-sea-11111', {certificate_chain: certPem, private_key: keyPem}).reply(200, endpoint('calm-sea-11111'))
    const {stdout, stderr, exitCode} = await run(['certs:update', crt, key, '-a', 'my-app', '--name', 'calm-sea-11111'])
    expect(exitCode).to.equal(0)
    expect(stderr).to.contain('Updating SSL certificate calm-sea-11111 for my-app... done')
    expect(stdout).to.contain('Updated certificate details:')
  })

  it('certs:remove needs --confirm APP without a terminal, then deletes it', async () => {
    api().get('/apps/my-app/sni-endpoints').reply(200, [endpoint('calm-sea-11111')])
    const refused = await run(['certs:remove', '-a', 'my-app'])
    expect(refused.exitCode).to.equal(2)
    expect(refused.stderr).to.contain('--confirm my-app')
    api().get('/apps/my-app/sni-endpoints').reply(200, [endpoint('calm-sea-11111')])
    api().delete('/apps/my-app/sni-endpoints/calm-sea-11111').reply(200, endpoint('calm-sea-11111'))
    const removed = await run(['certs:remove', '-a', 'my-app', '--confirm', 'my-app'])
    expect(removed.exitCode).to.equal(0)
    expect(removed.stderr).to.contain('Removing SSL certificate calm-sea-11111 from my-app... done')
  })

  it('certs:generate makes a self-signed certificate with openssl (key 0600) and adds it', async () => {
    const noAdd = await run(['certs:generate', 'www.example.com', '--no-add', '--dir', dir, '--json'])
    expect(noAdd.exitCode, noAdd.stderr).to.equal(0)
    const generated = JSON.parse(noAdd.stdout)
    expect(generated).to.deep.equal({certificate_file: join(dir, 'www.example.com.crt'), key_file: join(dir, 'www.example.com.key'), sni_endpoint: null})
    const cert = new X509Certificate(readFileSync(generated.certificate_file))
    expect(cert.subjectAltName).to.equal('DNS:www.example.com')
    expect(cert.checkIssued(cert)).to.equal(true)
    expect(statSync(generated.key_file).mode & 0o777).to.equal(0o600)
    // never overwrites
    const again = await run(['certs:generate', 'www.example.com', '--no-add', '--dir', dir])
    expect(again.exitCode).to.equal(2)
    expect(again.stderr).to.contain('already exists')

    api().post('/apps/my-app/sni-endpoints', body => typeof body.certificate_chain === 'string' && body.certificate_chain.includes('BEGIN CERTIFICATE'))
      .reply(201, endpoint('calm-sea-11111', {certDomains: ['*.example.com']}))
    api().get('/apps/my-app/domains').reply(200, [])
    const added = await run(['certs:generate', '*.example.com', '-a', 'my-app', '--dir', dir])
    expect(added.exitCode, added.stderr).to.equal(0)
    expect(existsSync(join(dir, 'wildcard.example.com.crt'))).to.equal(true)
    expect(added.stderr).to.contain('Generating a self-signed certificate for *.example.com... done')
    expect(added.stderr).to.contain('No custom domain of my-app is covered by *.example.com')
  })
})
