// heroku ps:wait's lib against the real platform: a deploy whose dynos come up, and one whose
// web dynos crash: the wait ends with the crash, not never.
import {expect} from 'chai'
import {PassThrough} from 'node:stream'

import {ApiClient} from '../../../src/lib/api/client.js'
import {waitForDynos} from '../../../src/lib/ps/wait.js'
import {newestRelease} from '../../../src/lib/releases/newest.js'
import {Output} from '../../../src/lib/ui/output.js'
import {deployFixture, type RuntimePlatform, startRuntimePlatform} from '../fixtures/runtime/helpers.js'

describe('ps:wait on the platform', function () {
  this.timeout(60_000)
  let t: RuntimePlatform
  let api: ApiClient
  const out = () => new Output({stderr: new PassThrough(), stdout: new PassThrough()})

  before(async () => {
    t = await startRuntimePlatform()
    api = new ApiClient({baseUrl: t.platform.url, token: async () => t.token, userAgent: 'test'})
  })

  after(async () => t.close())

  it('returns once every dyno is up on the newest release', async () => {
    await deployFixture(t.client, 'waiter', {web: 'node server.js', worker: 'node worker.js'})
    const dynos = await waitForDynos({api, app: 'waiter', intervalMs: 100, out: out(), timeoutMs: 20_000})
    const release = await newestRelease(api, 'waiter')
    expect(dynos.map(d => d.name)).to.deep.equal(['web.1']) // worker is scaled to 0 until ps:scale
    expect(dynos.every(d => d.state === 'up' && d.release?.id === release?.id)).to.equal(true)
  })

  it('ends with the crash when the release\'s dynos crash', async () => {
    // a first release: with no old dynos to keep serving, its crashing dynos are what the API lists
    await deployFixture(t.client, 'crasher', {web: 'node -e "process.exit(3)"'})
    let error: Error | undefined
    await waitForDynos({api, app: 'crasher', intervalMs: 100, out: out(), timeoutMs: 20_000}).catch(error_ => {
      error = error_
    })
    expect(error?.message).to.match(/^web\.1 crashed on v\d+\.$/)
  })
})
