import {expect} from 'chai'
import nock from 'nock'

import {api, run, useIsolatedEnv} from '../../helpers/cli.js'

const ID = '11111111-1111-4111-8111-111111111111'
const DELIVERY = '22222222-2222-4222-8222-222222222222'
const EVENT = '33333333-3333-4333-8333-333333333333'

function webhook(extra: Record<string, unknown> = {}) {
  return {
    app: {id: 'a1', name: 'my-app'},
    created_at: '2026-01-01T00:00:00Z',
    id: ID,
    include: ['api:release', 'api:build'],
    level: 'notify',
    updated_at: '2026-01-01T00:00:00Z',
    url: 'https://example.com/hooks',
    ...extra,
  }
}

function delivery(extra: Record<string, unknown> = {}) {
  return {
    created_at: '2026-01-02T00:00:00Z',
    event: {id: EVENT, include: 'api:release'},
    id: DELIVERY,
    last_attempt: {code: 500, created_at: '2026-01-02T00:00:01Z', error_class: 'HTTP500', id: 'att-1', status: 'failed', updated_at: '2026-01-02T00:00:01Z'},
    next_attempt_at: '2026-01-02T00:00:11Z',
    num_attempts: 1,
    status: 'retrying',
    updated_at: '2026-01-02T00:00:01Z',
    webhook: {id: ID, level: 'sync'},
    ...extra,
  }
}

const event = {
  created_at: '2026-01-02T00:00:00Z',
  id: EVENT,
  include: 'api:release',
  payload: {action: 'create', actor: {email: 'ann@example.com', id: 'u1'}, data: {version: 2}, previous_data: {}, published_at: '2026-01-02T00:00:00Z', resource: 'release', version: 'application/vnd.heroku+json; version=3'},
  updated_at: '2026-01-02T00:00:00Z',
}

describe('webhooks', () => {
  useIsolatedEnv()

  afterEach(() => {
    const pending = nock.pendingMocks()
    nock.cleanAll()
    expect(pending, 'every API call a test sets up is made').to.deep.equal([])
  })

  it('lists an app\'s webhooks, oldest first', async () => {
    const newer = webhook({created_at: '2026-02-01T00:00:00Z', id: 'w2', include: ['api:formation'], level: 'sync', url: 'https://b.example.com/'})
    api().get('/apps/my-app/webhooks').reply(200, [newer, webhook()])
    const {stdout, exitCode} = await run(['webhooks', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal([
      'Webhook ID                            URL                        Include                Level',
      `${ID}  https://example.com/hooks  api:release,api:build  notify`,
      'w2                                    https://b.example.com/     api:formation          sync',
      '',
    ].join('\n'))
  })

  it('says how to add one when there is none; --json prints the list', async () => {
    api().get('/apps/my-app/webhooks').reply(200, [])
    expect((await run(['webhooks', '-a', 'my-app'])).stdout).to.equal('my-app has no webhooks\nUse heroku webhooks:add to add one.\n')
    api().get('/apps/my-app/webhooks').reply(200, [webhook()])
    expect(JSON.parse((await run(['webhooks', '-a', 'my-app', '--json'])).stdout)).to.deep.equal([webhook()])
  })

  it('webhooks:add sends what Heroku takes and shows the signing secret once', async () => {
    api().post('/apps/my-app/webhooks', {authorization: 'Bearer abc', include: ['api:release', 'api:build'], level: 'sync', secret: 'shh', url: 'https://example.com/hooks'})
      .reply(201, webhook({level: 'sync'}), {'Heroku-Webhook-Secret': 'shh'})
    const {stdout, stderr, exitCode} = await run(['webhooks:add', '-i', 'api:release, api:build', '-l', 'sync', '-u', 'https://example.com/hooks', '-s', 'shh', '-t', 'Bearer abc', '-a', 'my-app'])
    expect(exitCode, stderr).to.equal(0)
    expect(stderr).to.contain('Adding webhook to my-app... done')
    expect(stdout).to.equal('=== Webhooks Signing Secret\nshh\n')
  })

  it('webhooks:add --json prints the webhook with its secret; a generated secret comes from the header', async () => {
    api().post('/apps/my-app/webhooks', {include: ['api:release'], level: 'notify', url: 'https://example.com/hooks'})
      .reply(201, webhook({include: ['api:release']}), {'Heroku-Webhook-Secret': 'generated-secret'})
    const {stdout, exitCode} = await run(['webhooks:add', '-i', 'api:release', '-l', 'notify', '-u', 'https://example.com/hooks', '-a', 'my-app', '--json'])
    expect(exitCode).to.equal(0)
    expect(JSON.parse(stdout)).to.deep.equal({...webhook({include: ['api:release']}), secret: 'generated-secret'})
  })

  it('webhooks:add reports the platform\'s 422 and refuses a bad level before asking', async () => {
    api().post('/apps/my-app/webhooks').reply(422, {id: 'invalid_params', message: '"url" must be an http:// or https:// URL, not ftp:.'})
    const refused = await run(['webhooks:add', '-i', 'api:release', '-l', 'notify', '-u', 'ftp://example.com', '-a', 'my-app'])
    expect(refused.exitCode).to.equal(1)
    expect(refused.stderr).to.contain('"url" must be an http:// or https:// URL')
    const usage = await run(['webhooks:add', '-i', 'api:release', '-l', 'eventually', '-u', 'https://example.com', '-a', 'my-app'])
    expect(usage.exitCode).to.equal(2)
    expect(usage.stderr).to.contain('notify')
  })

  it('webhooks:info shows one webhook', async () => {
    api().get(`/apps/my-app/webhooks/${ID}`).reply(200, webhook())
    const {stdout, exitCode} = await run(['webhooks:info', ID, '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal([
      `=== ${ID}`,
      'Include:    api:release,api:build',
      'Level:      notify',
      'URL:        https://example.com/hooks',
      `Webhook ID: ${ID}`,
      '',
    ].join('\n'))
  })

  it('webhooks:update sends only what is given', async () => {
    api().patch(`/apps/my-app/webhooks/${ID}`, {include: ['api:domain'], level: 'sync'}).reply(200, webhook({include: ['api:domain'], level: 'sync'}))
    const {stderr, exitCode} = await run(['webhooks:update', ID, '-i', 'api:domain', '-l', 'sync', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stderr).to.contain(`Updating webhook ${ID} for my-app... done`)
    api().patch(`/apps/my-app/webhooks/${ID}`, {url: 'https://new.example.com/', secret: 's2', authorization: 'Bearer t'}).reply(200, webhook({url: 'https://new.example.com/'}))
    const json = await run(['webhooks:update', ID, '-u', 'https://new.example.com/', '-s', 's2', '-t', 'Bearer t', '-a', 'my-app', '--json'])
    expect(JSON.parse(json.stdout).url).to.equal('https://new.example.com/')
    const nothing = await run(['webhooks:update', ID, '-a', 'my-app'])
    expect(nothing.exitCode).to.equal(2)
    expect(nothing.stderr).to.contain('--include')
  })

  it('webhooks:remove removes it; an unknown one is the platform\'s 404', async () => {
    api().delete(`/apps/my-app/webhooks/${ID}`).reply(200, webhook())
    const {stderr, exitCode} = await run(['webhooks:remove', ID, '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stderr).to.contain(`Removing webhook ${ID} from my-app... done`)
    api().delete('/apps/my-app/webhooks/nope').reply(404, {id: 'not_found', message: 'Couldn\'t find that webhook.'})
    const missing = await run(['webhooks:remove', 'nope', '-a', 'my-app'])
    expect(missing.exitCode).to.equal(1)
    expect(missing.stderr).to.contain('Couldn\'t find that webhook.')
  })

  it('webhooks:deliveries lists the newest deliveries, oldest first, with attempts and the last answer', async () => {
    const older = delivery({created_at: '2026-01-01T00:00:00Z', id: 'd0', last_attempt: {code: 200, error_class: null, id: 'a0', status: 'succeeded', created_at: '', updated_at: ''}, next_attempt_at: null, status: 'succeeded'})
    api().get('/apps/my-app/webhook-deliveries').matchHeader('range', 'seq ..; order=desc,max=1000').reply(200, [delivery(), older])
    const {stdout, exitCode} = await run(['webhooks:deliveries', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    const lines = stdout.trimEnd().split('\n')
    expect(lines[0].split(/\s{2,}/)).to.deep.equal(['Delivery ID', 'Created', 'Status', 'Include', 'Level', 'Attempts', 'Code', 'Error', 'Next Attempt'])
    expect(lines[1].split(/\s{2,}/)).to.deep.equal(['d0', '2026-01-01T00:00:00Z', 'succeeded', 'api:release', 'sync', '1', '200'])
    expect(lines[2].split(/\s{2,}/)).to.deep.equal([DELIVERY, '2026-01-02T00:00:00Z', 'retrying', 'api:release', 'sync', '1', '500', 'HTTP500', '2026-01-02T00:00:11Z'])
  })

  it('webhooks:deliveries -s filters by status on the platform; none says so; --json prints them', async () => {
    api().get('/apps/my-app/webhook-deliveries').query({'eq[status]': 'failed'}).reply(200, [])
    expect((await run(['webhooks:deliveries', '-s', 'failed', '-a', 'my-app'])).stdout).to.equal('my-app has no deliveries\n')
    api().get('/apps/my-app/webhook-deliveries').reply(200, [delivery()])
    expect(JSON.parse((await run(['webhooks:deliveries', '-a', 'my-app', '--json'])).stdout)).to.deep.equal([delivery()])
    expect((await run(['webhooks:deliveries', '-s', 'lost', '-a', 'my-app'])).exitCode).to.equal(2)
  })

  it('webhooks:deliveries:info shows the delivery and its event\'s payload', async () => {
    api().get(`/apps/my-app/webhook-deliveries/${DELIVERY}`).reply(200, delivery())
    api().get(`/apps/my-app/webhook-events/${EVENT}`).reply(200, event)
    const {stdout, exitCode} = await run(['webhooks:deliveries:info', DELIVERY, '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal([
      `=== ${DELIVERY}`,
      'Created:      2026-01-02T00:00:00Z',
      `Event:        ${EVENT}`,
      `Webhook:      ${ID}`,
      'Status:       retrying',
      'Include:      api:release',
      'Level:        sync',
      'Attempts:     1',
      'Code:         500',
      'Error:        HTTP500',
      'Next Attempt: 2026-01-02T00:00:11Z',
      '',
      '=== Event Payload',
      JSON.stringify(event.payload, null, 2),
      '',
    ].join('\n'))
    api().get(`/apps/my-app/webhook-deliveries/${DELIVERY}`).reply(200, delivery())
    api().get(`/apps/my-app/webhook-events/${EVENT}`).reply(200, event)
    expect(JSON.parse((await run(['webhooks:deliveries:info', DELIVERY, '-a', 'my-app', '--json'])).stdout)).to.deep.equal(delivery())
  })

  it('webhooks:events and webhooks:events:info, deprecated as on Heroku', async () => {
    api().get('/apps/my-app/webhook-events').reply(200, [event])
    const listed = await run(['webhooks:events', '-a', 'my-app'])
    expect(listed.exitCode).to.equal(0)
    expect(listed.stderr).to.contain('deprecated, please use heroku webhooks:deliveries')
    expect(listed.stdout.split('\n')[1].split(/\s{2,}/)).to.deep.equal([EVENT, 'release', 'create', '2026-01-02T00:00:00Z'])
    api().get(`/apps/my-app/webhook-events/${EVENT}`).reply(200, event)
    const info = await run(['webhooks:events:info', EVENT, '-a', 'my-app'])
    expect(info.stdout).to.equal(`=== ${EVENT}\n${JSON.stringify(event.payload, null, 2)}\n`)
    api().get(`/apps/my-app/webhook-events/${EVENT}`).reply(200, event)
    expect(JSON.parse((await run(['webhooks:events:info', EVENT, '-a', 'my-app', '--json'])).stdout)).to.deep.equal(event)
    api().get('/apps/my-app/webhook-events').reply(200, [])
    expect((await run(['webhooks:events', '-a', 'my-app'])).stdout).to.equal('my-app has no events\n')
  })
})
