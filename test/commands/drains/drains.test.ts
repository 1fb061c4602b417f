import {expect} from 'chai'

import {api, run, useIsolatedEnv} from '../../helpers/cli.js'

function drain(url: string, extra: Record<string, unknown> = {}) {
  return {
    addon: null,
    app: {id: 'a1', name: 'my-app'},
    created_at: '2026-01-01T00:00:00Z',
    id: '01234567-89ab-cdef-0123-456789abcdef',
    token: 'd.01234567-89ab-cdef-0123-456789abcdef',
    updated_at: '2026-01-01T00:00:00Z',
    url,
    ...extra,
  }
}

describe('drains', () => {
  useIsolatedEnv()

  it('lists the drains as URL (TOKEN)', async () => {
    api().get('/apps/my-app/log-drains').reply(200, [drain('syslog+tls://logs.example.com:6514'), drain('https://logs.example.com/in', {token: 'd.2'})])
    const {stdout, exitCode} = await run(['drains', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal([
      '=== Drains',
      'syslog+tls://logs.example.com:6514 (d.01234567-89ab-cdef-0123-456789abcdef)',
      'https://logs.example.com/in (d.2)',
      '',
    ].join('\n'))
  })

  it('says when there are none; --json prints the API objects', async () => {
    api().get('/apps/my-app/log-drains').reply(200, [])
    expect((await run(['drains', '-a', 'my-app'])).stdout).to.equal('my-app has no log drains. Add one with heroku drains:add URL.\n')
    api().get('/apps/my-app/log-drains').reply(200, [drain('syslog://logs.example.com:514')])
    const {stdout} = await run(['drains', '-a', 'my-app', '--json'])
    expect(JSON.parse(stdout)).to.deep.equal([drain('syslog://logs.example.com:514')])
  })

  it('drains:add posts the URL', async () => {
    api().post('/apps/my-app/log-drains', {url: 'syslog+tls://logs.example.com:6514'}).reply(201, drain('syslog+tls://logs.example.com:6514'))
    const {stdout, exitCode} = await run(['drains:add', 'syslog+tls://logs.example.com:6514', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal('Successfully added drain syslog+tls://logs.example.com:6514\n')
  })

  it('drains:add --json prints the drain; a bad URL is the server\'s 422', async () => {
    api().post('/apps/my-app/log-drains', {url: 'https://logs.example.com/in'}).reply(201, drain('https://logs.example.com/in'))
    expect(JSON.parse((await run(['drains:add', 'https://logs.example.com/in', '-a', 'my-app', '--json'])).stdout)).to.deep.equal(drain('https://logs.example.com/in'))
    api().post('/apps/my-app/log-drains', {url: 'ftp://x'}).reply(422, {id: 'invalid_params', message: 'url: ftp is not a supported drain scheme (syslog://, syslog+tls://, https://).'})
    const {stderr, exitCode} = await run(['drains:add', 'ftp://x', '-a', 'my-app'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.contain('url: ftp is not a supported drain scheme')
  })

  it('drains:remove deletes by URL (encoded) or token', async () => {
    api().delete(`/apps/my-app/log-drains/${encodeURIComponent('syslog://logs.example.com:514')}`).reply(200, drain('syslog://logs.example.com:514'))
    const byUrl = await run(['drains:remove', 'syslog://logs.example.com:514', '-a', 'my-app'])
    expect(byUrl.exitCode).to.equal(0)
    expect(byUrl.stdout).to.equal('Successfully removed drain syslog://logs.example.com:514\n')
    api().delete('/apps/my-app/log-drains/d.2').reply(200, drain('https://logs.example.com/in', {token: 'd.2'}))
    const byToken = await run(['drains:remove', 'd.2', '-a', 'my-app', '--json'])
    expect(JSON.parse(byToken.stdout).url).to.equal('https://logs.example.com/in')
  })

  it('an unknown drain is a 404 with the server\'s message', async () => {
    api().delete('/apps/my-app/log-drains/d.nope').reply(404, {id: 'not_found', message: 'Couldn\'t find that log drain.'})
    const {stderr, exitCode} = await run(['drains:remove', 'd.nope', '-a', 'my-app'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.contain('Couldn\'t find that log drain.')
  })
})
