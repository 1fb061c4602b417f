// command tests load the TypeScript sources (oclif maps dist/ to src/ outside production)
process.env.NODE_ENV = "test"

import nock from 'nock'

// Mocha root hooks: no test talks to the network except loopback servers it starts itself,
// and every nock scope a test declares must be consumed.
export const mochaHooks = {
  beforeAll() {
    nock.disableNetConnect()
    nock.enableNetConnect(host => host.startsWith('127.0.0.1') || host.startsWith('localhost'))
  },
  afterEach(this: Mocha.Context) {
    const pending = nock.pendingMocks()
    nock.cleanAll()
    // a test that already failed has said what went wrong; failing the hook too would abort the run
    if (pending.length > 0 && this.currentTest?.state !== 'failed') {
      throw new Error(`Unconsumed nock scopes: ${pending.join(', ')}`)
    }
  },
}
