import {expect} from 'chai'

import {parseScaleChanges} from '../../../src/lib/ps/scale.js'
import {api, run, useIsolatedEnv} from '../../helpers/cli.js'

function dyno(name: string, extra: Record<string, unknown> = {}) {
  return {
    app: {id: 'a1', name: 'my-app'},
    attach_url: null,
    command: name.startsWith('web') ? 'npm start' : 'node worker.js',
    created_at: '2026-01-01T00:00:00Z',
    id: `dyno-${name}`,
    name,
    release: {id: 'rel-3', version: 3},
    size: 'Basic',
    state: 'up',
    type: name.split('.')[0],
    updated_at: '2026-01-01T00:00:00Z',
    ...extra,
  }
}

function formation(type: string, quantity: number, size = 'Basic') {
  return {
    app: {id: 'a1', name: 'my-app'},
    command: type === 'web' ? 'npm start' : 'node worker.js',
    created_at: '2026-01-01T00:00:00Z',
    dyno_size: {id: 'ds1', name: size},
    id: `form-${type}`,
    quantity,
    size,
    type,
    updated_at: '2026-01-01T00:00:00Z',
  }
}

describe('ps', () => {
  useIsolatedEnv()

  describe('ps (list)', () => {
    it('groups dynos by type, in number order, with state and age', async () => {
      api().get('/apps/my-app/dynos').reply(200, [dyno('web.10'), dyno('worker.1', {state: 'crashed'}), dyno('web.2')])
      const {stdout, exitCode} = await run(['ps', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      const lines = stdout.split('\n')
      expect(lines[0]).to.equal('=== web (Basic): npm start (2)')
      expect(lines[1]).to.match(/^web\.2: up 2026-01-01T00:00:00Z \(\d+d ago\)$/)
      expect(lines[2]).to.match(/^web\.10: up /)
      expect(lines[3]).to.equal('')
      expect(lines[4]).to.equal('=== worker (Basic): node worker.js (1)')
      expect(lines[5]).to.match(/^worker\.1: crashed /)
    })

    it('--json prints the dynos; an app without dynos says so', async () => {
      api().get('/apps/my-app/dynos').reply(200, [dyno('web.1')])
      expect(JSON.parse((await run(['ps', '-a', 'my-app', '--json'])).stdout)).to.deep.equal([dyno('web.1')])
      api().get('/apps/my-app/dynos').reply(200, [])
      expect((await run(['ps', '-a', 'my-app'])).stdout).to.equal('No dynos on my-app.\n')
    })

    it('fails on an unknown app', async () => {
      api().get('/apps/nope/dynos').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      const {stderr, exitCode} = await run(['ps', '-a', 'nope'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('No app nope')
    })
  })

  describe('ps:scale', () => {
    it('sends absolute changes in one batch, without reading the formation', async () => {
      api().patch('/apps/my-app/formation', {updates: [{quantity: 2, type: 'web'}, {dyno_size: {name: 'standard-2x'}, quantity: 1, type: 'worker'}]})
        .reply(200, [formation('web', 2), formation('worker', 1, 'Standard-2X')])
      const {stdout, stderr, exitCode} = await run(['ps:scale', 'web=2', 'worker=1:standard-2x', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.contain('Scaling dynos on my-app... done')
      expect(stdout).to.equal('Now running web at 2:Basic, worker at 1:Standard-2X\n')
    })

    it('resolves relative changes against the current formation; --json prints the result', async () => {
      api().get('/apps/my-app/formation').reply(200, [formation('web', 1), formation('worker', 3)])
      api().patch('/apps/my-app/formation', {updates: [{quantity: 2, type: 'web'}, {quantity: 0, type: 'worker'}]}).reply(200, [formation('web', 2), formation('worker', 0)])
      const {stdout} = await run(['scale', 'web+1', 'worker-5', '-a', 'my-app', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal([formation('web', 2), formation('worker', 0)])
    })

    it('shows the formation without arguments', async () => {
      api().get('/apps/my-app/formation').reply(200, [formation('web', 1)])
      expect((await run(['ps:scale', '-a', 'my-app'])).stdout).to.equal('Type  Size   Qty  Command\nweb   Basic  1    npm start\n')
    })

    it('rejects a malformed change (exit 2) and an unknown type for a relative change', async () => {
      expect((await run(['ps:scale', 'web', '-a', 'my-app'])).exitCode).to.equal(2)
      api().get('/apps/my-app/formation').reply(200, [formation('web', 1)])
      const {stderr, exitCode} = await run(['ps:scale', 'clock+1', '-a', 'my-app'])
      expect(exitCode).to.equal(2)
      expect(stderr).to.contain('no process type clock')
    })

    it('reports a 422 from the platform', async () => {
      api().patch('/apps/my-app/formation', {updates: [{quantity: 200, type: 'web'}]}).reply(422, {id: 'invalid_params', message: 'Cannot scale to more than 100 dynos.'})
      const {stderr, exitCode} = await run(['ps:scale', 'web=200', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Cannot scale to more than 100 dynos.')
    })

    it('says a quantity out of range in the command\'s words, not the API\'s', async () => {
      api().patch('/apps/my-app/formation', {updates: [{quantity: 999, type: 'web'}]})
        .reply(422, {id: 'invalid_params', message: 'In "updates[0]": "quantity" must be an integer from 0 to 100.'}, {'request-id': 'req-9'})
      const {stderr, exitCode} = await run(['ps:scale', 'web=999', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Cannot scale web to 999: my-app can run 0 to 100 dynos of a process type.')
      expect(stderr).to.contain('req-9')
      expect(stderr).not.to.contain('updates[0]')
    })

    it('tells a never-deployed app to deploy first', async () => {
      api().patch('/apps/my-app/formation', {updates: [{quantity: 2, type: 'web'}]})
        .reply(404, {id: 'not_found', message: 'Couldn\'t find that process type (web).'})
      api().get('/apps/my-app/formation').reply(200, [])
      const {stderr, exitCode} = await run(['ps:scale', 'web=2', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('my-app has no process types yet: it has never been deployed.')
      expect(stderr).to.contain('git push heroku main')
    })

    it('names the process types a deployed app has when one is missing', async () => {
      api().patch('/apps/my-app/formation', {updates: [{quantity: 1, type: 'clock'}]})
        .reply(404, {id: 'not_found', message: 'Couldn\'t find that process type (clock).'})
      api().get('/apps/my-app/formation').reply(200, [formation('web', 1), formation('worker', 0)])
      const {stderr, exitCode} = await run(['ps:scale', 'clock=1', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('my-app has no process type clock (it has web, worker).')
    })

    it('parses changes', () => {
      expect(parseScaleChanges(['web=2', 'worker+1', 'clock-1:basic'])).to.deep.equal([
        {op: '=', quantity: 2, size: undefined, type: 'web'},
        {op: '+', quantity: 1, size: undefined, type: 'worker'},
        {op: '-', quantity: 1, size: 'basic', type: 'clock'},
      ])
    })
  })

  describe('ps:restart and ps:stop', () => {
    it('restarts all dynos, a type or one dyno', async () => {
      api().delete('/apps/my-app/dynos').reply(202, {})
      api().delete('/apps/my-app/formations/web').reply(202, {})
      api().delete('/apps/my-app/dynos/web.1').reply(202, {})
      expect((await run(['ps:restart', '-a', 'my-app'])).stderr).to.contain('Restarting all dynos on my-app... done')
      expect((await run(['restart', 'web', '-a', 'my-app'])).stderr).to.contain('Restarting web on my-app... done')
      expect(JSON.parse((await run(['ps:restart', 'web.1', '-a', 'my-app', '--json'])).stdout)).to.deep.equal({app: 'my-app', restarted: 'web.1'})
    })

    it('stops one dyno or a type', async () => {
      api().post('/apps/my-app/dynos/web.1/actions/stop').reply(202, {})
      api().post('/apps/my-app/formations/worker/actions/stop').reply(202, {})
      expect((await run(['ps:stop', 'web.1', '-a', 'my-app'])).stderr).to.contain('Stopping web.1 on my-app... done')
      const {stderr} = await run(['ps:stop', 'worker', '-a', 'my-app'])
      expect(stderr).to.contain('ps:scale worker=0')
    })

    it('ps:stop --json says what it stopped; an unknown type fails', async () => {
      api().post('/apps/my-app/formations/web/actions/stop').reply(202, {})
      expect(JSON.parse((await run(['ps:stop', 'web', '-a', 'my-app', '--json'])).stdout)).to.deep.equal({app: 'my-app', stopped: 'web'})
      api().post('/apps/my-app/formations/clock/actions/stop').reply(404, {id: 'not_found', message: 'Couldn\'t find that formation.', resource: 'formation'})
      const {stderr, exitCode} = await run(['ps:stop', 'clock', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Couldn\'t find that formation.')
    })

    it('fails on an unknown dyno', async () => {
      api().delete('/apps/my-app/dynos/web.9').reply(404, {id: 'not_found', message: 'Couldn\'t find that dyno.', resource: 'dyno'})
      const {stderr, exitCode} = await run(['ps:restart', 'web.9', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Couldn\'t find that dyno.')
      expect((await run(['ps:stop', '-a', 'my-app'])).exitCode).to.equal(2)
    })
  })

  describe('ps:type', () => {
    it('lists the process types with size and quantity; --json', async () => {
      api().get('/apps/my-app/formation').twice().reply(200, [formation('worker', 0), formation('web', 2, 'Standard-1X')])
      expect((await run(['ps:type', '-a', 'my-app'])).stdout).to.equal('Type    Size         Qty  Command\nweb     Standard-1X  2    npm start\nworker  Basic        0    node worker.js\n')
      expect(JSON.parse((await run(['ps:type', '-a', 'my-app', '--json'])).stdout)).to.have.length(2)
    })

    it('fails on an unknown app', async () => {
      api().get('/apps/nope/formation').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      expect((await run(['ps:type', '-a', 'nope'])).exitCode).to.equal(1)
    })
  })
})
