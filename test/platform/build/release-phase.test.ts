// The release phase: a `release` process type runs as a one-off dyno of the new release before
// it goes live. Success: the release becomes current and the dynos move to it. Failure or
// timeout: the release is failed and the previous one keeps serving. Its output is in the push
// and behind the release's output_stream_url.
import {expect} from 'chai'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {createUser} from '../../../src/platform/bootstrap.js'
import {insertApp} from '../../../src/platform/store/apps.js'
import {openStore} from '../../../src/platform/store/database.js'
import {insertRelease} from '../../../src/platform/store/releases.js'
import {authedUrl, commitAll, createAppRepo, remoteLines, runGit, tempHome, writeFiles} from '../fixtures/deploy/git.js'
import {deployFixture, type RuntimePlatform, startRuntimePlatform, viaRouter, waitFor} from '../fixtures/runtime/helpers.js'
import {ApiClient} from '../helpers.js'

type Release = {current: boolean, description: string, output_stream_url: null | string, status: string, version: number}

describe('the release phase', function () {
  this.timeout(90_000)
  let t: RuntimePlatform

  before(async () => {
    t = await startRuntimePlatform({releasePhaseTimeoutMs: 1500})
  })

  after(() => t.close())

  const releases = async (app: string): Promise<Release[]> => (await t.client.get(`/apps/${app}/releases`)).body as Release[]
  const latest = async (app: string): Promise<Release> => (await releases(app)).at(-1)!
  const settled = async (app: string): Promise<Release> => waitFor(`${app}'s newest release settled`, async () => {
    const release = await latest(app)
    return release.status === 'pending' ? undefined : release
  }, 20_000)
  const output = async (release: Release): Promise<string> => (await fetch(release.output_stream_url!)).text()

  it('runs the release command with the new release\'s config before it goes live, then moves the dynos to it', async () => {
    await deployFixture(t.client, 'phased', {web: 'node server.js', release: 'echo "migrating with $GREETING"; echo "to stderr" >&2'}, {GREETING: 'hello'})
    const release = await settled('phased')
    expect(release).to.include({status: 'succeeded', current: true})
    expect(await output(release)).to.equal('migrating with hello\nto stderr\n')
    await waitFor('web.1 serves', async () => (await viaRouter(t.routerUrl, 'phased', '/env?name=GREETING')).text === 'hello')
    // the release command is no process type of the formation
    const formation = (await t.client.get('/apps/phased/formation')).body as {type: string}[]
    expect(formation.map(f => f.type)).to.deep.equal(['web'])
    // a config change runs it again, with the new value
    await t.client.patch('/apps/phased/config-vars', {GREETING: 'bonjour'})
    const next = await settled('phased')
    expect(next).to.include({status: 'succeeded', current: true})
    expect(await output(next)).to.contain('migrating with bonjour')
    await waitFor('web.1 serves the new config', async () => (await viaRouter(t.routerUrl, 'phased', '/env?name=GREETING')).text === 'bonjour')
  })

  it('a failing release command fails the release: the previous release keeps serving, untouched', async () => {
    await deployFixture(t.client, 'phased', {web: 'node server.js', release: 'echo "checking"; [ -z "$FAIL" ] || exit 3'})
    const good = await settled('phased')
    expect(good).to.include({status: 'succeeded', current: true})
    await waitFor('the new slug runs', async () => ((await t.client.get('/apps/phased/dynos')).body as {release: {version: number}}[]).every(d => d.release.version === good.version))
    await t.client.patch('/apps/phased/config-vars', {GREETING: 'broken', FAIL: '1'})
    const failed = await settled('phased')
    expect(failed).to.include({status: 'failed', current: false, eligible_for_rollback: false})
    expect(await output(failed)).to.equal('checking\nThe release command `echo "checking"; [ -z "$FAIL" ] || exit 3` exited with status 3.\n')
    const list = await releases('phased')
    expect(list.filter(r => r.current).map(r => r.version)).to.deep.equal([good.version])
    // the dynos still run the last release that succeeded, with its config
    expect((await viaRouter(t.routerUrl, 'phased', '/env?name=GREETING')).text).to.equal('bonjour')
    const dynos = (await t.client.get('/apps/phased/dynos')).body as {release: {version: number}}[]
    expect(dynos.map(d => d.release.version)).to.deep.equal([good.version])
  })

  it('a release command that runs too long is stopped and fails the release', async () => {
    await deployFixture(t.client, 'slow-release', {web: 'node server.js', release: 'echo starting; exec sleep 30'})
    const release = await settled('slow-release')
    expect(release.status).to.equal('failed')
    expect(await output(release)).to.match(/^starting\nThe release command `echo starting; exec sleep 30` took longer than 2 s and was stopped\.\n$/)
    expect((await t.client.get('/apps/slow-release/dynos')).body).to.deep.equal([])
  })

  it('git push streams the release command\'s output and fails when it fails, leaving the running release', async () => {
    const home = tempHome()
    const app = (await t.client.post('/apps', {name: 'pushed-phase'})).body
    const dir = await createAppRepo(home, {
      Procfile: 'web: node server.js\nrelease: node release.js\n',
      'server.js': "require('node:http').createServer((q, s) => s.end('v1')).listen(process.env.PORT)\n",
      'release.js': "console.log('release phase of', process.env.DYNO)\n",
    })
    const url = authedUrl(app.git_url, t.token)
    const first = await runGit(['push', url, 'main'], {cwd: dir, home})
    expect(first.code, first.output).to.equal(0)
    const lines = remoteLines(first.output)
    expect(lines).to.include('-----> Running release command...')
    expect(lines.some(l => /^ {7}release phase of release\.\d+$/.test(l)), first.output).to.equal(true)
    await waitFor('v1 served', async () => (await viaRouter(t.routerUrl, 'pushed-phase', '/')).text === 'v1')

    writeFiles(dir, {'server.js': "require('node:http').createServer((q, s) => s.end('v2')).listen(process.env.PORT)\n", 'release.js': "console.error('migration failed'); process.exit(2)\n"})
    await commitAll(dir, home, 'a failing migration')
    const second = await runGit(['push', url, 'main'], {cwd: dir, home})
    expect(second.code).to.not.equal(0)
    expect(second.output).to.contain('migration failed')
    expect(second.output).to.contain('The release command `node release.js` exited with status 2.')
    expect(second.output).to.contain('failed: the app keeps running its current release.')
    expect((await viaRouter(t.routerUrl, 'pushed-phase', '/')).text).to.equal('v1')
    expect((await latest('pushed-phase')).status).to.equal('failed')
  })
})

describe('the release phase across a platform restart', function () {
  this.timeout(30_000)

  it('fails a release the stopped platform left pending; the app keeps its last good release', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'release-phase-restart-'))
    const store = openStore(dataDir)
    const user = await createUser(store, {email: 'restart@example.com', password: 'correct horse battery'})
    const app = store.transaction(() => insertApp(store, {name: 'interrupted', ownerId: user.account.id}))
    store.transaction(() => {
      insertRelease(store, {appId: app.id, userId: user.account.id, description: 'Initial release', config: {}, slugId: null})
      insertRelease(store, {appId: app.id, userId: user.account.id, description: 'Deploy 1234abcd', config: {}, slugId: null, status: 'pending'})
    })
    store.close()
    const t = await startRuntimePlatform({dataDir})
    try {
      const list = (await new ApiClient(t.platform.url, user.token).get('/apps/interrupted/releases')).body as Release[]
      expect(list.map(r => `v${r.version}:${r.status}:${r.current}`)).to.deep.equal(['v1:succeeded:true', 'v2:failed:false'])
      expect(await (await fetch(list[1].output_stream_url!)).text()).to.equal('The platform stopped while the release command ran.\n')
    } finally {
      await t.close()
    }
  })
})
