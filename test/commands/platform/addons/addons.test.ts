import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {api, run, useIsolatedEnv} from '../../../helpers/cli.js'

const manifest = {
  id: 'mongohq',
  name: 'MongoHQ',
  api: {
    config_vars: ['MONGOHQ_URL'],
    password: 'secret-password',
    sso_salt: 'salt',
    regions: ['us'],
    requires: [],
    production: {base_url: 'https://mongohq.example/heroku/resources', sso_url: 'https://mongohq.example/sso'},
    version: '3',
  },
  plans: [{name: 'sandbox', default: true}, {name: 'big', price: {cents: 1500, unit: 'month'}}],
}

function provider(extra: Record<string, unknown> = {}) {
  const {password: _p, sso_salt: _s, ...publicApi} = manifest.api
  return {
    id: 'mongohq',
    name: 'MongoHQ',
    owner: {id: 'u1', email: 'me@example.com'},
    addon_service: {id: 's1', name: 'mongohq'},
    addons: 0,
    manifest: {...manifest, api: {...publicApi, config_vars_prefix: 'MONGOHQ'}},
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...extra,
  }
}

function manifestFile(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'manifest-')), 'addon-manifest.json')
  writeFileSync(file, content)
  return file
}

describe('platform:addons', () => {
  useIsolatedEnv()

  it('platform:addons:register posts the manifest and says how to use the service', async () => {
    api().post('/platform/addon-providers', manifest).reply(201, provider())
    const {stdout, stderr, exitCode} = await run(['platform:addons:register', manifestFile(JSON.stringify(manifest))])
    expect(exitCode).to.equal(0)
    expect(stderr).to.contain('Registering add-on provider mongohq... done')
    expect(stdout).to.equal([
      'mongohq (MongoHQ) is in the catalog with plans sandbox, big; the platform calls https://mongohq.example/heroku/resources.',
      'Create one with: heroku addons:create mongohq -a APP',
      '',
    ].join('\n'))
  })

  it('platform:addons:register --json prints the provider only', async () => {
    api().post('/platform/addon-providers', manifest).reply(201, provider())
    const {stdout, exitCode} = await run(['platform:addons:register', manifestFile(JSON.stringify(manifest)), '--json'])
    expect(exitCode).to.equal(0)
    expect(JSON.parse(stdout)).to.deep.equal(provider())
  })

  it('platform:addons:register shows the platform\'s reason for refusing a manifest', async () => {
    api().post('/platform/addon-providers', manifest)
      .reply(422, {id: 'invalid_params', message: 'This platform speaks version 3 of the Add-on Partner API: set api.version to "3".'})
    const {stderr, exitCode} = await run(['platform:addons:register', manifestFile(JSON.stringify(manifest))])
    expect(exitCode).to.equal(1)
    expect(stderr).to.contain('set api.version to "3"')
  })

  it('platform:addons:register refuses a missing file or bad JSON before calling the API', async () => {
    const missing = await run(['platform:addons:register', '/nonexistent/addon-manifest.json'])
    expect(missing.exitCode).to.equal(1)
    expect(missing.stderr).to.contain('Cannot read the manifest /nonexistent/addon-manifest.json: ENOENT')
    const bad = await run(['platform:addons:register', manifestFile('{"id": ')])
    expect(bad.exitCode).to.equal(1)
    expect(bad.stderr).to.contain('is not valid JSON')
  })

  it('platform:addons lists the providers, yours and others\'', async () => {
    api().get('/platform/addon-providers').reply(200, [
      provider({addons: 2}),
      provider({id: 'logbox', name: 'Logbox', owner: null, manifest: {...provider().manifest, id: 'logbox', plans: [{name: 'free'}]}}),
    ])
    const {stdout, exitCode} = await run(['platform:addons'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal([
      'Slug     Name     Plans         Add-ons  Base URL                                  Owner',
      'logbox   Logbox   free          0        https://mongohq.example/heroku/resources  another account',
      'mongohq  MongoHQ  sandbox, big  2        https://mongohq.example/heroku/resources  you',
      '',
    ].join('\n'))
  })

  it('platform:addons says how to register when there are none; --json prints []', async () => {
    api().get('/platform/addon-providers').reply(200, [])
    expect((await run(['platform:addons'])).stdout).to.contain('Register one with heroku platform:addons:register MANIFEST.json')
    api().get('/platform/addon-providers').reply(200, [])
    expect(JSON.parse((await run(['platform:addons', '--json'])).stdout)).to.deep.equal([])
  })

  it('platform:addons:unregister deletes it; the platform\'s refusal is shown', async () => {
    api().delete('/platform/addon-providers/mongohq').reply(200, provider())
    const done = await run(['platform:addons:unregister', 'mongohq'])
    expect(done.exitCode).to.equal(0)
    expect(done.stderr).to.contain('Unregistering add-on provider mongohq... done')
    api().delete('/platform/addon-providers/mongohq')
      .reply(422, {id: 'invalid_params', message: 'mongohq still has 1 add-on; destroy it first (heroku addons:destroy), so that nothing is left unprovisioned.'})
    const busy = await run(['platform:addons:unregister', 'mongohq'])
    expect(busy.exitCode).to.equal(1)
    expect(busy.stderr).to.contain('mongohq still has 1 add-on')
  })
})
