import {expect} from 'chai'

import {api, run, useIsolatedEnv} from '../../helpers/cli.js'

function feature(name: string, extra: Record<string, unknown> = {}) {
  return {
    created_at: '2026-01-01T00:00:00Z',
    description: `what ${name} does`,
    display_name: name,
    doc_url: `https://devcenter.heroku.com/articles/${name}`,
    enabled: false,
    feedback_email: '',
    id: '01234567-89ab-cdef-0123-456789abcdef',
    name,
    state: 'beta',
    updated_at: '2026-01-01T00:00:00Z',
    ...extra,
  }
}

const notFound = {id: 'not_found', message: "Couldn't find that account feature.", resource: 'account_feature'}
const account = {email: 'me@example.com', id: 'acc-1'}

describe('labs', () => {
  useIsolatedEnv()

  it('lists the account\'s experimental features, and the app\'s with -a, general ones left out', async () => {
    api().get('/account').reply(200, account)
    api().get('/account/features').reply(200, [feature('spaces-strict-tls'), feature('old-general', {state: 'general', enabled: true})])
    api().get('/apps/my-app/features').reply(200, [feature('runtime-dyno-metadata'), feature('preboot', {enabled: true, state: 'public'})])
    const {stdout, exitCode} = await run(['labs', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal([
      '=== User Features me@example.com',
      '[ ] spaces-strict-tls  what spaces-strict-tls does',
      '',
      '=== App Features my-app',
      '[+] preboot                what preboot does',
      '[ ] runtime-dyno-metadata  what runtime-dyno-metadata does',
      '',
    ].join('\n'))
  })

  it('without an app lists the account\'s only; --json prints {app, user}', async () => {
    api().get('/account').reply(200, account)
    api().get('/account/features').reply(200, [])
    const plain = await run(['labs'])
    expect(plain.stdout).to.equal('=== User Features me@example.com\n')

    api().get('/account').reply(200, account)
    api().get('/account/features').reply(200, [])
    api().get('/apps/my-app/features').reply(200, [feature('runtime-dyno-metadata')])
    const json = await run(['labs', '-a', 'my-app', '--json'])
    expect(json.exitCode).to.equal(0)
    expect(JSON.parse(json.stdout)).to.deep.equal({app: [feature('runtime-dyno-metadata')], user: []})
  })

  it('labs:info looks among the account\'s features first, then the app\'s', async () => {
    api().get('/account/features/runtime-dyno-metadata').reply(404, notFound)
    api().get('/apps/my-app/features/runtime-dyno-metadata').reply(200, feature('runtime-dyno-metadata', {enabled: true}))
    const {stdout, exitCode} = await run(['labs:info', 'runtime-dyno-metadata', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal([
      '=== runtime-dyno-metadata',
      'Description: what runtime-dyno-metadata does',
      'Enabled:     true',
      'Docs:        https://devcenter.heroku.com/articles/runtime-dyno-metadata',
      '',
    ].join('\n'))

    api().get('/account/features/spaces-strict-tls').reply(200, feature('spaces-strict-tls'))
    const json = await run(['labs:info', 'spaces-strict-tls', '--json'])
    expect(JSON.parse(json.stdout)).to.deep.equal(feature('spaces-strict-tls'))
  })

  it('labs:info of a feature that is nowhere is the server\'s 404', async () => {
    api().get('/account/features/nope').reply(404, notFound)
    const {stderr, exitCode} = await run(['labs:info', 'nope'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.contain("Couldn't find that account feature.")
  })

  it('labs:enable patches the app\'s feature {enabled: true}; --json prints it', async () => {
    api().get('/account/features/runtime-dyno-metadata').reply(404, notFound)
    api().get('/apps/my-app/features/runtime-dyno-metadata').reply(200, feature('runtime-dyno-metadata'))
    api().patch('/apps/my-app/features/runtime-dyno-metadata', {enabled: true}).reply(200, feature('runtime-dyno-metadata', {enabled: true}))
    const {stdout, stderr, exitCode} = await run(['labs:enable', 'runtime-dyno-metadata', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal('')
    expect(stderr).to.equal('Enabling runtime-dyno-metadata for my-app... done\n')

    api().get('/account/features/runtime-dyno-metadata').reply(404, notFound)
    api().get('/apps/my-app/features/runtime-dyno-metadata').reply(200, feature('runtime-dyno-metadata'))
    api().patch('/apps/my-app/features/runtime-dyno-metadata', {enabled: true}).reply(200, feature('runtime-dyno-metadata', {enabled: true}))
    const json = await run(['labs:enable', 'runtime-dyno-metadata', '-a', 'my-app', '--json'])
    expect(JSON.parse(json.stdout)).to.deep.equal(feature('runtime-dyno-metadata', {enabled: true}))
  })

  it('labs:enable of an account feature names the account', async () => {
    api().get('/account/features/spaces-strict-tls').reply(200, feature('spaces-strict-tls'))
    api().get('/account').reply(200, account)
    api().patch('/account/features/spaces-strict-tls', {enabled: true}).reply(200, feature('spaces-strict-tls', {enabled: true}))
    const {stderr, exitCode} = await run(['labs:enable', 'spaces-strict-tls'])
    expect(exitCode).to.equal(0)
    expect(stderr).to.equal('Enabling spaces-strict-tls for me@example.com... done\n')
  })

  it('labs:enable of an unknown feature without an app is the account look-up\'s 404, nothing patched', async () => {
    api().get('/account/features/preboot').reply(404, notFound)
    const {stderr, exitCode} = await run(['labs:enable', 'preboot'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.contain("Couldn't find that account feature.")
  })

  it('labs:disable patches {enabled: false}; the server\'s refusal is shown', async () => {
    api().get('/account/features/preboot').reply(404, notFound)
    api().get('/apps/my-app/features/preboot').reply(200, feature('preboot', {enabled: true}))
    api().patch('/apps/my-app/features/preboot', {enabled: false}).reply(200, feature('preboot'))
    const {stderr, exitCode} = await run(['labs:disable', 'preboot', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stderr).to.equal('Disabling preboot for my-app... done\n')

    api().get('/account/features/preboot').reply(404, notFound)
    api().get('/apps/my-app/features/preboot').reply(200, feature('preboot', {enabled: true}))
    api().patch('/apps/my-app/features/preboot', {enabled: false}).reply(422, {id: 'invalid_params', message: 'preboot cannot be disabled here.'})
    const refused = await run(['labs:disable', 'preboot', '-a', 'my-app'])
    expect(refused.exitCode).to.equal(1)
    expect(refused.stderr).to.contain('Disabling preboot for my-app... failed')
    expect(refused.stderr).to.contain('preboot cannot be disabled here.')
  })
})
