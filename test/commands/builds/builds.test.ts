import {expect} from 'chai'
import nock from 'nock'

import {api, run, useIsolatedEnv} from '../../helpers/cli.js'

const OUTPUT = 'https://output.heroku.test'

const build = (id: string, status: string, version: string) => ({
  app: {id: 'a1'}, buildpacks: [{name: 'heroku/nodejs', url: 'heroku/nodejs'}], created_at: '2026-01-01T00:00:00Z', id,
  output_stream_url: `${OUTPUT}/streams/${id}`, release: status === 'succeeded' ? {id: 'rel-4'} : null,
  slug: status === 'succeeded' ? {id: 'slug-1'} : null, source_blob: {checksum: null, url: 'https://example.com/src.tgz', version, version_description: 'Fix the thing'},
  stack: 'heroku-24', status, updated_at: '2026-01-01T00:01:00Z', user: {email: 'jane@example.com', id: 'u1'},
})

const newest = () => api().get('/apps/my-app/builds').matchHeader('range', 'created_at ..; order=desc,max=1')

describe('builds', () => {
  useIsolatedEnv()

  it('lists the builds, newest first; --json is the API objects', async () => {
    const builds = [build('b2', 'failed', 'abcdef1234567890'), build('b1', 'succeeded', '1234567')]
    api().get('/apps/my-app/builds').matchHeader('range', 'created_at ..; order=desc,max=15').twice().reply(200, builds)
    const {stdout, exitCode} = await run(['builds', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.match(/^=== my-app Builds\nID\s+Status\s+Version\s+By\s+When\nb2\s+failed\s+abcdef123456\s+jane@example.com/)
    expect(JSON.parse((await run(['builds', '-a', 'my-app', '--json'])).stdout)).to.deep.equal(builds)
  })

  it('says so when the app has no builds', async () => {
    api().get('/apps/my-app/builds').reply(200, [])
    expect((await run(['builds', '-a', 'my-app'])).stdout).to.equal('my-app has no builds.\n')
  })

  it('builds:info shows the newest build, or the one named', async () => {
    newest().reply(200, [build('b2', 'succeeded', 'abc')])
    const {stdout} = await run(['builds:info', '-a', 'my-app'])
    expect(stdout).to.include('=== Build b2\n')
    expect(stdout).to.match(/Status: +succeeded\n/)
    expect(stdout).to.match(/Buildpacks: +heroku\/nodejs\n/)
    api().get('/apps/my-app/builds/b1').reply(200, build('b1', 'failed', 'def'))
    expect(JSON.parse((await run(['builds:info', 'b1', '-a', 'my-app', '--json'])).stdout).status).to.equal('failed')
  })

  it('builds:info of an unknown build: the server\'s message, exit 1', async () => {
    api().get('/apps/my-app/builds/nope').reply(404, {id: 'not_found', message: 'Couldn\'t find that build.'})
    const {stderr, exitCode} = await run(['builds:info', 'nope', '-a', 'my-app'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.include('Couldn\'t find that build.')
  })

  it('builds:output prints what the build printed, from its output_stream_url', async () => {
    newest().reply(200, [build('b2', 'succeeded', 'abc')])
    const stream = nock(OUTPUT).get('/streams/b2').reply(200, '-----> Node.js app detected\n-----> Build succeeded!\nno newline at the end')
    const {stdout, exitCode} = await run(['builds:output', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal('-----> Node.js app detected\n-----> Build succeeded!\nno newline at the end\n')
    stream.done()
  })

  it('builds:output when the stream cannot be read: a clear error', async () => {
    api().get('/apps/my-app/builds/b1').reply(200, build('b1', 'failed', 'abc'))
    nock(OUTPUT).get('/streams/b1').reply(410, 'gone')
    const {stderr, exitCode} = await run(['builds:output', 'b1', '-a', 'my-app'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.include('Could not read the output of build b1: HTTP 410.')
  })

  it('an app with no builds: builds:output says to deploy', async () => {
    newest().reply(200, [])
    const {stderr, exitCode} = await run(['builds:output', '-a', 'my-app'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.include('my-app has no builds yet.')
  })
})
