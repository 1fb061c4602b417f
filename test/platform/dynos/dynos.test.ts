// The dyno supervisor with real processes, counted by the OS (/proc), not by the platform.
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {connect} from 'node:net'

import {deployFixture, dynoProcesses, nodeProcessesOf, type RuntimePlatform, startRuntimePlatform, viaRouter, waitFor} from '../fixtures/runtime/helpers.js'
import {expectSchema} from '../helpers.js'

type Dyno = {command: string, name: string, release: {version: number}, size: string, state: string, type: string, updated_at: string}

describe('dynos: the supervisor runs the formation as processes', function () {
  this.timeout(60_000)
  let t: RuntimePlatform

  before(async () => {
    t = await startRuntimePlatform()
  })

  after(async () => {
    const {platform} = t
    await t.close()
    expect(dynoProcesses(platform), 'processes left after close()').to.deep.equal([])
  })

  const dynos = async (app: string): Promise<Dyno[]> => (await t.client.get(`/apps/${app}/dynos`)).body as Dyno[]
  const states = async (app: string) => (await dynos(app)).map(d => `${d.name}:${d.state}`).join(' ')

  it('starts web.1 from the release, serves through the router, reports it up', async () => {
    await deployFixture(t.client, 'scaler', {web: 'node server.js', worker: 'node worker.js'}, {GREETING: 'hi'})
    await waitFor('web.1 up', async () => (await states('scaler')) === 'web.1:up')
    const [web] = await dynos('scaler')
    expectSchema('dyno', 'GET', 'List', await dynos('scaler'))
    expectSchema('dyno', 'GET', 'Info', (await t.client.get('/apps/scaler/dynos/web.1')).body)
    expect(web).to.include({name: 'web.1', type: 'web', command: 'node server.js', state: 'up'})
    expect(web.release.version).to.equal(3)
    expect(nodeProcessesOf(t.platform, 'web.1')).to.have.length(1)
    const res = await viaRouter(t.routerUrl, 'scaler', '/')
    expect(res.status).to.equal(200)
    expect(res.text).to.equal('hello from web.1\n')
    // env: config vars, PS, HOME = the app dir, .profile.d sourced
    expect((await viaRouter(t.routerUrl, 'scaler', '/env?name=GREETING')).text).to.equal('hi')
    expect((await viaRouter(t.routerUrl, 'scaler', '/env?name=PS')).text).to.equal('web.1')
    expect((await viaRouter(t.routerUrl, 'scaler', '/env?name=FROM_PROFILE')).text).to.equal('yes')
    // HOME is the dyno's own copy of the app: /app in the sandbox, its directory on the host without one
    expect((await viaRouter(t.routerUrl, 'scaler', '/env?name=HOME')).text).to.match(t.platform.sandbox.enabled ? /^\/app$/ : /runtime\/dynos\/[0-9a-f-]{36}$/)
  })

  it('scales up and down: processes counted with the OS follow', async () => {
    const scale = await t.client.patch('/apps/scaler/formation', {updates: [{type: 'web', quantity: 3}, {type: 'worker', quantity: 2}]})
    expect(scale.status).to.equal(200)
    await waitFor('3 web + 2 worker up', async () => (await states('scaler')) === 'web.1:up web.2:up web.3:up worker.1:up worker.2:up')
    await waitFor('5 node processes', () => nodeProcessesOf(t.platform).length === 5)
    await t.client.patch('/apps/scaler/formation', {updates: [{type: 'web', quantity: 1}, {type: 'worker', quantity: 0}]})
    await waitFor('scaled down', async () => (await states('scaler')) === 'web.1:up')
    await waitFor('1 node process', () => nodeProcessesOf(t.platform).length === 1)
    expect(nodeProcessesOf(t.platform, 'web.1')).to.have.length(1)
  })

  it('a config change restarts the dynos with the new value', async () => {
    const before = nodeProcessesOf(t.platform, 'web.1')
    await t.client.patch('/apps/scaler/config-vars', {GREETING: 'hello again'})
    await waitFor('new value served', async () => (await viaRouter(t.routerUrl, 'scaler', '/env?name=GREETING').catch(() => ({text: ''}))).text === 'hello again')
    const after = nodeProcessesOf(t.platform, 'web.1')
    expect(after).to.have.length(1)
    expect(after[0]).to.not.equal(before[0])
    expect((await dynos('scaler'))[0].release.version).to.equal(4)
  })

  it('a crashing dyno restarts at once, then with backoff, and is crashed meanwhile', async () => {
    await deployFixture(t.client, 'crasher', {web: 'node server.js', worker: 'echo boom; exit 1'})
    await t.client.patch('/apps/crasher/formation', {updates: [{type: 'web', quantity: 0}, {type: 'worker', quantity: 1}]})
    const appId: string = (await t.client.get('/apps/crasher')).body.id
    const starts = (): number => t.platform.logs.recent(appId, 1500, {dyno: 'worker.1', source: 'heroku'}).filter(l => l.text.includes('Starting process')).length
    await waitFor('three starts', () => starts() >= 3, 10_000)
    const lines = t.platform.logs.recent(appId, 1500, {dyno: 'worker.1'}).map(l => l.text.replace(/^\S+ /, ''))
    expect(lines).to.include('app[worker.1]: boom')
    expect(lines).to.include('heroku[worker.1]: Process exited with status 1')
    expect(lines.some(l => l.endsWith('State changed from starting to crashed') || l.endsWith('State changed from up to crashed'))).to.equal(true)
    // with backoff: initial 300 ms, then 600 ms … the dyno spends most of its time crashed
    const seen = new Set<string>()
    for (let i = 0; i < 10; i++) {
      seen.add((await dynos('crasher')).find(d => d.name === 'worker.1')!.state)

      await new Promise(resolve => setTimeout(resolve, 50))
    }

    expect(seen).to.include('crashed')
    const startTimes = t.platform.logs.recent(appId, 1500, {dyno: 'worker.1', source: 'heroku'})
      .filter(l => l.text.includes('Starting process')).map(l => Date.parse(l.text.slice(0, 23) + 'Z'))
    const gaps = startTimes.slice(1).map((time, i) => time - startTimes[i])
    expect(gaps[0], 'first restart at once').to.be.below(250)
    expect(gaps[1], 'second after the backoff').to.be.at.least(280)
  })

  it('ps:restart and ps:stop act on the processes', async () => {
    const before = nodeProcessesOf(t.platform, 'web.1')
    expect((await t.client.delete('/apps/scaler/dynos/web.1')).status).to.equal(202)
    await waitFor('a new web.1 process', () => {
      const now = nodeProcessesOf(t.platform, 'web.1')
      return now.length === 1 && now[0] !== before[0]
    })
    await waitFor('web.1 up again', async () => (await states('scaler')) === 'web.1:up')
    expect((await t.client.post('/apps/scaler/dynos/web.1/actions/stop')).status).to.equal(202)
    await waitFor('web.1 down', async () => (await states('scaler')) === 'web.1:down')
    expect(nodeProcessesOf(t.platform, 'web.1')).to.deep.equal([])
    await t.client.delete('/apps/scaler/dynos')
    await waitFor('web.1 back up', async () => (await states('scaler')) === 'web.1:up')
  })

  it('kills a web dyno that never binds PORT (R10)', async () => {
    const slow = await startRuntimePlatform({dynos: {bootTimeoutMs: 600}})
    try {
      await deployFixture(slow.client, 'sleepy', {web: 'sleep 30'})
      const appId = (await slow.client.get('/apps/sleepy')).body.id
      await waitFor('R10', () => slow.platform.logs.recent(appId, 100).some(l => l.text.includes('Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 1 seconds of launch')), 5000)
      await waitFor('crashed', async () => (await slow.client.get('/apps/sleepy/dynos')).body[0].state === 'crashed', 5000)
    } finally {
      await slow.close()
    }
  })

  it('one-off dynos: run.N with its own env; detached output goes to the logs', async () => {
    const created = await t.client.post('/apps/scaler/dynos', {command: 'echo "one-off $DYNO $EXTRA $GREETING"', env: {EXTRA: 'extra'}, attach: false})
    expect(created.status).to.equal(201)
    expectSchema('dyno', 'POST', 'Create', created.body)
    expect(created.body).to.include({type: 'run', attach_url: null})
    expect(created.body.name).to.match(/^run\.\d+$/)
    const appId: string = (await t.client.get('/apps/scaler')).body.id
    await waitFor('output', () => t.platform.logs.recent(appId, 100, {dyno: created.body.name}).some(l => l.text.endsWith(`app[${created.body.name}]: one-off ${created.body.name} extra hello again`)))
    await waitFor('gone from the list', async () => !(await dynos('scaler')).some(d => d.name === created.body.name))
    const attached = await t.client.post('/apps/scaler/dynos', {command: 'bash', attach: true})
    expect(attached.body.attach_url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/dyno-attach\/[\w-]{20,}$/)
    expect((await t.client.post('/apps/scaler/dynos', {command: ' '})).status).to.equal(422)
    expect((await t.client.post('/apps/scaler/dynos', {command: 'ls', env: {'NOT-VALID': 'x'}})).status).to.equal(422)
  })

  it('an attached one-off dyno ends when its client goes away', async () => {
    const created = await t.client.post('/apps/scaler/dynos', {command: 'sleep 60', attach: true, force_no_tty: true})
    const url = new URL(created.body.attach_url)
    const socket = connect(Number(url.port), url.hostname)
    socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: Upgrade\r\nUpgrade: heroku-run/1\r\n\r\n`)
    const {name} = created.body
    await waitFor('running', () => dynoProcesses(t.platform, env => env.split('\0').includes(`DYNO=${name}`)).length > 0)
    expect((await dynos('scaler')).find(d => d.name === name)?.state).to.equal('up')
    socket.destroy()
    await waitFor('gone', async () => !(await dynos('scaler')).some(d => d.name === name))
    await waitFor('no process', () => dynoProcesses(t.platform, env => env.split('\0').includes(`DYNO=${name}`)).length === 0)
    // the URL was for one use
    const again = await fetch(created.body.attach_url, {headers: {Connection: 'Upgrade', Upgrade: 'heroku-run/1'}}).catch(() => undefined)
    expect(again?.status ?? 404).to.equal(404)
  })

  it('a web dyno is not up because another process listens on its PORT', async () => {
    await deployFixture(t.client, 'squatted', {web: 'node server.js'}, {BOOT_DELAY_MS: '1500'})
    const portOf = () => {
      for (const pid of nodeProcessesOf(t.platform)) {
        const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0')
        if (env.includes('BOOT_DELAY_MS=1500')) return Number(env.find(v => v.startsWith('PORT='))!.slice(5))
      }
    }

    const port = await waitFor('the booting dyno', portOf)
    const squatter = createServer((_req, res) => res.end('squatter'))
    await new Promise<void>(resolve => squatter.listen(port, '127.0.0.1', resolve))
    try {
      const appId: string = (await t.client.get('/apps/squatted')).body.id
      await waitFor('noticed', () => t.platform.logs.recent(appId, 100).some(l => l.text.includes(`Port ${port} is held by another process`)), 5000)
      await waitFor('up on another port', async () => (await t.client.get('/apps/squatted/dynos')).body[0]?.state === 'up', 10_000)
      expect(portOf()).to.not.equal(port)
      expect((await viaRouter(t.routerUrl, 'squatted', '/')).text).to.equal('hello from web.1\n')
    } finally {
      squatter.close()
      await t.client.delete('/apps/squatted')
    }
  })

  it('deleting the app stops its dynos', async () => {
    await t.client.delete('/apps/crasher')
    await t.client.delete('/apps/scaler')
    await waitFor('no dyno processes', () => dynoProcesses(t.platform).length === 0)
  })
})
