import {expect} from 'chai'

import {api, run, useIsolatedEnv} from '../../helpers/cli.js'

const app = (maintenance: boolean) => ({id: 'a1', maintenance, name: 'my-app'})

describe('maintenance', () => {
  useIsolatedEnv()

  it('maintenance prints on or off', async () => {
    api().get('/apps/my-app').reply(200, app(true))
    const on = await run(['maintenance', '-a', 'my-app'])
    expect(on.exitCode).to.equal(0)
    expect(on.stdout).to.equal('on\n')
    api().get('/apps/my-app').reply(200, app(false))
    expect((await run(['maintenance', '-a', 'my-app'])).stdout).to.equal('off\n')
  })

  it('maintenance --json prints the app (its maintenance attribute)', async () => {
    api().get('/apps/my-app').reply(200, app(true))
    const {stdout, exitCode} = await run(['maintenance', '-a', 'my-app', '--json'])
    expect(exitCode).to.equal(0)
    expect(JSON.parse(stdout)).to.deep.equal(app(true))
  })

  it('maintenance:on sends PATCH {maintenance: true}', async () => {
    api().patch('/apps/my-app', {maintenance: true}).reply(200, app(true))
    const {stdout, stderr, exitCode} = await run(['maintenance:on', '-a', 'my-app'])
    expect(exitCode).to.equal(0)
    expect(stderr).to.contain('Enabling maintenance mode for my-app... done')
    expect(stdout).to.equal('')
  })

  it('maintenance:off sends PATCH {maintenance: false}; --json prints the app', async () => {
    api().patch('/apps/my-app', {maintenance: false}).reply(200, app(false))
    const {stdout, stderr, exitCode} = await run(['maintenance:off', '-a', 'my-app', '--json'])
    expect(exitCode).to.equal(0)
    expect(JSON.parse(stdout)).to.deep.equal(app(false))
    expect(stderr).to.contain('Disabling maintenance mode for my-app... done')
  })

  it('an unknown app is an error with the server\'s message', async () => {
    api().patch('/apps/nope', {maintenance: true}).reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
    const {stderr, exitCode} = await run(['maintenance:on', '-a', 'nope'])
    expect(exitCode).to.equal(1)
    expect(stderr).to.contain('Enabling maintenance mode for nope... failed')
    expect(stderr).to.contain('Couldn\'t find that app.')
  })
})
