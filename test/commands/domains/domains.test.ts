import {expect} from 'chai'

import {api, run, useIsolatedEnv} from '../../helpers/cli.js'

function domain(hostname: string, extra: Record<string, unknown> = {}) {
  return {
    acm_status: null,
    acm_status_reason: null,
    app: {id: 'a1', name: 'my-app'},
    cname: `${hostname.replaceAll('.', '-')}.herokudns.test`,
    created_at: '2026-01-01T00:00:00Z',
    hostname,
    id: `dom-${hostname}`,
    kind: 'custom',
    sni_endpoint: null,
    status: 'succeeded',
    updated_at: '2026-01-01T00:00:00Z',
    ...extra,
  }
}

describe('domains', () => {
  useIsolatedEnv()

  it('lists the platform domain and the custom ones with their DNS targets', async () => {
    api().get('/apps/my-app/domains').reply(200, [domain('my-app.example.test', {cname: null, kind: 'heroku'}), domain('www.example.com')])
    const {stdout, exitCode} = await run(['domains', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal([
      '=== my-app Heroku Domain',
      'my-app.example.test',
      '',
      '=== my-app Custom Domains',
      'Domain Name      DNS Target                      Status',
      'www.example.com  www-example-com.herokudns.test  succeeded',
      '',
    ].join('\n'))
  })

  it('--json prints the domains', async () => {
    api().get('/apps/my-app/domains').reply(200, [domain('www.example.com')])
    expect(JSON.parse((await run(['domains', '-a', 'my-app', '--json'])).stdout)).to.deep.equal([domain('www.example.com')])
  })

  it('adds a domain and shows its DNS target', async () => {
    api().post('/apps/my-app/domains', {hostname: 'www.example.com', sni_endpoint: null}).reply(201, domain('www.example.com'))
    const {stdout, stderr, exitCode} = await run(['domains:add', 'www.example.com', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stderr).to.contain('Adding www.example.com to my-app... done')
    expect(stdout).to.equal('Configure your app\'s DNS provider to point to the DNS Target www-example-com.herokudns.test\n')
  })

  it('domains:add --json prints the domain; domains:remove says what it removed', async () => {
    api().post('/apps/my-app/domains', {hostname: 'api.example.com', sni_endpoint: null}).reply(201, domain('api.example.com'))
    expect(JSON.parse((await run(['domains:add', 'api.example.com', '-a', 'my-app', '--json'])).stdout)).to.deep.equal(domain('api.example.com'))
    api().delete('/apps/my-app/domains/api.example.com').reply(200, domain('api.example.com'))
    expect((await run(['domains:remove', 'api.example.com', '-a', 'my-app'])).stderr).to.contain('Removing api.example.com from my-app... done')
  })

  it('reports a 422 for a bad or taken hostname', async () => {
    api().post('/apps/my-app/domains', {hostname: 'bad_host', sni_endpoint: null}).reply(422, {id: 'invalid_params', message: 'Hostname is invalid.'})
    const {stderr, exitCode} = await run(['domains:add', 'bad_host', '-a', 'my-app'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.contain('Hostname is invalid.')
  })

  it('removes a domain; --json prints it', async () => {
    api().delete('/apps/my-app/domains/www.example.com').reply(200, domain('www.example.com'))
    const {stdout, exitCode} = await run(['domains:remove', 'www.example.com', '-a', 'my-app', '--json'])
    expect(exitCode).to.equal(0)
    expect(JSON.parse(stdout).hostname).to.equal('www.example.com')
  })

  it('fails to remove an unknown domain, and on an unknown app', async () => {
    api().delete('/apps/my-app/domains/nope.example.com').reply(404, {id: 'not_found', message: 'Couldn\'t find that domain.'})
    expect((await run(['domains:remove', 'nope.example.com', '-a', 'my-app'])).exitCode).to.equal(1)
    api().get('/apps/nope/domains').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
    const {stderr, exitCode} = await run(['domains', '-a', 'nope'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.contain('Couldn\'t find that app.')
  })
})
