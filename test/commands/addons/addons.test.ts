import {expect} from 'chai'

import {createAddon} from '../../../src/lib/addons/create.js'
import {parseProviderOptions} from '../../../src/lib/addons/provider-options.js'
import {ApiClient} from '../../../src/lib/api/client.js'
import {API, api, run, useIsolatedEnv} from '../../helpers/cli.js'
import {testOutput} from '../../helpers/test-output.js'

function addon(name: string, extra: Record<string, unknown> = {}) {
  return {
    actions: [],
    addon_service: {id: '01234567-89ab-cdef-0123-000000000001', name: 'heroku-postgresql'},
    app: {id: '01234567-89ab-cdef-0123-000000000002', name: 'my-app'},
    billed_price: {cents: 0, contract: false, unit: 'month'},
    billing_entity: {id: '01234567-89ab-cdef-0123-000000000002', name: 'my-app', type: 'app'},
    config_vars: ['DATABASE_URL'],
    created_at: '2026-01-01T00:00:00Z',
    id: `id-${name}`,
    name,
    plan: {id: '01234567-89ab-cdef-0123-000000000003', name: 'heroku-postgresql:essential-0'},
    provider_id: 'abcd',
    state: 'provisioned',
    updated_at: '2026-01-01T00:00:00Z',
    web_url: `https://addons.example.test/${name}`,
    ...extra,
  }
}

function attachment(name: string, addonName: string, app = 'my-app') {
  return {
    addon: {app: {id: 'a1', name: 'my-app'}, id: `id-${addonName}`, name: addonName},
    app: {id: `id-${app}`, name: app},
    created_at: '2026-01-01T00:00:00Z',
    id: `att-${name}-${app}`,
    log_input_url: null,
    name,
    namespace: null,
    updated_at: '2026-01-01T00:00:00Z',
    web_url: null,
  }
}

const notFound = {id: 'not_found', message: 'Couldn\'t find that add-on.', resource: 'addon'}

describe('addons', () => {
  useIsolatedEnv()

  describe('addons (list)', () => {
    it('lists the app\'s add-ons with their attachments', async () => {
      api().get('/apps/my-app/addons').reply(200, [addon('postgresql-shiny-1'), addon('redis-2', {app: {id: 'o', name: 'other-app'}, plan: {id: 'p', name: 'heroku-redis:mini'}, state: 'provisioning'})])
      api().get('/apps/my-app/addon-attachments').reply(200, [attachment('DATABASE', 'postgresql-shiny-1'), attachment('CACHE', 'redis-2')])
      const {stdout, exitCode} = await run(['addons', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal([
        'Add-on                    Plan                           State         Attached',
        'postgresql-shiny-1        heroku-postgresql:essential-0  provisioned   as DATABASE',
        'redis-2 (from other-app)  heroku-redis:mini              provisioning  as CACHE',
        '',
      ].join('\n'))
    })

    it('with --json prints the add-ons exactly as the API listed them (attachments are for the table)', async () => {
      api().get('/apps/my-app/addons').reply(200, [addon('postgresql-shiny-1')])
      api().get('/apps/my-app/addon-attachments').reply(200, [attachment('DATABASE', 'postgresql-shiny-1')])
      const {stdout} = await run(['addons', '-a', 'my-app', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal([addon('postgresql-shiny-1')])
    })

    it('--all lists every add-on of the account (GET /addons)', async () => {
      api().get('/addons').reply(200, [addon('postgresql-shiny-1')])
      const {stdout} = await run(['addons', '--all'])
      expect(stdout).to.contain('postgresql-shiny-1')
      expect(stdout).to.contain('my-app')
    })

    it('fails on an unknown app', async () => {
      api().get('/apps/nope/addons').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      api().get('/apps/nope/addon-attachments').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      const {stderr, exitCode} = await run(['addons', '-a', 'nope'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Couldn\'t find that app.')
    })
  })

  describe('addons:services and addons:plans', () => {
    it('lists services', async () => {
      const services = [
        {cli_plugin_name: null, created_at: '2026-01-01T00:00:00Z', human_name: 'Heroku Redis', id: 's2', name: 'heroku-redis', state: 'ga', supports_multiple_installations: true, supports_sharing: true, updated_at: '2026-01-01T00:00:00Z'},
        {cli_plugin_name: null, created_at: '2026-01-01T00:00:00Z', human_name: 'Heroku Postgres', id: 's1', name: 'heroku-postgresql', state: 'ga', supports_multiple_installations: true, supports_sharing: true, updated_at: '2026-01-01T00:00:00Z'},
      ]
      api().get('/addon-services').twice().reply(200, services)
      const {stdout} = await run(['addons:services'])
      expect(stdout).to.equal('Slug               Name             State\nheroku-postgresql  Heroku Postgres  ga\nheroku-redis       Heroku Redis     ga\n')
      expect(JSON.parse((await run(['addons:services', '--json'])).stdout).map((s: {name: string}) => s.name)).to.deep.equal(['heroku-postgresql', 'heroku-redis'])
    })

    it('lists plans with prices, the default marked', async () => {
      api().get('/addon-services/heroku-redis/plans').reply(200, [
        {default: false, human_name: 'Premium 0', id: 'p2', name: 'heroku-redis:premium-0', price: {cents: 1500, unit: 'month'}},
        {default: true, human_name: 'Mini', id: 'p1', name: 'heroku-redis:mini', price: {cents: 0, unit: 'month'}},
      ])
      const {stdout} = await run(['addons:plans', 'heroku-redis'])
      expect(stdout).to.equal('         Slug                    Name       Price\ndefault  heroku-redis:mini       Mini       free\n         heroku-redis:premium-0  Premium 0  $15/month\n')
    })

    it('--json prints the plans; an expired token exits 4 with a login hint', async () => {
      api().get('/addon-services/heroku-redis/plans').reply(200, [{default: true, human_name: 'Mini', id: 'p1', name: 'heroku-redis:mini', price: {cents: 0, unit: 'month'}}])
      expect(JSON.parse((await run(['addons:plans', 'heroku-redis', '--json'])).stdout)[0].name).to.equal('heroku-redis:mini')
      api().get('/addon-services').reply(401, {id: 'unauthorized', message: 'Invalid credentials provided.'})
      const {stderr, exitCode} = await run(['addons:services'])
      expect(exitCode).to.equal(4)
      expect(stderr).to.contain('Invalid credentials provided.')
      expect(stderr).to.contain('heroku login')
    })

    it('fails on an unknown service, with a hint naming heroku addons:services', async () => {
      api().get('/addon-services/nope/plans').reply(404, {id: 'not_found', message: 'Couldn\'t find that add-on service.'})
      const {stderr, exitCode} = await run(['addons:plans', 'nope'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.equal(' ›   Error: Couldn\'t find that add-on service.\n ›   See the available services with heroku addons:services.\n')
    })
  })

  describe('addons:create', () => {
    const newest = (version: number) => api().get('/apps/my-app/releases').matchHeader('range', 'version ..; order=desc,max=1')
      .reply(200, [{created_at: '2026-01-01T00:00:00Z', description: 'Attach DATABASE', id: `r${version}`, version}])
    const sendgrid = (extra: Record<string, unknown> = {}) => addon('sendgrid-shiny-1', {
      addon_service: {id: 's4', name: 'sendgrid'}, config_vars: ['SENDGRID_API_KEY', 'SENDGRID_USERNAME'], plan: {id: 'p4', name: 'sendgrid:starter'}, ...extra,
    })

    it('adds a free add-on as the pitch shows: release, price, config vars, where the docs are', async () => {
      api().post('/apps/intu-jokes/addons', {plan: 'sendgrid'}).reply(201, sendgrid({app: {id: 'a', name: 'intu-jokes'}}))
      api().get('/apps/intu-jokes/releases').matchHeader('range', 'version ..; order=desc,max=1').reply(200, [{id: 'r8', version: 8}])
      const {stdout, stderr, exitCode} = await run(['addons:add', 'sendgrid', '--app', 'intu-jokes'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.equal('Adding sendgrid on intu-jokes... done, v8 (free)\n')
      expect(stdout).to.equal('Created sendgrid-shiny-1 as SENDGRID_API_KEY, SENDGRID_USERNAME\nUse `heroku addons:docs sendgrid` to view documentation.\n')
    })

    it('shows a paid plan\'s price from billed_price ($5/month), else the plan\'s, and leaves out what it cannot know', async () => {
      api().post('/apps/my-app/addons', {plan: 'heroku-redis:premium-0'}).reply(201, addon('redis-1', {
        addon_service: {id: 's2', name: 'heroku-redis'}, billed_price: {cents: 500, contract: false, unit: 'month'}, config_vars: ['REDIS_URL'],
      }))
      newest(9)
      const paid = await run(['addons:create', 'heroku-redis:premium-0', '-a', 'my-app'])
      expect(paid.exitCode).to.equal(0)
      expect(paid.stderr).to.equal('Adding heroku-redis:premium-0 on my-app... done, v9 ($5/month)\n')

      // no billed_price: the plan's price (expanded, as Heroku can); an app without releases: no version
      api().post('/apps/my-app/addons', {plan: 'memcachier:dev'}).reply(201, addon('memcachier-1', {
        addon_service: {id: 's3', name: 'memcachier'}, billed_price: null, plan: {id: 'p3', name: 'memcachier:dev', price: {cents: 1250, unit: 'month'}},
      }))
      api().get('/apps/my-app/releases').reply(200, [])
      const planPrice = await run(['addons:create', 'memcachier:dev', '-a', 'my-app'])
      expect(planPrice.stderr).to.equal('Adding memcachier:dev on my-app... done ($12.50/month)\n')
      expect(planPrice.stdout).to.contain('Use `heroku addons:docs memcachier` to view documentation.')
    })

    it('creates the add-on with --as, --name and provider options after --, and shows the provider\'s message', async () => {
      api().post('/apps/my-app/addons', {attachment: {name: 'ANALYTICS_DB'}, config: {ha: 'true', version: '15'}, name: 'analytics', plan: 'heroku-postgresql:essential-0'})
        .reply(201, addon('analytics', {config_vars: ['ANALYTICS_DB_URL'], provision_message: 'Your database is ready.'}))
      newest(4)
      const {stdout, stderr, exitCode} = await run(['addons:create', 'heroku-postgresql:essential-0', '-a', 'my-app', '--as', 'ANALYTICS_DB', '--name', 'analytics', '--', '--version', '15', '--ha'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.equal('Adding heroku-postgresql:essential-0 on my-app... done, v4 (free)\nYour database is ready.\n')
      expect(stdout).to.equal('Created analytics as ANALYTICS_DB_URL\nUse `heroku addons:docs heroku-postgresql` to view documentation.\n')
    })

    it('is also addons:add; --json prints exactly the add-on, and nothing else on stdout', async () => {
      api().post('/apps/my-app/addons', {plan: 'heroku-postgresql'}).reply(201, addon('pg-1'))
      const {stdout, stderr} = await run(['addons:add', 'heroku-postgresql', '-a', 'my-app', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal(addon('pg-1'))
      expect(stderr).to.equal('Adding heroku-postgresql on my-app... done (free)\n')
    })

    it('--wait polls until the add-on is provisioned, then shows the release it made', async () => {
      api().post('/apps/my-app/addons', {plan: 'heroku-postgresql'}).reply(202, addon('pg-1', {config_vars: [], state: 'provisioning'}))
      api().get('/apps/my-app/addons/id-pg-1').reply(200, addon('pg-1', {config_vars: [], state: 'provisioning'}))
      api().get('/apps/my-app/addons/id-pg-1').reply(200, addon('pg-1'))
      newest(5)
      const {stdout, stderr, exitCode} = await run(['addons:create', 'heroku-postgresql', '-a', 'my-app', '--wait', '--wait-interval', '0.01'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.equal('Adding heroku-postgresql on my-app... done, provisioning (free)\nWaiting for pg-1... done, v5\n')
      expect(stdout).to.equal('Created pg-1 as DATABASE_URL\nUse `heroku addons:docs heroku-postgresql` to view documentation.\n')
    })

    it('--wait --json prints the provisioned add-on', async () => {
      api().post('/apps/my-app/addons', {plan: 'heroku-postgresql'}).reply(202, addon('pg-1', {state: 'provisioning'}))
      api().get('/apps/my-app/addons/id-pg-1').reply(200, addon('pg-1'))
      const {stdout, stderr, exitCode} = await run(['addons:create', 'heroku-postgresql', '-a', 'my-app', '--wait', '--wait-interval', '0', '--json'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.contain('Waiting for pg-1... done')
      expect(JSON.parse(stdout)).to.deep.equal(addon('pg-1'))
    })

    it('without --wait says that a provisioning add-on is provisioning, and how to wait for it', async () => {
      api().post('/apps/my-app/addons', {plan: 'heroku-postgresql'}).reply(202, addon('pg-1', {config_vars: [], provision_message: 'Starting PostgreSQL 16.', state: 'provisioning'}))
      const {stdout, stderr, exitCode} = await run(['addons:create', 'heroku-postgresql', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.equal([
        'Adding heroku-postgresql on my-app... done, provisioning (free)',
        'Starting PostgreSQL 16.',
        'pg-1 is being created in the background; the app restarts when it is ready.',
        'Run heroku addons:wait pg-1 -a my-app to wait for it.',
        '',
      ].join('\n'))
      expect(stdout).to.equal('Created pg-1\nUse `heroku addons:docs heroku-postgresql` to view documentation.\n')
    })

    it('on a terminal, the same lines: a spinner that ends in the Adding line, the rest on stdout', async () => {
      api().post('/apps/intu-jokes/addons', {plan: 'sendgrid'}).reply(201, sendgrid({app: {id: 'a', name: 'intu-jokes'}}))
      api().get('/apps/intu-jokes/releases').matchHeader('range', 'version ..; order=desc,max=1').reply(200, [{id: 'r8', version: 8}])
      const {out, stderr, stdout} = testOutput({stdoutTTY: true})
      // ora moves the cursor of a real terminal; this one only records what is written
      Object.assign(stderr, {clearLine: () => true, cursorTo: () => true, moveCursor: () => true})
      const client = new ApiClient({baseUrl: API, token: async () => 'test-token', userAgent: 'test'})
      await createAddon({api: client, app: 'intu-jokes', out, plan: 'sendgrid'})
      expect(stderr.text).to.contain('Adding sendgrid on intu-jokes... done, v8 (free)')
      expect(stdout.text).to.equal('Created sendgrid-shiny-1 as SENDGRID_API_KEY, SENDGRID_USERNAME\nUse `heroku addons:docs sendgrid` to view documentation.\n')
    })

    it('rejects a second positional argument (provider options belong after --): exit 2', async () => {
      const {stderr, exitCode} = await run(['addons:create', 'heroku-postgresql', 'extra', '-a', 'my-app'])
      expect(exitCode).to.equal(2)
      expect(stderr).to.contain('Unexpected argument extra')
    })

    it('an unknown service fails with the platform\'s 404 and a hint naming heroku addons:services', async () => {
      api().post('/apps/my-app/addons', {plan: 'nope'}).reply(404, {id: 'not_found', message: 'Couldn\'t find either the add-on service or the add-on plan of "nope".'}, {'Request-Id': 'req-1'})
      const {stdout, stderr, exitCode} = await run(['addons:create', 'nope', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stdout).to.equal('')
      expect(stderr).to.equal([
        'Adding nope on my-app... failed',
        ' ›   Error: Couldn\'t find either the add-on service or the add-on plan of "nope".',
        ' ›   Request ID: req-1',
        ' ›   See the available services with heroku addons:services.',
        '',
      ].join('\n'))
    })

    it('an unknown plan (a 422 on some platforms) names the service\'s plans too; --json puts the hint in the error', async () => {
      api().post('/apps/my-app/addons', {plan: 'heroku-postgresql:nope'}).reply(422, {id: 'invalid_params', message: 'Couldn\'t find either the add-on service or the add-on plan of "heroku-postgresql:nope".'})
      const {stdout, stderr, exitCode} = await run(['addons:create', 'heroku-postgresql:nope', '-a', 'my-app', '--json'])
      expect(exitCode).to.equal(1)
      expect(stdout).to.equal('')
      const {error} = JSON.parse(stderr.split('\n').find(l => l.startsWith('{'))!)
      expect(error).to.deep.include({id: 'invalid_params', status: 422})
      expect(error.hint).to.equal('See the available services with heroku addons:services, and the plans of heroku-postgresql with heroku addons:plans heroku-postgresql.')
    })

    it('an unknown app keeps the app hint, not the services one', async () => {
      api().post('/apps/nope/addons', {plan: 'heroku-postgresql'}).reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      const {stderr, exitCode} = await run(['addons:create', 'heroku-postgresql', '-a', 'nope'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('No app nope')
      expect(stderr).not.to.contain('addons:services')
    })

    it('parses provider options', () => {
      expect(parseProviderOptions(['--version', '15', '--ha', '--tier=gold', '-x', 'y'])).to.deep.equal({ha: 'true', tier: 'gold', version: '15', x: 'y'})
      expect(() => parseProviderOptions(['stray'])).to.throw('Unexpected provider option')
    })
  })

  describe('addons:info', () => {
    it('shows the add-on with its attachments (in the app\'s context)', async () => {
      api().get('/apps/my-app/addons/DATABASE').reply(200, addon('postgresql-shiny-1'))
      api().get('/addons/id-postgresql-shiny-1/addon-attachments').reply(200, [attachment('DATABASE', 'postgresql-shiny-1'), attachment('SHARED', 'postgresql-shiny-1', 'other-app')])
      const {stdout, exitCode} = await run(['addons:info', 'DATABASE', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal([
        '=== postgresql-shiny-1',
        'Plan:         heroku-postgresql:essential-0',
        'Owning app:   my-app',
        'Attachments:  my-app::DATABASE, other-app::SHARED',
        'Config vars:  DATABASE_URL',
        'State:        provisioned',
        'Installed at: 2026-01-01T00:00:00Z',
        '',
      ].join('\n'))
    })

    it('works without an app (GET /addons/{name}); --json prints the add-on object', async () => {
      api().get('/addons/postgresql-shiny-1').reply(200, addon('postgresql-shiny-1'))
      api().get('/addons/id-postgresql-shiny-1/addon-attachments').reply(200, [])
      const {stdout} = await run(['addons:info', 'postgresql-shiny-1', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal(addon('postgresql-shiny-1'))
    })

    it('fails on an unknown add-on', async () => {
      api().get('/addons/nope').reply(404, notFound)
      const {stderr, exitCode} = await run(['addons:info', 'nope'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Couldn\'t find that add-on.')
    })
  })

  describe('addons:destroy', () => {
    it('without a TTY and without --confirm exits 2 naming --confirm', async () => {
      api().get('/apps/my-app/addons/pg-1').reply(200, addon('pg-1'))
      const {stderr, exitCode} = await run(['addons:destroy', 'pg-1', '-a', 'my-app'])
      expect(exitCode).to.equal(2)
      expect(stderr).to.contain('--confirm my-app')
    })

    it('deletes the add-on once confirmed with the owning app\'s name', async () => {
      api().get('/addons/pg-1').reply(200, addon('pg-1'))
      api().delete('/apps/my-app/addons/id-pg-1').reply(200, addon('pg-1', {state: 'deprovisioned'}))
      const {stdout, stderr, exitCode} = await run(['addons:destroy', 'pg-1', '--confirm', 'my-app', '--json'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.contain('Destroying pg-1 on my-app... done')
      expect(JSON.parse(stdout).state).to.equal('deprovisioned')
    })

    it('fails on an unknown add-on', async () => {
      api().get('/addons/nope').reply(404, notFound)
      expect((await run(['addons:destroy', 'nope', '--confirm', 'my-app'])).exitCode).to.equal(1)
    })
  })

  describe('addons:attach and addons:detach', () => {
    it('attaches an add-on to another app --as NAME', async () => {
      api().post('/addon-attachments', {addon: 'pg-1', app: 'other-app', name: 'SHARED_DB'}).reply(201, attachment('SHARED_DB', 'pg-1', 'other-app'))
      const {stdout, exitCode} = await run(['addons:attach', 'pg-1', '-a', 'other-app', '--as', 'SHARED_DB'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal('Attached pg-1 to other-app as SHARED_DB\n')
    })

    it('--json prints the new attachment', async () => {
      api().post('/addon-attachments', {addon: 'pg-1', app: 'other-app'}).reply(201, attachment('PG', 'pg-1', 'other-app'))
      const {stdout} = await run(['addons:attach', 'pg-1', '-a', 'other-app', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal(attachment('PG', 'pg-1', 'other-app'))
    })

    it('detach says what it detached', async () => {
      api().get('/apps/other-app/addon-attachments/PG').reply(200, attachment('PG', 'pg-1', 'other-app'))
      api().delete('/addon-attachments/att-PG-other-app').reply(200, attachment('PG', 'pg-1', 'other-app'))
      const {stderr, exitCode} = await run(['addons:detach', 'PG', '-a', 'other-app'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.contain('Detaching PG (pg-1) from other-app... done')
    })

    it('reports a 422 when the attachment name is taken', async () => {
      api().post('/addon-attachments', {addon: 'pg-1', app: 'other-app', name: 'DATABASE'}).reply(422, {id: 'invalid_params', message: 'Name is already taken'})
      const {stderr, exitCode} = await run(['addons:attach', 'pg-1', '-a', 'other-app', '--as', 'DATABASE'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Name is already taken')
    })

    it('detaches by attachment name; --json prints the attachment', async () => {
      api().get('/apps/other-app/addon-attachments/SHARED_DB').reply(200, attachment('SHARED_DB', 'pg-1', 'other-app'))
      api().delete('/addon-attachments/att-SHARED_DB-other-app').reply(200, attachment('SHARED_DB', 'pg-1', 'other-app'))
      const {stdout, exitCode} = await run(['addons:detach', 'SHARED_DB', '-a', 'other-app', '--json'])
      expect(exitCode).to.equal(0)
      expect(JSON.parse(stdout).name).to.equal('SHARED_DB')
    })

    it('fails to detach an unknown attachment', async () => {
      api().get('/apps/other-app/addon-attachments/NOPE').reply(404, {id: 'not_found', message: 'Couldn\'t find that add-on attachment.'})
      expect((await run(['addons:detach', 'NOPE', '-a', 'other-app'])).exitCode).to.equal(1)
    })
  })

  describe('addons:docs', () => {
    // addons:open (SSO, web_url, --show-url): test/commands/addons-open.test.ts

    it('docs: checks the service, then shows its documentation URL', async () => {
      api().get('/addon-services/heroku-redis').reply(200, {id: 's2', name: 'heroku-redis'})
      const {stdout} = await run(['addons:docs', 'heroku-redis:mini', '--show-url', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal({service: 'heroku-redis', url: 'https://devcenter.heroku.com/articles/heroku-redis'})
    })

    it('docs prints the URL where no browser opens', async () => {
      api().get('/addon-services/heroku-postgresql').reply(200, {id: 's1', name: 'heroku-postgresql'})
      expect((await run(['addons:docs', 'heroku-postgresql'])).stdout).to.equal('https://devcenter.heroku.com/articles/heroku-postgresql\n')
    })

    it('docs: takes the name of an add-on too, for its service\'s page', async () => {
      api().get('/addon-services/redis-round-2').reply(404, {id: 'not_found', message: 'Couldn\'t find that add-on service.'})
      api().get('/addons/redis-round-2').reply(200, addon('redis-round-2', {addon_service: {id: 's2', name: 'heroku-redis'}}))
      expect((await run(['addons:docs', 'redis-round-2', '--show-url'])).stdout).to.equal('https://devcenter.heroku.com/articles/heroku-redis\n')
    })

    it('docs: a service\'s own docs_url, when the platform gives one, wins', async () => {
      api().get('/addon-services/sendgrid').reply(200, {docs_url: 'http://127.0.0.1:5400/docs/addons/sendgrid', id: 's4', name: 'sendgrid'})
      expect((await run(['addons:docs', 'sendgrid', '--show-url'])).stdout).to.equal('http://127.0.0.1:5400/docs/addons/sendgrid\n')
    })

    it('docs: fails on an unknown service (neither a service nor an add-on), with a hint naming heroku addons:services', async () => {
      api().get('/addon-services/nope').reply(404, {id: 'not_found', message: 'Couldn\'t find that add-on service.'})
      api().get('/addons/nope').reply(404, notFound)
      const {stdout, stderr, exitCode} = await run(['addons:docs', 'nope'])
      expect(exitCode).to.equal(1)
      expect(stdout).to.equal('')
      expect(stderr).to.equal(' ›   Error: Couldn\'t find that add-on service.\n ›   See the available services with heroku addons:services.\n')
    })
  })

  describe('addons:wait', () => {
    it('waits for every provisioning add-on of the app', async () => {
      api().get('/apps/my-app/addons').reply(200, [addon('pg-1', {state: 'provisioning'}), addon('redis-2')])
      api().get('/apps/my-app/addons/id-pg-1').reply(200, addon('pg-1'))
      const {stderr, exitCode} = await run(['addons:wait', '-a', 'my-app', '--wait-interval', '0'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.contain('Waiting for pg-1... done')
    })

    it('fails when the add-on ends deprovisioned', async () => {
      api().get('/apps/my-app/addons/pg-1').reply(200, addon('pg-1', {state: 'provisioning'}))
      api().get('/apps/my-app/addons/id-pg-1').reply(200, addon('pg-1', {state: 'deprovisioned'}))
      const {stderr, exitCode} = await run(['addons:wait', 'pg-1', '-a', 'my-app', '--wait-interval', '0'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('could not be provisioned')
    })

    it('--json prints the add-ons once provisioned; an unknown add-on fails', async () => {
      api().get('/apps/my-app/addons/pg-1').reply(200, addon('pg-1'))
      const {stdout} = await run(['addons:wait', 'pg-1', '-a', 'my-app', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal([addon('pg-1')])
      api().get('/apps/my-app/addons/nope').reply(404, notFound)
      const {stderr, exitCode} = await run(['addons:wait', 'nope', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Couldn\'t find that add-on.')
    })

    it('rejects a bad --wait-interval: exit 2', async () => {
      expect((await run(['addons:wait', '-a', 'my-app', '--wait-interval', 'soon'])).exitCode).to.equal(2)
    })
  })
})
