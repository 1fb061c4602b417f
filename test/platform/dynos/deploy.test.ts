// The whole run half after a real deploy: git push examples/node-app → build → release → dynos
// → router → logs; a config change restarts the dynos with the new value.
import {expect} from 'chai'
import {readdirSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {authedUrl, createAppRepo, runGit, tempHome} from '../fixtures/deploy/git.js'
import {type RuntimePlatform, startRuntimePlatform, viaRouter, waitFor} from '../fixtures/runtime/helpers.js'

const EXAMPLE = fileURLToPath(new URL('../../../examples/node-app/', import.meta.url))

describe('runtime after a git push deploy', function () {
  this.timeout(120_000)
  let t: RuntimePlatform
  let home: string
  let repo: string

  before(async () => {
    t = await startRuntimePlatform()
    home = tempHome()
  })

  after(async () => {
    await t.close()
    rmSync(home, {recursive: true, force: true})
    if (repo) rmSync(repo, {recursive: true, force: true})
  })

  it('serves the pushed app through the router, with build, release and app lines in the logs', async () => {
    const app = (await t.client.post('/apps', {name: 'pushed'})).body as {git_url: string, id: string}
    const files: Record<string, string> = {}
    for (const name of readdirSync(EXAMPLE)) files[name] = readFileSync(join(EXAMPLE, name), 'utf8')
    repo = await createAppRepo(home, files)
    const pushed = await runGit(['push', authedUrl(app.git_url, t.token), 'main'], {cwd: repo, home})
    expect(pushed.code, pushed.output).to.equal(0)
    await waitFor('web.1 up', async () => (await t.client.get('/apps/pushed/dynos')).body.some((d: {name: string, state: string}) => d.name === 'web.1' && d.state === 'up'), 30_000)
    const res = await viaRouter(t.routerUrl, 'pushed', '/')
    expect(res.status).to.equal(200)
    expect(res.text).to.equal('Hello from web.1!\n')
    const logs = (await (await fetch((await t.client.post('/apps/pushed/log-sessions', {lines: 1500})).body.logplex_url)).text()).split('\n')
    expect(logs.some(l => / app\[build\]: /.test(l)), 'build lines').to.equal(true)
    expect(logs.some(l => / heroku\[api\]: Release v\d+ created by user /.test(l))).to.equal(true)
    expect(logs.some(l => l.includes(' heroku[web.1]: Starting process with command `node index.js`'))).to.equal(true)
    expect(logs.some(l => / app\[web\.1\]: serving GET \/ /.test(l))).to.equal(true)
    expect(logs.some(l => / heroku\[router\]: at=info method=GET path="\/" host=pushed\.localhost /.test(l))).to.equal(true)

    await t.client.patch('/apps/pushed/config-vars', {GREETING: 'Howdy'})
    await waitFor('the new greeting', async () => (await viaRouter(t.routerUrl, 'pushed', '/').catch(() => ({text: ''}))).text === 'Howdy from web.1!\n', 20_000)
  })
})
