// Builds made through the API: POST /apps/{app}/builds with a source_blob URL (served here by a
// local HTTP server: no network needed), built and released like a git push.

import type {AddressInfo} from 'node:net'

import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {writeFiles} from '../fixtures/deploy/git.js'
import {expectSchema, startTestPlatform, type TestPlatform} from '../helpers.js'

describe('platform: builds from a source_blob URL', function () {
  this.timeout(60_000)
  let t: TestPlatform
  let work: string
  let files: Server
  let base: string
  let tarball: Buffer

  before(async () => {
    t = await startTestPlatform()
    work = mkdtempSync(join(tmpdir(), 'api-builds-'))
    // a GitHub-style archive: one top-level directory holding the app
    writeFiles(join(work, 'src', 'hello-1.2.0'), {
      'package.json': JSON.stringify({name: 'hello', scripts: {start: 'node server.js'}}),
      'server.js': 'console.log("hi")\n',
      Procfile: 'web: node server.js\nworker: node server.js --work\n',
    })
    execFileSync('tar', ['-czf', join(work, 'source.tgz'), '-C', join(work, 'src'), 'hello-1.2.0'])
    tarball = readFileSync(join(work, 'source.tgz'))
    files = createServer((req, res) => {
      if (req.url === '/source.tgz') res.writeHead(200, {'Content-Type': 'application/gzip'}).end(tarball)
      else if (req.url === '/not-a-tarball') res.writeHead(200, {'Content-Type': 'text/html'}).end('<html>nope</html>')
      else res.writeHead(404).end()
    })
    await new Promise<void>(resolve => files.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`
    await t.client.post('/apps', {name: 'api-built'})
  })

  after(async () => {
    await t.close()
    await new Promise(resolve => files.close(resolve))
    rmSync(work, {recursive: true, force: true})
  })

  async function finished(buildId: string): Promise<{output_stream_url: string, release: null | {id: string}, slug: null | {id: string}, status: string}> {
    for (let i = 0; i < 400; i++) {
      const build = (await t.client.get(`/apps/api-built/builds/${buildId}`)).body
      if (build.status !== 'pending') return build
      await new Promise(r => setTimeout(r, 25))
    }

    throw new Error('the build never finished')
  }

  it('downloads, builds and releases the tarball, streaming the output; the checksum is checked', async () => {
    const checksum = `SHA256:${createHash('sha256').update(tarball).digest('hex')}`
    const created = await t.client.post('/apps/api-built/builds', {source_blob: {url: `${base}/source.tgz`, version: 'v1.2.0', checksum, version_description: 'release 1.2'}})
    expect(created.status, created.text).to.equal(201)
    expectSchema('build', 'POST', 'Create', created.body)
    const stream = await (await fetch(created.body.output_stream_url)).text()
    expect(stream).to.contain('-----> Fetching the source')
    expect(stream).to.contain('-----> Node.js app detected')
    expect(stream).to.contain('Released v2')
    const build = await finished(created.body.id)
    expect(build.status).to.equal('succeeded')
    const slug = (await t.client.get(`/apps/api-built/slugs/${build.slug!.id}`)).body
    expect(slug.process_types).to.deep.equal({web: 'node server.js', worker: 'node server.js --work'})
    expect(slug).to.include({commit: 'v1.2.0', commit_description: 'release 1.2'})
    const releases = (await t.client.get('/apps/api-built/releases')).body
    expect(releases.at(-1)).to.include({version: 2, description: 'Deploy v1.2.0'})
  })

  it('fails clearly for a source it cannot fetch, a wrong checksum or no tarball, releasing nothing', async () => {
    // a port nothing listens on (refused at once)
    const spare = createServer()
    await new Promise<void>(resolve => spare.listen(0, '127.0.0.1', resolve))
    const closedPort = `http://127.0.0.1:${(spare.address() as AddressInfo).port}`
    await new Promise(resolve => spare.close(resolve))
    const cases: [object, string][] = [
      [{url: `${base}/missing.tgz`}, 'HTTP 404'],
      [{url: `${base}/source.tgz`, checksum: `SHA256:${'0'.repeat(64)}`}, 'does not match'],
      [{url: `${closedPort}/source.tgz`}, 'Could not download the source'],
      [{url: `${base}/not-a-tarball`}, 'is not a tar archive'],
      [{url: `${base}/source.tgz`, buildpacks: [{url: 'https://github.com/x/heroku-buildpack-go'}]}, 'does not download buildpacks'],
    ]
    for (const [{buildpacks, ...blob}, reason] of cases as [{buildpacks?: object[]}, string][]) {
      const created = await t.client.post('/apps/api-built/builds', {source_blob: blob, ...(buildpacks ? {buildpacks} : {})})
      expect(created.status, created.text).to.equal(201)
      const build = await finished(created.body.id)
      expect(build.status).to.equal('failed')
      expect(await (await fetch(build.output_stream_url)).text()).to.contain(reason)
    }

    expect((await t.client.get('/apps/api-built/releases')).body.map((r: {version: number}) => r.version)).to.deep.equal([1, 2])
  })
})
