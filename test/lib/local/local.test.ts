import {expect} from 'chai'

import {checkEnvLines, parseEnv} from '../../../src/lib/local/env-file.js'
import {planFormation} from '../../../src/lib/local/formation.js'
import {ProcessGroups} from '../../../src/lib/local/process-group.js'
import {inGroups} from '../../helpers/process-groups.js'

describe('heroku local: .env files', () => {
  it('reads dotenv\'s rules: quotes, comments, export, multi-line double-quoted values', () => {
    const text = '# a comment\n\nexport A=one\nB = "two # not a comment"\nC=\'single $HOME\' # comment\nD="line one\nline two"\nE=\nF: colon\n'
    expect(parseEnv(text, '.env')).to.deep.equal({A: 'one', B: 'two # not a comment', C: 'single $HOME', D: 'line one\nline two', E: '', F: 'colon'})
  })

  it('names the line that is not KEY=VALUE, counting the lines of a multi-line value', () => {
    expect(() => checkEnvLines('A=1\nB="x\ny"\nnot valid\n', '.env')).to.throw('.env line 4 is not KEY=VALUE: "not valid"')
    expect(() => checkEnvLines('A=1\n=nokey\n', 'my.env')).to.throw('my.env line 2 is not KEY=VALUE')
  })

  it('reports a quote that is never closed at the line that opens it', () => {
    expect(() => checkEnvLines('A=1\nB="open\nC=3\n', '.env')).to.throw('.env line 2: the " that opens the value of B is never closed')
  })
})

describe('heroku local: which processes, with which PORT', () => {
  const types = {release: 'migrate', web: 'node server.js', worker: 'node worker.js'}

  it('runs every type but release, web first, PORT +100 per further process', () => {
    const plan = planFormation({port: 5006, selected: [], types: {...types}})
    expect(plan.map(p => [p.name, p.port])).to.deep.equal([['web.1', 5006], ['worker.1', 5106]])
  })

  it('web=2 (a word or --concurrency) makes two web processes', () => {
    expect(planFormation({port: 5006, selected: ['web=2'], types}).map(p => [p.name, p.port])).to.deep.equal([['web.1', 5006], ['web.2', 5106]])
    expect(planFormation({concurrency: 'web=2,worker=0', port: 3000, selected: [], types}).map(p => [p.name, p.port])).to.deep.equal([['web.1', 3000], ['web.2', 3100]])
  })

  it('refuses release, an unknown type and a bad word', () => {
    expect(() => planFormation({port: 5006, selected: ['release'], types})).to.throw('The release process type is run by the platform')
    expect(() => planFormation({port: 5006, selected: ['clock'], types})).to.throw('No process type clock.')
    expect(() => planFormation({port: 5006, selected: ['web=x'], types})).to.throw('web=x is not a process type or TYPE=COUNT.')
  })
})

describe('heroku local: process groups', () => {
  it('a process that ignores SIGTERM is killed after the grace period, with what it started', async () => {
    const lines: string[] = []
    const groups = new ProcessGroups({graceMs: 300, onLine: (name, line) => lines.push(`${name}: ${line}`)})
    const pid = groups.start({command: 'trap "" TERM; sleep 300 & echo ready; wait', cwd: process.cwd(), env: process.env, name: 'stubborn.1'})!
    const deadline = Date.now() + 5000
    while (!lines.includes('stubborn.1: ready') && Date.now() < deadline) await new Promise(r => setTimeout(r, 20))
    const started = Date.now()
    await groups.stop()
    expect(Date.now() - started).to.be.within(250, 3000)
    expect(inGroups([pid])).to.deep.equal([])
    expect(groups.exits.map(e => [e.name, e.signal])).to.deep.equal([['stubborn.1', 'SIGKILL']])
    expect(groups.first).to.equal(undefined) // stopped by us, not an exit of its own
  })
})
