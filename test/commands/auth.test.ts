import {expect} from 'chai'

import {api, isolatedEnv, run} from '../helpers/cli.js'

describe('auth:whoami', () => {
  let restore: () => void
  beforeEach(() => {
    restore = isolatedEnv()
  })
  afterEach(() => restore())

  it('prints the email of the account', async () => {
    api().get('/account').matchHeader('authorization', 'Bearer test-token').reply(200, {email: 'jane@example.com', id: '01234567-89ab-cdef-0123-456789abcdef'})
    const {stdout, exitCode} = await run(['whoami'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.equal('jane@example.com\n')
  })
})
