import {expect} from 'chai'
import {PassThrough} from 'node:stream'

import {ApiClient} from '../../../src/lib/api/client.js'
import {waitForDynos} from '../../../src/lib/ps/wait.js'
import {Output} from '../../../src/lib/ui/output.js'
import {API, api, run, useIsolatedEnv} from '../../helpers/cli.js'

const release = (version: number, status = 'succeeded') => ({
  addon_plan_names: [], app: {id: 'a1', name: 'my-app'}, created_at: '2026-01-01T00:00:00Z', current: status === 'succeeded',
  description: 'Deploy abc1234', id: `rel-${version}`, output_stream_url: null, slug: {id: 's1'}, status,
  updated_at: '2026-01-01T00:00:00Z', user: {email: 'jane@example.com', id: 'u1'}, version,
})

const dyno = (name: string, version: number, state = 'up') => ({
  app: {id: 'a1', name: 'my-app'}, attach_url: null, command: 'npm start', created_at: '2026-01-01T00:00:00Z', id: `dyno-${name}`,
  name, release: {id: `rel-${version}`, version}, size: 'Basic', state, type: name.split('.')[0], updated_at: '2026-01-01T00:00:00Z',
})

const formation = (type: string, quantity: number) => ({
  app: {id: 'a1', name: 'my-app'}, command: 'npm start', created_at: '2026-01-01T00:00:00Z', dyno_size: {id: 'ds1', name: 'Basic'},
  id: `form-${type}`, quantity, size: 'Basic', type, updated_at: '2026-01-01T00:00:00Z',
})
const formations = (counts: Record<string, number>) => api().get('/apps/my-app/formation').reply(200, Object.entries(counts).map(([t, n]) => formation(t, n)))

const newestRelease = () => api().get('/apps/my-app/releases').matchHeader('range', 'version ..; order=desc,max=1')

describe('ps:wait', () => {
  useIsolatedEnv()

  it('exits 0 at once when every dyno is up on the newest release; --json prints the dyno objects', async () => {
    newestRelease().reply(200, [release(5)])
    formations({web: 1, worker: 1})
    api().get('/apps/my-app/dynos').reply(200, [dyno('web.1', 5), dyno('worker.1', 5)])
    const {stdout, stderr, exitCode} = await run(['ps:wait', '-a', 'my-app', '--json'])
    expect(exitCode).to.equal(0)
    const dynos = JSON.parse(stdout)
    expect(dynos.map((d: {name: string, release: {version: number}}) => [d.name, d.release.version])).to.deep.equal([['web.1', 5], ['worker.1', 5]])
    expect(stderr).to.include('All dynos are up on v5.')
  })

  it('a crashed dyno of the new release: exit 1 with the reason, not a wait forever', async () => {
    newestRelease().reply(200, [release(6)])
    formations({web: 2})
    api().get('/apps/my-app/dynos').reply(200, [dyno('web.1', 6, 'crashed'), dyno('web.2', 5)])
    const {stderr, exitCode} = await run(['ps:wait', '-a', 'my-app'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.include('web.1 crashed on v6.')
    expect(stderr).to.include('heroku logs -a my-app --dyno web.1')
  })

  it('a failed release (its release phase did not succeed): exit 1 naming it', async () => {
    newestRelease().reply(200, [release(7, 'failed')])
    const {stderr, exitCode} = await run(['ps:wait', '-a', 'my-app'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.include('v7 failed: its release phase did not succeed, so it never went live.')
  })

  it('--type counts only that type; one-off dynos never count unless --with-run', async () => {
    newestRelease().twice().reply(200, [release(5)])
    api().get('/apps/my-app/formation').twice().reply(200, [formation('web', 1), formation('worker', 1)])
    api().get('/apps/my-app/dynos').twice().reply(200, [dyno('web.1', 5), dyno('worker.1', 4, 'starting'), dyno('run.1', 4)])
    expect((await run(['ps:wait', '-a', 'my-app', '--type', 'web'])).exitCode).to.equal(0)
    const {exitCode, stderr} = await run(['ps:wait', '-a', 'my-app', '--type', 'run', '--with-run', '--timeout', '1', '-w', '5'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.include('Timed out: 0 of 1 run dynos up on v5.')
  })

  describe('polling (the lib function)', () => {
    const out = () => new Output({stderr: new PassThrough(), stdout: new PassThrough()})
    const client = () => new ApiClient({baseUrl: API, token: async () => 'test-token', userAgent: 'test'})

    it('waits through a pending release and starting dynos until all are up on it', async () => {
      newestRelease().reply(200, [release(8, 'pending')])
      formations({web: 1})
      api().get('/apps/my-app/dynos').reply(200, [dyno('web.1', 7)])
      // just released: the formation wants a web dyno the API does not list yet
      newestRelease().reply(200, [release(8)])
      formations({web: 1})
      api().get('/apps/my-app/dynos').reply(200, [])
      newestRelease().reply(200, [release(8)])
      formations({web: 1})
      api().get('/apps/my-app/dynos').reply(200, [dyno('web.1', 8, 'starting')])
      newestRelease().reply(200, [release(8)])
      formations({web: 1})
      api().get('/apps/my-app/dynos').reply(200, [dyno('web.1', 8)])
      const slept: number[] = []
      const result = await waitForDynos({
        api: client(), app: 'my-app', intervalMs: 2000, out: out(), async sleep(ms) {
          slept.push(ms)
        },
      })
      expect(slept).to.deep.equal([2000, 2000, 2000])
      expect(result[0].state).to.equal('up')
    })

    it('gives up at --timeout, saying the release is still pending', async () => {
      let clock = 0
      newestRelease().twice().reply(200, [release(9, 'pending')])
      api().get('/apps/my-app/formation').twice().reply(200, [formation('web', 1)])
      api().get('/apps/my-app/dynos').twice().reply(200, [dyno('web.1', 8)])
      const waiting = waitForDynos({
        api: client(), app: 'my-app', intervalMs: 1000, now: () => clock, out: out(), async sleep(ms) {
          clock += ms
        }, timeoutMs: 1500,
      })
      let error: Error | undefined
      await waiting.catch(error_ => {
        error = error_
      })
      expect(error?.message).to.equal('Timed out: v9 is still pending (its release phase is running).')
    })
  })
})
