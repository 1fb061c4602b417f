// command tests load the TypeScript sources (oclif maps dist/ to src/ outside production)
process.env.NODE_ENV = 'test'

import nock from 'nock'

import {scriptedPrompterProblems} from './scripted-prompter.js'

// Mocha root hooks: no test talks to the network except loopback servers it starts itself,
// every nock scope a test declares must be consumed, and every scripted prompter's answers used.
export const mochaHooks = {
  beforeAll() {
    nock.disableNetConnect()
    nock.enableNetConnect(host => host.startsWith('127.0.0.1') || host.startsWith('localhost'))
  },
  afterEach(this: Mocha.Context) {
    const pending = nock.pendingMocks()
    nock.cleanAll()
    const prompts = scriptedPrompterProblems()
    // a test that already failed has said what went wrong; failing the hook too would abort the run
    if (this.currentTest?.state === 'failed') return
    if (pending.length > 0) throw new Error(`Unconsumed nock scopes: ${pending.join(', ')}`)
    if (prompts.length > 0) throw new Error(`Scripted prompts: ${prompts.join('; ')}`)
  },
}
