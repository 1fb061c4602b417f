// The whole deploy path with the runtime on: git push → build → release → dynos → router.
import {expect} from 'chai'
import {rmSync} from 'node:fs'

import {authedUrl, commitAll, createAppRepo, runGit, tempHome, writeFiles} from '../fixtures/deploy/git.js'
import {type RuntimePlatform, startRuntimePlatform, viaRouter, waitFor} from '../fixtures/runtime/helpers.js'

const server = (greeting: string) => `require('node:http').createServer((req, res) => res.end('${greeting}\\n')).listen(process.env.PORT)\n`

describe('platform: git push to a running app', function () {
  this.timeout(60_000)
  let rt: RuntimePlatform
  let home: string
  let dir: string

  before(async () => {
    rt = await startRuntimePlatform()
    home = tempHome()
  })

  after(async () => {
    await rt.close()
    rmSync(home, {recursive: true, force: true})
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('serves the pushed app through the router, keeps it serving after a failed build, and serves the next push', async () => {
    const app = (await rt.client.post('/apps', {name: 'live-app'})).body
    const url = authedUrl(app.git_url, rt.token)
    dir = await createAppRepo(home, {'package.json': JSON.stringify({name: 'live', scripts: {start: 'node server.js'}}), 'server.js': server('hello v1')})
    const first = await runGit(['push', url, 'main'], {cwd: dir, home})
    expect(first.code, first.output).to.equal(0)
    await waitFor('v1 served', async () => (await viaRouter(rt.routerUrl, 'live-app')).text === 'hello v1\n' || undefined)
    // the build's lines are in the app's logs, as app[build]
    const buildLines = rt.platform.logs.recent(app.id, 1500, {source: 'app', dyno: 'build'}).map(l => l.text)
    expect(buildLines.some(l => / app\[build\]: -----> Node\.js app detected$/.test(l)), buildLines.join('\n')).to.equal(true)

    writeFiles(dir, {'package.json': '{broken'})
    await commitAll(dir, home, 'broken')
    const failed = await runGit(['push', url, 'main'], {cwd: dir, home})
    expect(failed.code).to.not.equal(0)
    expect((await viaRouter(rt.routerUrl, 'live-app')).text).to.equal('hello v1\n')

    writeFiles(dir, {'package.json': JSON.stringify({name: 'live', scripts: {start: 'node server.js'}}), 'server.js': server('hello v2')})
    await commitAll(dir, home, 'v2')
    const second = await runGit(['push', url, 'main'], {cwd: dir, home})
    expect(second.code, second.output).to.equal(0)
    await waitFor('v2 served', async () => (await viaRouter(rt.routerUrl, 'live-app')).text === 'hello v2\n' || undefined)
  })
})
