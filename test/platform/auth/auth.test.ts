import {expect} from 'chai'

import {createUser, ensureOwner} from '../../../src/platform/bootstrap.js'
import {ApiClient, expectError, expectSchema, startTestPlatform, type TestPlatform} from '../helpers.js'

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

describe('platform API: authentication, tokens and isolation', () => {
  let t: TestPlatform

  before(async () => {
    t = await startTestPlatform()
  })

  after(() => t.close())

  it('refuses requests without or with bad credentials (401 unauthorized)', async () => {
    expectError(await t.client.get('/apps', {token: null}), 401, 'unauthorized')
    expectError(await t.client.get('/apps', {token: 'HRKU-not-a-real-token'}), 401, 'unauthorized')
    expectError(await t.client.get('/apps', {token: null, headers: {Authorization: 'Digest abc'}}), 401, 'unauthorized')
    // email:password works only where a route allows it (creating a token), not everywhere
    expectError(await t.client.get('/apps', {token: null, headers: {Authorization: basic(t.owner.account.email, t.owner.password)}}), 401, 'unauthorized')
  })

  it('creates an authorization with email:password and shows its token once', async () => {
    const res = await t.client.post('/oauth/authorizations', {description: 'laptop', scope: ['global']}, {
      token: null, headers: {Authorization: basic(t.owner.account.email, t.owner.password)},
    })
    expect(res.status).to.equal(201)
    expectSchema('oauth-authorization', 'POST', 'Create', res.body)
    const token = res.body.access_token.token as string
    expect(token).to.match(/^HRKU-[\w-]{43}$/)
    const client = t.client.withToken(token)
    expect((await client.get('/account')).body.email).to.equal(t.owner.account.email)
    const info = await client.get('/oauth/authorizations/~')
    expectSchema('oauth-authorization', 'GET', 'Info', info.body)
    expect(info.body.id).to.equal(res.body.id)
    expect(info.body.access_token.token, 'never shown again').to.equal(undefined)
    // the token itself is not in the database, only its hash
    const stored = t.platform.store.all<Record<string, unknown>>('SELECT * FROM oauth_authorizations')
    expect(JSON.stringify(stored)).not.to.include(token)
  })

  it('rejects a wrong password and an unknown email alike', async () => {
    const wrong = await t.client.post('/oauth/authorizations', {}, {token: null, headers: {Authorization: basic(t.owner.account.email, 'wrong password')}})
    expectError(wrong, 401, 'unauthorized')
    const unknown = await t.client.post('/oauth/authorizations', {}, {token: null, headers: {Authorization: basic('nobody@example.com', 'whatever1')}})
    expectError(unknown, 401, 'unauthorized')
    expect(unknown.body.message).to.equal(wrong.body.message)
  })

  it('accepts a token as the Basic password (git, netrc) and as Bearer to create tokens', async () => {
    expect((await t.client.get('/account', {token: null, headers: {Authorization: basic('', t.owner.token)}})).status).to.equal(200)
    const res = await t.client.post('/oauth/authorizations', {description: 'ci', expires_in: 3600})
    expect(res.status).to.equal(201)
    expect(res.body.access_token.expires_in).to.be.within(3590, 3600)
  })

  it('lists, shows and revokes authorizations; a revoked token stops working', async () => {
    const created = await t.client.post('/oauth/authorizations', {description: 'to revoke'})
    const list = await t.client.get('/oauth/authorizations')
    expect(list.status).to.equal(200)
    expectSchema('oauth-authorization', 'GET', 'List', list.body)
    expect(list.body.map((a: {id: string}) => a.id)).to.include(created.body.id)
    const revoked = t.client.withToken(created.body.access_token.token)
    const deleted = await revoked.delete('/oauth/authorizations/~')
    expect(deleted.status).to.equal(200)
    expectSchema('oauth-authorization', 'DELETE', 'Delete', deleted.body)
    expectError(await revoked.get('/account'), 401, 'unauthorized')
    expectError(await t.client.get(`/oauth/authorizations/${created.body.id}`), 404, 'not_found')
  })

  it('regenerates an authorization\'s token: the new one works, the old one stops', async () => {
    const created = await t.client.post('/oauth/authorizations', {description: 'to rotate'})
    const old = t.client.withToken(created.body.access_token.token)
    const rotated = await old.post(`/oauth/authorizations/${created.body.id}/actions/regenerate-tokens`)
    expect(rotated.status).to.equal(200)
    expectSchema('oauth-authorization', 'POST', 'Regenerate', rotated.body)
    expect(rotated.body.id).to.equal(created.body.id)
    expect(rotated.body.access_token.token).not.to.equal(created.body.access_token.token)
    expectError(await old.get('/account'), 401, 'unauthorized')
    expect((await t.client.withToken(rotated.body.access_token.token).get('/account')).status).to.equal(200)
  })

  it('refuses unsupported scopes and OAuth clients (422)', async () => {
    expectError(await t.client.post('/oauth/authorizations', {scope: ['read']}), 422, 'invalid_params')
    expectError(await t.client.post('/oauth/authorizations', {client: 'abc'}), 422, 'invalid_params')
  })

  it('honours token expiry', async () => {
    const res = await t.client.post('/oauth/authorizations', {expires_in: 1})
    t.platform.store.run("UPDATE oauth_authorizations SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ?", res.body.id)
    expectError(await t.client.withToken(res.body.access_token.token).get('/account'), 401, 'unauthorized')
  })

  it('throttles password guessing per email, while tokens keep working', async () => {
    const throttled = await startTestPlatform({loginThrottle: {maxFailures: 3, windowMs: 60_000}})
    try {
      const login = (password: string) => throttled.client.post('/oauth/authorizations', {}, {token: null, headers: {Authorization: basic(throttled.owner.account.email, password)}})
      for (let i = 0; i < 3; i++) expectError(await login('wrong guess'), 401, 'unauthorized')
      expectError(await login(throttled.owner.password), 429, 'rate_limit')
      expect((await throttled.client.get('/account')).status).to.equal(200)
    } finally {
      await throttled.close()
    }
  })

  describe('two accounts', () => {
    let other: ApiClient
    let otherEmail: string

    before(async () => {
      const user = await createUser(t.platform.store, {email: 'other@example.com', password: 'another password'})
      other = t.client.withToken(user.token)
      otherEmail = user.account.email
      await t.client.post('/apps', {name: 'owners-app'})
      await t.client.patch('/apps/owners-app/config-vars', {SECRET: 'owner-only'})
    })

    it('never shows one account another account\'s apps or data (404, not 403)', async () => {
      const ownerApp = (await t.client.get('/apps/owners-app')).body
      for (const path of ['/apps/owners-app', `/apps/${ownerApp.id}`, '/apps/owners-app/config-vars', '/apps/owners-app/releases', '/apps/owners-app/releases/1',
        '/apps/owners-app/formation', '/apps/owners-app/dynos', '/apps/owners-app/domains', '/apps/owners-app/addons', '/apps/owners-app/addon-attachments', '/apps/owners-app/builds']) {
        const res = await other.get(path)
        expectError(res, 404, 'not_found')
        expect(res.text).not.to.include('owner-only')
      }

      expectError(await other.patch('/apps/owners-app/config-vars', {SECRET: 'stolen'}), 404, 'not_found')
      expectError(await other.delete('/apps/owners-app'), 404, 'not_found')
      expectError(await other.patch('/apps/owners-app', {name: 'stolen-app'}), 404, 'not_found')
      expectError(await other.post('/apps/owners-app/log-sessions', {}), 404, 'not_found')
      expect((await other.get('/apps')).body).to.deep.equal([])
      expect((await t.client.get('/apps/owners-app/config-vars')).body).to.deep.equal({SECRET: 'owner-only'})
    })

    it('does not reveal other users or their authorizations', async () => {
      expectError(await other.get(`/users/${t.owner.account.email}`), 404, 'not_found')
      expect((await other.get(`/users/${otherEmail}`)).status).to.equal(200)
      const ownerAuthorizations = (await t.client.get('/oauth/authorizations')).body as {id: string}[]
      expectError(await other.get(`/oauth/authorizations/${ownerAuthorizations[0].id}`), 404, 'not_found')
      expectError(await other.delete(`/oauth/authorizations/${ownerAuthorizations[0].id}`), 404, 'not_found')
    })
  })

  describe('bootstrap', () => {
    it('ensureOwner creates the owner once, with a generated password and a token, then only finds it', async () => {
      const first = await ensureOwner(t.platform.store, {email: 'boss@example.com'})
      expect(first.created).to.equal(true)
      if (!first.created) return
      expect(first.generatedPassword).to.be.a('string').with.length.greaterThan(20)
      expect((await t.client.withToken(first.token).get('/account')).body.email).to.equal('boss@example.com')
      const login = await t.client.post('/oauth/authorizations', {}, {token: null, headers: {Authorization: basic('boss@example.com', first.generatedPassword!)}})
      expect(login.status).to.equal(201)
      const again = await ensureOwner(t.platform.store, {email: 'boss@example.com'})
      expect(again).to.deep.equal({created: false, account: first.account})
    })

    it('createUser refuses a duplicate email, a bad email and a short password', async () => {
      let failures = 0
      for (const input of [{email: 'boss@example.com'}, {email: 'not-an-email'}, {email: 'short@example.com', password: 'short'}]) {
        await createUser(t.platform.store, input).catch(() => failures++)
      }

      expect(failures).to.equal(3)
    })
  })
})
