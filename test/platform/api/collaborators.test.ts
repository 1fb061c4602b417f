// Collaborators and app transfers against a real platform, across accounts: what a collaborator
// may do (see the app, push with real git, config, scale, logs, one-off dynos, add-ons and their
// dashboards) and may not (destroy, rename, transfer, manage collaborators), each checked both
// ways; a removed collaborator loses it on the very next request (git included); bad input.
import {expect} from 'chai'
import {rmSync} from 'node:fs'

import type {AddonProvider, ProvisionContext, ProvisionResult} from '../../../src/platform/addons/provider.js'

import {createUser} from '../../../src/platform/bootstrap.js'
import {authedUrl, createAppRepo, runGit, tempHome} from '../fixtures/deploy/git.js'
import {deployFixture, type RuntimePlatform, startRuntimePlatform, waitFor} from '../fixtures/runtime/helpers.js'
import {type ApiClient, expectError, expectSchema, startTestPlatform, type TestPlatform} from '../helpers.js'

/** Provisions at once: enough for add-ons made and attached by collaborators. */
class InstantProvider implements AddonProvider {
  readonly service = {
    name: 'team-kv', humanName: 'Team KV', primaryAttachmentName: 'TEAM_KV', attachmentNamePrefix: 'TEAM_KV',
    plans: [{name: 'basic', humanName: 'Basic', description: 'basic', default: true}],
  }

  async start(): Promise<void> {}

  availability() {
    return {available: true} as const
  }

  async provision(ctx: ProvisionContext): Promise<ProvisionResult> {
    return {providerId: `p-${ctx.addonId}`, configVars: {URL: `kv://${ctx.addonId}`}}
  }

  async deprovision(): Promise<void> {}

  async changePlan() {
    return {}
  }
}

const NODE_APP = {
  'package.json': JSON.stringify({name: 'shared', version: '1.0.0', scripts: {start: 'node server.js'}}, null, 2),
  'server.js': "require('node:http').createServer((req, res) => res.end('shared\\n')).listen(process.env.PORT)\n",
}

type Person = {client: ApiClient, email: string, id: string, token: string}

async function person(t: {client: ApiClient, platform: {store: Parameters<typeof createUser>[0]}}, name: string): Promise<Person> {
  const user = await createUser(t.platform.store, {email: `${name}-${Math.random().toString(36).slice(2, 8)}@example.com`, password: 'a long enough password'})
  return {client: t.client.withToken(user.token), email: user.account.email, id: user.account.id, token: user.token}
}

describe('platform: collaborators (owner, collaborator, stranger)', function () {
  this.timeout(60_000)
  let t: TestPlatform
  let owner: Person
  let collab: Person
  let stranger: Person
  let home: string

  before(async () => {
    t = await startTestPlatform({addonProviders: [new InstantProvider()]})
    owner = {client: t.client, email: t.owner.account.email, id: t.owner.account.id, token: t.owner.token}
    collab = await person(t, 'collab')
    stranger = await person(t, 'stranger')
    home = tempHome()
    expect((await owner.client.post('/apps', {name: 'shared-app'})).status).to.equal(201)
    expect((await collab.client.post('/apps', {name: 'collab-own'})).status).to.equal(201)
  })

  after(async () => {
    await t.close()
    rmSync(home, {recursive: true, force: true})
  })

  const add = (email: string, by: Person = owner) => by.client.post('/apps/shared-app/collaborators', {user: email})
  const remove = (email: string, by: Person = owner) => by.client.delete(`/apps/shared-app/collaborators/${encodeURIComponent(email)}`)

  it('the owner adds a collaborator: schema shapes, the owner listed with role owner', async () => {
    const created = await add(collab.email)
    expect(created.status, created.text).to.equal(201)
    expectSchema('collaborator', 'POST', 'Create', created.body)
    expect(created.body).to.deep.include({app: {id: created.body.app.id, name: 'shared-app'}, role: 'collaborator', permissions: []})
    expect(created.body.user).to.deep.equal({email: collab.email, federated: false, id: collab.id})
    const listed = await owner.client.get('/apps/shared-app/collaborators')
    expectSchema('collaborator', 'GET', 'List', listed.body)
    expect(listed.body.map((c: {role: string, user: {email: string}}) => `${c.user.email}:${c.role}`).sort()).to.deep.equal([`${collab.email}:collaborator`, `${owner.email}:owner`])
    // the collaborator sees the list too; by email or id
    expect((await collab.client.get('/apps/shared-app/collaborators')).body).to.have.length(2)
    const info = await collab.client.get(`/apps/shared-app/collaborators/${collab.email.toUpperCase()}`)
    expectSchema('collaborator', 'GET', 'Info', info.body)
    expect(info.body.id).to.equal(created.body.id)
    expect((await owner.client.get(`/apps/shared-app/collaborators/${created.body.id}`)).body.user.email).to.equal(collab.email)
    expectError(await stranger.client.get('/apps/shared-app/collaborators'), 404, 'not_found')
  })

  it('bad input is a 422 naming the field, nothing made: no such account, the owner, a duplicate, no user', async () => {
    const count = async () => (await owner.client.get('/apps/shared-app/collaborators')).body.length
    const before = await count()
    const missing = await add('nobody@example.com')
    expectError(missing, 422, 'invalid_params')
    expect(missing.body.message).to.contain('"user"').and.contain('nobody@example.com').and.contain('must have an account')
    const self = await add(owner.email)
    expectError(self, 422, 'invalid_params')
    expect(self.body.message).to.contain('"user"').and.contain('owns shared-app')
    const twice = await add(collab.email.toUpperCase())
    expectError(twice, 422, 'invalid_params')
    expect(twice.body.message).to.contain('already a collaborator')
    const none = await owner.client.post('/apps/shared-app/collaborators', {})
    expectError(none, 422, 'invalid_params')
    expect(none.body.message).to.contain('"user"')
    expectError(await owner.client.post('/apps/shared-app/collaborators', {user: 42}), 422, 'invalid_params')
    expect(await count()).to.equal(before)
    // the owner cannot be removed; an unknown collaborator is a 404
    expectError(await remove(owner.email), 422, 'invalid_params')
    expectError(await remove('nobody@example.com'), 404, 'not_found')
  })

  it('sees the app: GET /apps lists it (with the real owner), GET /apps/{app} answers; a stranger gets 404', async () => {
    const names = (await collab.client.get('/apps')).body.map((a: {name: string}) => a.name).sort()
    expect(names).to.deep.equal(['collab-own', 'shared-app'])
    const app = await collab.client.get('/apps/shared-app')
    expect(app.status).to.equal(200)
    expect(app.body.owner).to.deep.equal({email: owner.email, id: owner.id})
    expect((await stranger.client.get('/apps')).body).to.deep.equal([])
    expectError(await stranger.client.get('/apps/shared-app'), 404, 'not_found')
  })

  it('changes config and maintenance, reads logs (scaling: with real dynos, below); a stranger cannot', async () => {
    const config = await collab.client.patch('/apps/shared-app/config-vars', {FROM_COLLAB: 'yes'})
    expect(config.status, config.text).to.equal(200)
    expect((await owner.client.get('/apps/shared-app/config-vars')).body.FROM_COLLAB).to.equal('yes')
    const releases = (await owner.client.get('/apps/shared-app/releases')).body as {description: string, user: {email: string}}[]
    expect(releases.at(-1)!.user.email).to.equal(collab.email)
    expect((await collab.client.patch('/apps/shared-app', {maintenance: true})).body.maintenance).to.equal(true)
    expect((await collab.client.patch('/apps/shared-app', {maintenance: false})).body.maintenance).to.equal(false)
    const session = await collab.client.post('/apps/shared-app/log-sessions', {lines: 10})
    expect(session.status, session.text).to.equal(201)
    const log = await (await fetch(session.body.logplex_url)).text()
    expect(log).to.match(new RegExp(`heroku\\[api\\]: Release v\\d+ created by user ${collab.email.replaceAll('.', String.raw`\.`)}`))
    expectError(await stranger.client.patch('/apps/shared-app/config-vars', {X: '1'}), 404, 'not_found')
    expectError(await stranger.client.post('/apps/shared-app/log-sessions', {lines: 10}), 404, 'not_found')
    expectError(await stranger.client.get('/apps/shared-app/formation'), 404, 'not_found')
  })

  it('cannot destroy, rename or transfer the app, nor manage its collaborators: 403 naming the owner', async () => {
    const destroy = await collab.client.delete('/apps/shared-app')
    expectError(destroy, 403, 'forbidden')
    expect(destroy.body.message).to.equal(`Only the owner of shared-app (${owner.email}) can destroy it; you are a collaborator on it.`)
    const rename = await collab.client.patch('/apps/shared-app', {name: 'stolen-app'})
    expectError(rename, 403, 'forbidden')
    expect(rename.body.message).to.contain('can rename it')
    const transfer = await collab.client.post('/account/app-transfers', {app: 'shared-app', recipient: collab.email})
    expectError(transfer, 403, 'forbidden')
    expect(transfer.body.message).to.contain('can transfer it')
    const invite = await add(stranger.email, collab)
    expectError(invite, 403, 'forbidden')
    expect(invite.body.message).to.contain('can add collaborators to it')
    // the owner's own listing is unchanged and the app is still there under its name
    expect((await owner.client.get('/apps/shared-app/collaborators')).body).to.have.length(2)
    expect((await owner.client.get('/apps/shared-app')).body.name).to.equal('shared-app')
    // a stranger does not learn the app exists
    expectError(await stranger.client.delete('/apps/shared-app'), 404, 'not_found')
    expectError(await stranger.client.patch('/apps/shared-app', {name: 'stolen-app'}), 404, 'not_found')
    expectError(await add(stranger.email, stranger), 404, 'not_found')
    expectError(await stranger.client.post('/account/app-transfers', {app: 'shared-app', recipient: stranger.email}), 404, 'not_found')
  })

  it('a collaborator cannot remove another collaborator (403), but may leave; the owner may remove anyone', async () => {
    expect((await add(stranger.email)).status).to.equal(201)
    expectError(await remove(stranger.email, collab), 403, 'forbidden')
    expect((await remove(stranger.email, stranger)).status).to.equal(200)
    expectError(await stranger.client.get('/apps/shared-app'), 404, 'not_found')
    expect((await add(stranger.email)).status).to.equal(201)
    expect((await remove(stranger.email)).status).to.equal(200)
    expectError(await stranger.client.get('/apps/shared-app'), 404, 'not_found')
  })

  it('creates and attaches add-ons and opens their dashboards (SSO); a stranger cannot; removal ends the dashboard session', async () => {
    const created = await collab.client.post('/apps/shared-app/addons', {plan: 'team-kv'})
    expect(created.status, created.text).to.equal(201)
    const addon = created.body as {id: string, name: string, web_url: string}
    await waitFor('provisioned', async () => (await owner.client.get(`/apps/shared-app/addons/${addon.id}`)).body.state === 'provisioned')
    expect((await owner.client.get('/apps/shared-app/config-vars')).body.TEAM_KV_URL).to.equal(`kv://${addon.id}`)
    // attach the shared app's add-on to the collaborator's own app, and back
    const attached = await collab.client.post('/addon-attachments', {app: 'collab-own', addon: addon.name})
    expect(attached.status, attached.text).to.equal(201)
    expect((await collab.client.get('/apps/collab-own/config-vars')).body.TEAM_KV_URL).to.equal(`kv://${addon.id}`)
    expect((await collab.client.get('/addons')).body.map((a: {id: string}) => a.id)).to.include(addon.id)
    expectError(await stranger.client.post('/apps/shared-app/addons', {plan: 'team-kv'}), 404, 'not_found')
    expectError(await stranger.client.post('/addon-attachments', {app: 'shared-app', addon: addon.name}), 404, 'not_found')
    expectError(await stranger.client.get(`/apps/shared-app/addons/${addon.name}/sso`), 404, 'not_found')
    expectError(await stranger.client.get(`/addons/${addon.id}/sso`), 404, 'not_found')

    const sso = await collab.client.get(`/apps/shared-app/addons/${addon.name}/sso`)
    expect(sso.status, sso.text).to.equal(200)
    const landed = await fetch(sso.body.action, {redirect: 'manual'})
    expect(landed.status).to.be.oneOf([302, 303])
    const cookie = landed.headers.get('set-cookie')!.split(';')[0]
    const dashboard = () => fetch(addon.web_url, {headers: {cookie}, redirect: 'manual'})
    expect((await dashboard()).status).to.equal(200)
    // an SSO link made before the removal is refused after it, and the session no longer opens the dashboard
    const pending = await collab.client.get(`/apps/shared-app/addons/${addon.name}/sso`)
    expect((await remove(collab.email)).status).to.equal(200)
    expect((await dashboard()).status).to.not.equal(200)
    expect((await fetch(pending.body.action, {redirect: 'manual'})).status).to.equal(403)
    expectError(await collab.client.get(`/apps/shared-app/addons/${addon.name}/sso`), 404, 'not_found')
    expectError(await collab.client.get('/apps/shared-app'), 404, 'not_found')
    expect((await collab.client.get('/apps')).body.map((a: {name: string}) => a.name)).to.deep.equal(['collab-own'])
    expect((await add(collab.email)).status).to.equal(201)
  })

  it('deploys with git push (real git); removed, the next push is refused; a stranger never can', async () => {
    const app = (await owner.client.get('/apps/shared-app')).body as {git_url: string}
    const dir = await createAppRepo(home, NODE_APP)
    const pushed = await runGit(['push', authedUrl(app.git_url, collab.token), 'main'], {cwd: dir, home})
    expect(pushed.code, pushed.output).to.equal(0)
    const builds = (await owner.client.get('/apps/shared-app/builds')).body as {status: string, user: {email: string}}[]
    expect(builds.map(b => `${b.status}:${b.user.email}`)).to.deep.equal([`succeeded:${collab.email}`])
    const strangerPush = await runGit(['push', authedUrl(app.git_url, stranger.token), 'main'], {cwd: dir, home})
    expect(strangerPush.code).to.not.equal(0)
    expect(strangerPush.output).to.contain('You do not have access to the app shared-app')
    expect((await remove(collab.email)).status).to.equal(200)
    const refused = await runGit(['push', '--force', authedUrl(app.git_url, collab.token), 'main'], {cwd: dir, home})
    expect(refused.code).to.not.equal(0)
    expect(refused.output).to.contain('You do not have access to the app shared-app')
    expect((await runGit(['ls-remote', authedUrl(app.git_url, collab.token)], {home})).code).to.not.equal(0)
    expect((await owner.client.get('/apps/shared-app/builds')).body).to.have.length(1)
  })

  it('the owner may rename and destroy an app that has collaborators: they follow the rename, then lose it', async () => {
    expect((await owner.client.post('/apps', {name: 'short-lived'})).status).to.equal(201)
    expect((await owner.client.post('/apps/short-lived/collaborators', {user: collab.email})).status).to.equal(201)
    const renamed = await owner.client.patch('/apps/short-lived', {name: 'renamed-lived'})
    expect(renamed.status, renamed.text).to.equal(200)
    expect((await collab.client.get('/apps/renamed-lived')).body.name).to.equal('renamed-lived')
    expect((await collab.client.get('/apps/renamed-lived/collaborators')).body).to.have.length(2)
    expect((await owner.client.delete('/apps/renamed-lived')).status).to.equal(200)
    expectError(await collab.client.get('/apps/renamed-lived'), 404, 'not_found')
    expect(t.platform.store.all('SELECT * FROM collaborators WHERE app_id = ?', renamed.body.id)).to.deep.equal([])
  })

  describe('app transfers', () => {
    let recipient: Person

    before(async () => {
      recipient = await person(t, 'recipient')
      expect((await owner.client.post('/apps', {name: 'moving-app'})).status).to.equal(201)
    })

    it('the owner offers, the recipient sees it and accepts; it owns the app, the previous owner stays as a collaborator', async () => {
      const offered = await owner.client.post('/account/app-transfers', {app: 'moving-app', recipient: recipient.email})
      expect(offered.status, offered.text).to.equal(201)
      expectSchema('app-transfer', 'POST', 'Create', offered.body)
      expect(offered.body).to.deep.include({state: 'pending', owner: {email: owner.email, id: owner.id}, recipient: {email: recipient.email, id: recipient.id}})
      // pending: the app is still the owner's, not yet the recipient's
      expectError(await recipient.client.get('/apps/moving-app'), 404, 'not_found')
      const seen = await recipient.client.get('/account/app-transfers')
      expectSchema('app-transfer', 'GET', 'List', seen.body)
      expect(seen.body.map((x: {id: string}) => x.id)).to.deep.equal([offered.body.id])
      expectSchema('app-transfer', 'GET', 'Info', (await recipient.client.get(`/account/app-transfers/${offered.body.id}`)).body)
      expect((await owner.client.get('/account/app-transfers/moving-app')).body.id).to.equal(offered.body.id)
      expect((await stranger.client.get('/account/app-transfers')).body).to.deep.equal([])
      expectError(await stranger.client.get(`/account/app-transfers/${offered.body.id}`), 404, 'not_found')
      // a second offer while one is pending; the owner cannot accept for the recipient; a stranger cannot
      expectError(await owner.client.post('/account/app-transfers', {app: 'moving-app', recipient: stranger.email}), 422, 'invalid_params')
      expectError(await owner.client.patch(`/account/app-transfers/${offered.body.id}`, {state: 'accepted'}), 403, 'forbidden')
      expectError(await stranger.client.patch(`/account/app-transfers/${offered.body.id}`, {state: 'accepted'}), 404, 'not_found')
      expectError(await recipient.client.patch(`/account/app-transfers/${offered.body.id}`, {state: 'maybe'}), 422, 'invalid_params')
      expectError(await recipient.client.delete(`/account/app-transfers/${offered.body.id}`), 403, 'forbidden')

      const accepted = await recipient.client.patch(`/account/app-transfers/${offered.body.id}`, {state: 'accepted'})
      expect(accepted.status, accepted.text).to.equal(200)
      expectSchema('app-transfer', 'PATCH', 'Update', accepted.body)
      expect(accepted.body.state).to.equal('accepted')
      expect((await recipient.client.get('/apps/moving-app')).body.owner).to.deep.equal({email: recipient.email, id: recipient.id})
      const roles = (await recipient.client.get('/apps/moving-app/collaborators')).body.map((c: {role: string, user: {email: string}}) => `${c.user.email}:${c.role}`).sort()
      expect(roles).to.deep.equal([`${owner.email}:collaborator`, `${recipient.email}:owner`].sort())
      // the previous owner now has a collaborator's rights only
      expectError(await owner.client.delete('/apps/moving-app'), 403, 'forbidden')
      expectError(await recipient.client.patch(`/account/app-transfers/${offered.body.id}`, {state: 'declined'}), 422, 'invalid_params')
    })

    it('declined or withdrawn, nothing changes hands; bad recipients are 422 naming "recipient"', async () => {
      expect((await owner.client.post('/apps', {name: 'staying-app'})).status).to.equal(201)
      const first = await owner.client.post('/account/app-transfers', {app: 'staying-app', recipient: recipient.id})
      expect(first.status, first.text).to.equal(201)
      expect((await recipient.client.patch(`/account/app-transfers/${first.body.id}`, {state: 'declined'})).body.state).to.equal('declined')
      expectError(await recipient.client.get('/apps/staying-app'), 404, 'not_found')
      const second = await owner.client.post('/account/app-transfers', {app: 'staying-app', recipient: recipient.email})
      expect((await owner.client.delete(`/account/app-transfers/${second.body.id}`)).status).to.equal(200)
      expectError(await recipient.client.patch(`/account/app-transfers/${second.body.id}`, {state: 'accepted'}), 404, 'not_found')
      expect((await owner.client.get('/apps/staying-app')).body.owner.id).to.equal(owner.id)
      for (const bad of ['nobody@example.com', owner.email]) {
        const res = await owner.client.post('/account/app-transfers', {app: 'staying-app', recipient: bad})
        expectError(res, 422, 'invalid_params')
        expect(res.body.message).to.contain('"recipient"')
      }

      expectError(await owner.client.post('/account/app-transfers', {app: 'staying-app'}), 422, 'invalid_params')
      expect((await owner.client.get('/account/app-transfers')).body.filter((x: {state: string}) => x.state === 'pending')).to.deep.equal([])
    })
  })
})

describe('platform: a collaborator runs one-off dynos and scales (real dynos)', function () {
  this.timeout(60_000)
  let t: RuntimePlatform
  let collab: Person
  let stranger: Person

  before(async () => {
    t = await startRuntimePlatform()
    collab = await person(t, 'runner')
    stranger = await person(t, 'nosy')
    await deployFixture(t.client, 'run-shared', {web: 'node server.js'})
    expect((await t.client.post('/apps/run-shared/collaborators', {user: collab.email})).status).to.equal(201)
  })

  after(() => t.close())

  it('runs a one-off dyno and reads its output in the log; scales; a stranger and a removed collaborator cannot', async () => {
    const appId: string = (await t.client.get('/apps/run-shared')).body.id
    const run = await collab.client.post('/apps/run-shared/dynos', {command: 'echo from-the-collaborator', attach: false})
    expect(run.status, run.text).to.equal(201)
    await waitFor('the one-off output', () => t.platform.logs.recent(appId, 1500, {}).some(l => l.text.endsWith(`app[${run.body.name}]: from-the-collaborator`)))
    const scaled = await collab.client.patch('/apps/run-shared/formation', {updates: [{type: 'web', quantity: 0}]})
    expect(scaled.status, scaled.text).to.equal(200)
    expect(scaled.body[0].quantity).to.equal(0)
    expectError(await stranger.client.post('/apps/run-shared/dynos', {command: 'echo nope', attach: false}), 404, 'not_found')
    expectError(await stranger.client.patch('/apps/run-shared/formation', {updates: [{type: 'web', quantity: 1}]}), 404, 'not_found')
    expect((await t.client.delete(`/apps/run-shared/collaborators/${collab.email}`)).status).to.equal(200)
    expectError(await collab.client.post('/apps/run-shared/dynos', {command: 'echo gone', attach: false}), 404, 'not_found')
    expectError(await collab.client.patch('/apps/run-shared/formation', {updates: [{type: 'web', quantity: 1}]}), 404, 'not_found')
  })
})
