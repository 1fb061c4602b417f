// Request and response shapes the official Heroku CLI depends on (test/compat/official-cli.test.ts
// runs the CLI itself; these are the fast, focused checks of each fix, no official CLI needed).
import {expect} from 'chai'
import {rmSync} from 'node:fs'

import {authedUrl, createAppRepo, runGit, tempHome} from '../fixtures/deploy/git.js'
import {expectSchema, startTestPlatform, type TestPlatform} from '../helpers.js'

describe('platform: shapes the official Heroku CLI depends on', function () {
  this.timeout(60_000)
  let t: TestPlatform
  let home: string
  const cleanup: string[] = []

  before(async () => {
    t = await startTestPlatform()
    home = tempHome()
    cleanup.push(home)
  })

  after(async () => {
    await t.close()
    for (const dir of cleanup) rmSync(dir, {recursive: true, force: true})
  })

  // `heroku apps:info` prints "Repo Size" and "Slug Size" from these (null shows as 0 B)
  describe('app.repo_size, app.slug_size and app.buildpack_provided_description', () => {
    it('are null for an app never pushed to and without a slug', async () => {
      const created = await t.client.post('/apps', {name: 'shape-empty'})
      expect(created.status, created.text).to.equal(201)
      expect(created.body).to.include({repo_size: null, slug_size: null, buildpack_provided_description: null})
      const info = await t.client.get('/apps/shape-empty')
      expectSchema('app', 'GET', 'Info', info.body)
      expect(info.body).to.include({repo_size: null, slug_size: null, buildpack_provided_description: null})
    })

    it('are the git repo\'s bytes, the running slug\'s bytes and its buildpack after a git push', async () => {
      const created = await t.client.post('/apps', {name: 'shape-pushed'})
      const dir = await createAppRepo(home, {
        'package.json': JSON.stringify({name: 'shape', version: '1.0.0', scripts: {start: 'node server.js'}}),
        'server.js': "require('node:http').createServer((req, res) => res.end('ok')).listen(process.env.PORT)\n",
      })
      cleanup.push(dir)
      const push = await runGit(['push', authedUrl(created.body.git_url, t.owner.token), 'main'], {cwd: dir, home})
      expect(push.code, push.output).to.equal(0)
      const [build] = (await t.client.get('/apps/shape-pushed/builds')).body as {slug: {id: string}}[]
      const slug = (await t.client.get(`/apps/shape-pushed/slugs/${build.slug.id}`)).body as {size: number}
      expect(slug.size).to.be.greaterThan(0)

      const info = await t.client.get('/apps/shape-pushed')
      expectSchema('app', 'GET', 'Info', info.body)
      expect(info.body.slug_size).to.equal(slug.size)
      expect(info.body.repo_size).to.be.a('number').and.greaterThan(0)
      expect(info.body.buildpack_provided_description).to.equal('Node.js')
      const listed = ((await t.client.get('/apps')).body as {name: string, slug_size: null | number}[]).find(app => app.name === 'shape-pushed')
      expect(listed?.slug_size).to.equal(slug.size)
    })

    it('follow the running release: a release of another slug changes slug_size', async () => {
      const slug = await t.client.post('/apps/shape-empty/slugs', {process_types: {web: 'node server.js'}, buildpack_provided_description: 'Hand-made'})
      expect(slug.status, slug.text).to.equal(201)
      const tarball = Buffer.alloc(1234, 1)
      const upload = await fetch(slug.body.blob.url, {method: 'PUT', body: tarball})
      expect(upload.status).to.equal(200)
      const release = await t.client.post('/apps/shape-empty/releases', {slug: slug.body.id})
      expect(release.status, release.text).to.equal(201)
      const info = await t.client.get('/apps/shape-empty')
      expect(info.body).to.include({slug_size: 1234, buildpack_provided_description: 'Hand-made', repo_size: null})
    })
  })

  // Requests exactly as heroku@11.10.0 sends them (read with HEROKU_DEBUG=1 DEBUG=http), so that a
  // change that breaks the official CLI fails here too, where the official CLI cannot be installed.
  describe('the official CLI\'s requests, as it sends them', () => {
    const SDK = {Accept: 'application/vnd.heroku+json; version=3.sdk'}

    before(async () => {
      expect((await t.client.post('/apps', {name: 'shape-cli'})).status).to.equal(201)
    })

    it('config:set / config:unset: PATCH config-vars, null removes a var', async () => {
      expect((await t.client.patch('/apps/shape-cli/config-vars', {FOO: 'bar', BAZ: 'qux'})).body).to.deep.equal({FOO: 'bar', BAZ: 'qux'})
      const unset = await t.client.patch('/apps/shape-cli/config-vars', {BAZ: null})
      expect(unset.status, unset.text).to.equal(200)
      expect(unset.body).to.deep.equal({FOO: 'bar'})
    })

    it('releases:rollback: POST releases {"release": ID}', async () => {
      const v2 = (await t.client.get('/apps/shape-cli/releases/2')).body as {id: string}
      const rollback = await t.client.post('/apps/shape-cli/releases', {release: v2.id})
      expect(rollback.status, rollback.text).to.equal(201)
      expect(rollback.body.description).to.equal('Rollback to v2')
    })

    it('logs -n 2 --dyno web.1: POST log-sessions {"dyno","lines","tail"} with Accept version=3.sdk', async () => {
      const session = await t.client.post('/apps/shape-cli/log-sessions', {dyno: 'web.1', lines: 2, tail: false}, {headers: SDK})
      expect(session.status, session.text).to.equal(201)
      expect(session.body.logplex_url).to.match(/^https?:\/\//)
    })

    it('domains:add: POST domains {"hostname", "sni_endpoint": null}', async () => {
      const domain = await t.client.post('/apps/shape-cli/domains', {hostname: 'www.shape-cli.example.com', sni_endpoint: null})
      expect(domain.status, domain.text).to.equal(201)
      expect(domain.body).to.include({hostname: 'www.shape-cli.example.com', kind: 'custom', cname: 'shape-cli.localhost', sni_endpoint: null})
    })

    it('buildpacks:set URL: PUT buildpack-installations {"updates":[{"buildpack": URL}]}', async () => {
      const put = await t.client.request('PUT', '/apps/shape-cli/buildpack-installations', {body: {updates: [{buildpack: 'https://github.com/heroku/heroku-buildpack-nodejs'}]}})
      expect(put.status, put.text).to.equal(200)
      expect(put.body).to.have.length(1)
      expect(put.body[0].buildpack.name).to.equal('heroku/nodejs')
    })

    it('maintenance:on and apps:rename: PATCH the app with {"maintenance"} and {"name"}', async () => {
      expect((await t.client.patch('/apps/shape-cli', {maintenance: true})).body.maintenance).to.equal(true)
      const renamed = await t.client.patch('/apps/shape-cli', {name: 'shape-cli-renamed'})
      expect(renamed.status, renamed.text).to.equal(200)
      expect(renamed.body.name).to.equal('shape-cli-renamed')
      expect(renamed.body.git_url).to.match(/\/shape-cli-renamed\.git$/)
    })
  })
})
