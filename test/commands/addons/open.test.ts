import {expect} from 'chai'
import nock from 'nock'
import {readFileSync, statSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {API, api, run, useIsolatedEnv} from '../../helpers/cli.js'

function addon(name: string, extra: Record<string, unknown> = {}) {
  return {
    addon_service: {id: 's1', name: 'heroku-postgresql'},
    app: {id: 'a1', name: 'my-app'},
    config_vars: ['DATABASE_URL'],
    created_at: '2026-01-01T00:00:00Z',
    id: `id-${name}`,
    name,
    plan: {id: 'p1', name: 'heroku-postgresql:essential-0'},
    state: 'provisioned',
    web_url: `https://addons.example.test/${name}`,
    ...extra,
  }
}

/** the SSO endpoint, asked the way the official CLI's addons:open --sudo asks */
const sso = (addonId: string) => nock(API, {reqheaders: {accept: 'application/vnd.heroku+json; version=3.add-ons-sso'}}).get(`/apps/my-app/addons/${addonId}/sso`)

describe('addons:open', () => {
  useIsolatedEnv()

  it('follows the SSO link (method get): --show-url prints it, --json gives it with sso: true', async () => {
    api().get('/apps/my-app/addons/DATABASE').twice().reply(200, addon('pg-1'))
    sso('id-pg-1').reply(200, {method: 'get', action: 'https://dash.example.test/sso/one-time-1'})
    const shown = await run(['addons:open', 'DATABASE', '-a', 'my-app', '--show-url'])
    expect(shown.exitCode, shown.stderr).to.equal(0)
    expect(shown.stdout).to.equal('https://dash.example.test/sso/one-time-1\n')
    sso('id-pg-1').reply(200, {method: 'GET', action: 'https://dash.example.test/sso/one-time-2'})
    const json = await run(['addons:open', 'DATABASE', '-a', 'my-app', '--json'])
    expect(JSON.parse(json.stdout)).to.deep.equal({addon: 'pg-1', sso: true, url: 'https://dash.example.test/sso/one-time-2'})
  })

  it('says "Opening SERVICE:PLAN for APP... done" (the URL printed where no browser opens)', async () => {
    api().get('/apps/intu-jokes/addons/mongohq').reply(200, addon('mongohq', {app: {id: 'a2', name: 'intu-jokes'}, plan: {id: 'p2', name: 'mongohq:sandbox'}}))
    nock(API).get('/apps/intu-jokes/addons/id-mongohq/sso').reply(200, {method: 'get', action: 'https://dash.example.test/sso/x'})
    const {stdout, stderr, exitCode} = await run(['addons:open', 'mongohq', '--app', 'intu-jokes'])
    expect(exitCode, stderr).to.equal(0)
    expect(stderr).to.match(/^Opening mongohq:sandbox for intu-jokes\.\.\. done/m)
    expect(stdout).to.equal('https://dash.example.test/sso/x\n')
  })

  it('falls back to web_url when the platform has no SSO for it (404 endpoint, 422)', async () => {
    api().get('/apps/my-app/addons/DATABASE').twice().reply(200, addon('pg-1'))
    sso('id-pg-1').reply(404, {id: 'not_found', message: 'The requested API endpoint was not found.'})
    expect((await run(['addons:open', 'DATABASE', '-a', 'my-app', '--show-url'])).stdout).to.equal('https://addons.example.test/pg-1\n')
    sso('id-pg-1').reply(422, {id: 'invalid_params', message: 'This add-on has no single sign-on.'})
    const json = await run(['addons:open', 'DATABASE', '-a', 'my-app', '--json'])
    expect(JSON.parse(json.stdout)).to.deep.equal({addon: 'pg-1', sso: false, url: 'https://addons.example.test/pg-1'})
  })

  it('an SSO by POST (a partner\'s): a local auto-submit page of the user\'s alone; --show-url says why it shows web_url', async () => {
    api().get('/apps/my-app/addons/partner-1').twice().reply(200, addon('partner-1', {addon_service: {id: 's9', name: 'acme'}, plan: {id: 'p9', name: 'acme:test'}}))
    const post = {method: 'post', action: 'https://acme.example.test/sso/login', params: {id: 'res-1', token: 'abc"<x>', timestamp: '1700000000'}}
    sso('id-partner-1').reply(200, post)
    const opened = await run(['addons:open', 'partner-1', '-a', 'my-app', '--json'])
    expect(opened.exitCode, opened.stderr).to.equal(0)
    const result = JSON.parse(opened.stdout) as {sso: boolean, url: string}
    expect(result.sso).to.equal(true)
    expect(result.url).to.match(/^file:\/\/.*partner-1\.html$/)
    const file = fileURLToPath(result.url)
    expect(statSync(file).mode & 0o777).to.equal(0o600)
    const html = readFileSync(file, 'utf8')
    expect(html).to.include('<form method="POST" action="https://acme.example.test/sso/login">')
    expect(html).to.include('<input type="hidden" name="token" value="abc&quot;&lt;x&gt;">')
    expect(html).to.include('document.forms[0].submit()')

    sso('id-partner-1').reply(200, post)
    const shown = await run(['addons:open', 'partner-1', '-a', 'my-app', '--show-url'])
    expect(shown.stdout).to.equal('https://addons.example.test/partner-1\n')
    expect(shown.stderr).to.include('single sign-on is a form POST')
  })

  it('fails when there is neither SSO nor a web URL; other API errors are not swallowed', async () => {
    api().get('/addons/pg-1').reply(200, addon('pg-1', {web_url: null}))
    sso('id-pg-1').reply(404, {id: 'not_found', message: 'The requested API endpoint was not found.'})
    const {stderr, exitCode} = await run(['addons:open', 'pg-1'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.contain('pg-1 has no dashboard URL')

    api().get('/addons/pg-1').reply(200, addon('pg-1'))
    sso('id-pg-1').reply(401, {id: 'unauthorized', message: 'Invalid credentials provided.'})
    const denied = await run(['addons:open', 'pg-1'])
    expect(denied.exitCode).to.equal(4)
    expect(denied.stderr).to.contain('Invalid credentials provided.')
  })
})
