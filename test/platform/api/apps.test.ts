import {expect} from 'chai'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {expectError, expectSchema, startTestPlatform, type TestPlatform} from '../helpers.js'

describe('platform API: apps, config vars, releases', () => {
  let t: TestPlatform

  before(async () => {
    t = await startTestPlatform()
  })

  after(() => t.close())

  describe('apps', () => {
    it('creates an app with a generated Heroku-style name and its URLs', async () => {
      const res = await t.client.post('/apps', {})
      expect(res.status).to.equal(201)
      expectSchema('app', 'POST', 'Create', res.body)
      expect(res.body.name).to.match(/^[a-z]+-[a-z]+-\d{5}$/)
      const {port} = new URL(t.platform.url)
      expect(res.body.web_url).to.equal(`http://${res.body.name}.localhost:5999/`)
      expect(res.body.git_url).to.equal(`http://127.0.0.1:${port}/${res.body.name}.git`)
      expect(res.body.stack.name).to.equal('heroku-24')
      expect(res.body.region.name).to.equal('us')
      expect(res.body.owner.email).to.equal(t.owner.account.email)
    })

    it('creates a named app, gets it by name and by id, lists it', async () => {
      const created = await t.client.post('/apps', {name: 'named-app', region: 'us', stack: 'heroku-24'})
      expect(created.status).to.equal(201)
      const byName = await t.client.get('/apps/named-app')
      expectSchema('app', 'GET', 'Info', byName.body)
      expect(byName.body.id).to.equal(created.body.id)
      const byId = await t.client.get(`/apps/${created.body.id}`)
      expect(byId.body.name).to.equal('named-app')
      const listed = await t.client.get('/apps')
      expect(listed.status).to.equal(200)
      expectSchema('app', 'GET', 'List', listed.body)
      expect(listed.body.map((a: {name: string}) => a.name)).to.include('named-app')
      const mine = await t.client.get('/users/~/apps')
      expectSchema('app', 'GET', 'List Owned and Collaborated', mine.body)
      expect(mine.body.length).to.equal(listed.body.length)
    })

    it('rejects a taken name with 422 invalid_params', async () => {
      await t.client.post('/apps', {name: 'taken-name'})
      expectError(await t.client.post('/apps', {name: 'taken-name'}), 422, 'invalid_params')
    })

    it('renames and toggles maintenance; the old name is gone', async () => {
      await t.client.post('/apps', {name: 'old-name'})
      const res = await t.client.patch('/apps/old-name', {name: 'new-name', maintenance: true})
      expect(res.status).to.equal(200)
      expectSchema('app', 'PATCH', 'Update', res.body)
      expect(res.body.name).to.equal('new-name')
      expect(res.body.maintenance).to.equal(true)
      expect(res.body.web_url).to.equal('http://new-name.localhost:5999/')
      expectError(await t.client.get('/apps/old-name'), 404, 'not_found')
      const domains = await t.client.get('/apps/new-name/domains')
      expect(domains.body.map((d: {hostname: string}) => d.hostname)).to.deep.equal(['new-name.localhost'])
    })

    it('deletes an app and everything in it', async () => {
      await t.client.post('/apps', {name: 'doomed'})
      await t.client.patch('/apps/doomed/config-vars', {A: '1'})
      const events: string[] = []
      const off = t.platform.events.on('app.deleted', e => events.push(e.appName))
      const res = await t.client.delete('/apps/doomed')
      off()
      expect(res.status).to.equal(200)
      expectSchema('app', 'DELETE', 'Delete', res.body)
      expect(events).to.deep.equal(['doomed'])
      expectError(await t.client.get('/apps/doomed'), 404, 'not_found')
      const leftovers = t.platform.store.get<{n: number}>('SELECT count(*) AS n FROM releases WHERE app_id = ?', res.body.id)
      expect(leftovers?.n).to.equal(0)
    })

    it('removes the slug files of a deleted app', async () => {
      await t.client.post('/apps', {name: 'with-slug'})
      const slug = await t.client.post('/apps/with-slug/slugs', {process_types: {web: 'x'}})
      await fetch(slug.body.blob.url, {method: 'PUT', body: 'tarball'})
      const file = join(t.dataDir, 'slugs', `${slug.body.id}.tgz`)
      expect(existsSync(file)).to.equal(true)
      await t.client.delete('/apps/with-slug')
      expect(existsSync(file)).to.equal(false)
    })
  })

  describe('config vars and releases', () => {
    before(async () => {
      await t.client.post('/apps', {name: 'configured'})
    })

    it('starts empty with an initial release v1', async () => {
      const config = await t.client.get('/apps/configured/config-vars')
      expectSchema('config-var', 'GET', 'Info for App', config.body)
      expect(config.body).to.deep.equal({})
      const releases = await t.client.get('/apps/configured/releases')
      expectSchema('release', 'GET', 'List', releases.body)
      expect(releases.body.map((r: {description: string, version: number}) => [r.version, r.description])).to.deep.equal([[1, 'Initial release']])
    })

    it('sets and unsets config vars, each change a release, in one transaction', async () => {
      const set = await t.client.patch('/apps/configured/config-vars', {FOO: 'bar', BAZ: 'qux'})
      expect(set.status).to.equal(200)
      expectSchema('config-var', 'PATCH', 'Update', set.body)
      expect(set.body).to.deep.equal({FOO: 'bar', BAZ: 'qux'})
      const unset = await t.client.patch('/apps/configured/config-vars', {BAZ: null, NEW: 'x'})
      expect(unset.body).to.deep.equal({FOO: 'bar', NEW: 'x'})
      const releases = await t.client.get('/apps/configured/releases')
      const descriptions = releases.body.map((r: {description: string}) => r.description)
      expect(descriptions).to.deep.equal(['Initial release', 'Set FOO, BAZ config vars', 'Set NEW; remove BAZ config vars'])
      const v2config = await t.client.get('/apps/configured/releases/2/config-vars')
      expectSchema('config-var', 'GET', 'Info for App Release', v2config.body)
      expect(v2config.body).to.deep.equal({FOO: 'bar', BAZ: 'qux'})
    })

    it('treats keys like constructor and __proto__ as ordinary config vars', async () => {
      await t.client.post('/apps', {name: 'proto-keys'})
      const unset = await t.client.patch('/apps/proto-keys/config-vars', {constructor: null, toString: null})
      expect(unset.body).to.deep.equal({})
      expect((await t.client.get('/apps/proto-keys/releases')).body).to.have.length(1)
      const set = await t.client.request('PATCH', '/apps/proto-keys/config-vars', {rawBody: '{"__proto__": "a", "constructor": "b"}'})
      expect(set.text).to.equal('{"__proto__":"a","constructor":"b"}')
      expect((await t.client.get('/apps/proto-keys/config-vars')).text).to.equal('{"__proto__":"a","constructor":"b"}')
    })

    it('makes no release when nothing changes', async () => {
      const before = (await t.client.get('/apps/configured/releases')).body.length
      await t.client.patch('/apps/configured/config-vars', {FOO: 'bar', MISSING: null})
      expect((await t.client.get('/apps/configured/releases')).body.length).to.equal(before)
    })

    it('gets a release by version and by id, and marks only the newest current', async () => {
      const v2 = await t.client.get('/apps/configured/releases/2')
      expectSchema('release', 'GET', 'Info', v2.body)
      expect(v2.body.version).to.equal(2)
      expect(v2.body.current).to.equal(false)
      expect(v2.body.user.email).to.equal(t.owner.account.email)
      const byId = await t.client.get(`/apps/configured/releases/${v2.body.id}`)
      expect(byId.body.version).to.equal(2)
    })

    it('rolls back: restores the release config and records "Rollback to vN"', async () => {
      const res = await t.client.post('/apps/configured/releases', {release: '2'})
      expect(res.status).to.equal(201)
      expectSchema('release', 'POST', 'Rollback', res.body)
      expect(res.body.description).to.equal('Rollback to v2')
      expect(res.body.current).to.equal(true)
      expect((await t.client.get('/apps/configured/config-vars')).body).to.deep.equal({FOO: 'bar', BAZ: 'qux'})
    })

    it('returns the newest release for Range: version ..; order=desc,max=1', async () => {
      const res = await t.client.get('/apps/configured/releases', {headers: {Range: 'version ..; order=desc,max=1'}})
      expect(res.status).to.equal(206)
      expect(res.body).to.have.length(1)
      expect(res.body[0].description).to.equal('Rollback to v2')
      expect(res.headers.get('next-range')).to.match(/^version \]\d+\.\.; max=1, order=desc$/)
    })

    it('emits release.created after the commit', async () => {
      const seen: number[] = []
      const off = t.platform.events.on('release.created', e => {
        // The release is already committed when the event fires.
        const row = t.platform.store.get<{version: number}>('SELECT version FROM releases WHERE id = ?', e.releaseId)
        seen.push(row?.version ?? -1)
      })
      await t.client.patch('/apps/configured/config-vars', {EVENTED: '1'})
      off()
      expect(seen).to.have.length(1)
      expect(seen[0]).to.be.greaterThan(0)
    })
  })

  describe('slugs, deploys, formation and dynos', () => {
    let slugId: string

    before(async () => {
      await t.client.post('/apps', {name: 'deployed'})
    })

    it('creates a slug with an upload URL and stores the uploaded tarball', async () => {
      const res = await t.client.post('/apps/deployed/slugs', {process_types: {web: 'node server.js', worker: 'node worker.js'}, commit: 'abcdef1234567890'})
      expect(res.status).to.equal(201)
      expectSchema('slug', 'POST', 'Create', res.body)
      slugId = res.body.id
      expect(res.body.blob.method).to.equal('PUT')
      const upload = await fetch(res.body.blob.url, {method: 'PUT', body: Buffer.from('not really a tarball')})
      expect(upload.status).to.equal(200)
      const info = await t.client.get(`/apps/deployed/slugs/${slugId}`)
      expectSchema('slug', 'GET', 'Info', info.body)
      expect(info.body.size).to.equal(20)
      expect(info.body.checksum).to.match(/^SHA256:[0-9a-f]{64}$/)
      const forged = await fetch(res.body.blob.url.replace(/[^/]+$/, 'forged'), {method: 'PUT', body: 'x'})
      expect(forged.status).to.equal(404)
    })

    it('deploys the slug as a release and derives the formation from its process types', async () => {
      const res = await t.client.post('/apps/deployed/releases', {slug: slugId})
      expect(res.status).to.equal(201)
      expectSchema('release', 'POST', 'Create', res.body)
      expect(res.body.slug.id).to.equal(slugId)
      expect(res.body.description).to.equal('Deploy abcdef12')
      const formation = await t.client.get('/apps/deployed/formation')
      expectSchema('formation', 'GET', 'List', formation.body)
      expect(formation.body.map((f: {quantity: number, type: string}) => [f.type, f.quantity])).to.deep.equal([['web', 1], ['worker', 0]])
      const web = await t.client.get('/apps/deployed/formation/web')
      expectSchema('formation', 'GET', 'Info', web.body)
      expect(web.body.command).to.equal('node server.js')
    })

    it('scales one type and in batch, emitting formation.changed', async () => {
      const changes: unknown[] = []
      const off = t.platform.events.on('formation.changed', e => changes.push(e.changes))
      const one = await t.client.patch('/apps/deployed/formation/worker', {quantity: 2, size: 'standard-1x'})
      expect(one.status).to.equal(200)
      expectSchema('formation', 'PATCH', 'Update', one.body)
      expect(one.body.quantity).to.equal(2)
      expect(one.body.size).to.equal('standard-1X')
      const batch = await t.client.patch('/apps/deployed/formation', {updates: [{type: 'web', quantity: 3}, {type: 'worker', quantity: 1}]})
      expect(batch.status).to.equal(200)
      expectSchema('formation', 'PATCH', 'Batch Update', batch.body)
      off()
      expect(changes).to.have.length(2)
      expectError(await t.client.patch('/apps/deployed/formation/clock', {quantity: 1}), 404, 'not_found')
      // a batch with one unknown type changes nothing
      expectError(await t.client.patch('/apps/deployed/formation', {updates: [{type: 'web', quantity: 9}, {type: 'nope', quantity: 1}]}), 404, 'not_found')
      expect((await t.client.get('/apps/deployed/formation/web')).body.quantity).to.equal(3)
    })

    it('reports the dynos the formation implies, honestly down', async () => {
      const dynos = await t.client.get('/apps/deployed/dynos')
      expect(dynos.status).to.equal(200)
      expectSchema('dyno', 'GET', 'List', dynos.body)
      expect(dynos.body.map((d: {name: string}) => d.name)).to.deep.equal(['web.1', 'web.2', 'web.3', 'worker.1'])
      expect(dynos.body.every((d: {state: string}) => d.state === 'down')).to.equal(true)
      const one = await t.client.get('/apps/deployed/dynos/web.2')
      expectSchema('dyno', 'GET', 'Info', one.body)
      const byId = await t.client.get(`/apps/deployed/dynos/${one.body.id}`)
      expect(byId.body.name).to.equal('web.2')
    })

    it('accepts restart and stop requests and announces them', async () => {
      const restarts: unknown[] = []
      const stops: unknown[] = []
      const offRestart = t.platform.events.on('dynos.restart', e => restarts.push(e.dyno ?? e.type ?? 'all'))
      const offStop = t.platform.events.on('dynos.stop', e => stops.push(e.dyno ?? e.type))
      const all = await t.client.delete('/apps/deployed/dynos')
      expect(all.status).to.equal(202)
      expectSchema('dyno', 'DELETE', 'Restart all', all.body)
      const one = await t.client.delete('/apps/deployed/dynos/web.1')
      expectSchema('dyno', 'DELETE', 'Restart', one.body)
      const type = await t.client.delete('/apps/deployed/formations/worker')
      expectSchema('dyno', 'DELETE', 'Restart formation', type.body)
      const stop = await t.client.post('/apps/deployed/dynos/web.1/actions/stop')
      expectSchema('dyno', 'POST', 'Stop', stop.body)
      const stopType = await t.client.post('/apps/deployed/formations/worker/actions/stop')
      expect(stopType.status).to.equal(202)
      expectSchema('dyno', 'POST', 'Stop formation', stopType.body)
      offRestart()
      offStop()
      expect(restarts).to.deep.equal(['all', 'web.1', 'worker'])
      expect(stops).to.deep.equal(['web.1', 'worker'])
      expectError(await t.client.post('/apps/deployed/formations/clock/actions/stop'), 404, 'not_found')
      expectError(await t.client.delete('/apps/deployed/dynos/web.9'), 404, 'not_found')
    })
  })

  describe('domains, log sessions, builds, account, regions, stacks', () => {
    before(async () => {
      await t.client.post('/apps', {name: 'misc'})
    })

    it('lists the default domain, adds, gets and deletes a custom one', async () => {
      const created = await t.client.post('/apps/misc/domains', {hostname: 'www.Example.com', sni_endpoint: null})
      expect(created.status).to.equal(201)
      expectSchema('domain', 'POST', 'Create', created.body)
      expect(created.body.hostname).to.equal('www.example.com')
      expect(created.body.cname).to.equal('misc.localhost')
      const list = await t.client.get('/apps/misc/domains')
      expectSchema('domain', 'GET', 'List', list.body)
      expect(list.body.map((d: {hostname: string, kind: string}) => `${d.kind}:${d.hostname}`).sort()).to.deep.equal(['custom:www.example.com', 'heroku:misc.localhost'])
      const info = await t.client.get('/apps/misc/domains/www.example.com')
      expectSchema('domain', 'GET', 'Info', info.body)
      expectError(await t.client.post('/apps/misc/domains', {hostname: 'www.example.com', sni_endpoint: null}), 422, 'invalid_params')
      const deleted = await t.client.delete(`/apps/misc/domains/${created.body.id}`)
      expectSchema('domain', 'DELETE', 'Delete', deleted.body)
      expectError(await t.client.delete('/apps/misc/domains/misc.localhost'), 422, 'invalid_params')
    })

    it('creates a log session whose URL carries its own secret', async () => {
      const res = await t.client.post('/apps/misc/log-sessions', {tail: false, lines: 10, source: 'app'})
      expect(res.status).to.equal(201)
      expectSchema('log-session', 'POST', 'Create', res.body)
      const {port} = new URL(t.platform.url)
      expect(res.body.logplex_url).to.match(new RegExp(`^http://127\\.0\\.0\\.1:${port}/log-sessions/[\\w-]{20,}$`))
      const stream = await fetch(res.body.logplex_url)
      expect(stream.status).to.equal(200)
      expect(await stream.text()).to.equal('')
      const guessed = await fetch(`${t.platform.url}/log-sessions/guessed-secret-value-000000`)
      expect(guessed.status).to.equal(404)
    })

    it('records builds (pending until a builder runs them)', async () => {
      const created = await t.client.post('/apps/misc/builds', {source_blob: {url: 'https://example.com/source.tgz', version: 'v1'}})
      expect(created.status).to.equal(201)
      expectSchema('build', 'POST', 'Create', created.body)
      expect(created.body.status).to.equal('pending')
      const output = await fetch(created.body.output_stream_url)
      expect(output.status).to.equal(200)
      const list = await t.client.get('/apps/misc/builds')
      expectSchema('build', 'GET', 'List', list.body)
      const info = await t.client.get(`/apps/misc/builds/${created.body.id}`)
      expectSchema('build', 'GET', 'Info', info.body)
    })

    it('serves and updates the account', async () => {
      const account = await t.client.get('/account')
      expectSchema('account', 'GET', 'Info', account.body)
      expect(account.body.email).to.equal(t.owner.account.email)
      const updated = await t.client.patch('/account', {name: 'Owner Person', beta: true})
      expectSchema('account', 'PATCH', 'Update', updated.body)
      expect(updated.body.name).to.equal('Owner Person')
      const self = await t.client.get('/users/~')
      expectSchema('account', 'GET', 'Info By User', self.body)
      expect(self.body.name).to.equal('Owner Person')
      const byEmail = await t.client.patch(`/users/${t.owner.account.email}`, {allow_tracking: false})
      expectSchema('account', 'PATCH', 'Update By User', byEmail.body)
      expect(byEmail.body.allow_tracking).to.equal(false)
    })

    it('serves the one region and the one stack', async () => {
      const regions = await t.client.get('/regions')
      expectSchema('region', 'GET', 'List', regions.body)
      expectSchema('region', 'GET', 'Info', (await t.client.get('/regions/us')).body)
      const stacks = await t.client.get('/stacks')
      expectSchema('stack', 'GET', 'List', stacks.body)
      expect(stacks.body.map((s: {name: string}) => s.name)).to.deep.equal(['heroku-24'])
      expectSchema('stack', 'GET', 'Info', (await t.client.get('/stacks/heroku-24')).body)
      const available = await t.client.get('/apps/misc/available-stacks')
      expectSchema('stack', 'GET', 'List by App', available.body)
      expect(available.body.map((s: {name: string}) => s.name)).to.deep.equal(['heroku-24'])
      expectError(await t.client.get('/regions/eu'), 404, 'not_found')
    })
  })
})
