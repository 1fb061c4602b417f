import {expect} from 'chai'

import {CancelledError, PromptUnavailableError} from '../../../src/lib/errors.js'
import {failure} from '../../helpers/failure.js'
import {scriptedPrompter} from '../../helpers/scripted-prompter.js'
import {testOutput} from '../../helpers/test-output.js'

describe('TerminalPrompter', () => {
  describe('where nobody can answer, every prompt is an error naming the flag to pass (exit 2)', () => {
    const cases: Array<[string, Parameters<typeof testOutput>[0]]> = [
      ['stdin is a pipe', {stdinTTY: false, stdoutTTY: true}],
      ['stdout is a pipe', {stdinTTY: true, stdoutTTY: false}],
      ['CI', {env: {CI: 'true'}, stdoutTTY: true}],
      ['--json', {json: true, stdoutTTY: true}],
    ]
    for (const [where, opts] of cases) {
      it(where, async () => {
        const {prompter, stderr} = testOutput(opts)
        expect(prompter.canPrompt).to.equal(false)
        const errors = await Promise.all([
          failure(prompter.input('Email:', {flag: '--with-token', what: 'your email'})),
          failure(prompter.password('Password:', {flag: '--password-stdin'})),
          failure(prompter.confirm('Go on?', {flag: '--confirm my-app', what: 'confirmation'})),
          failure(prompter.checkbox('Which?', [{name: 'a', value: 1}], {flag: '--app'})),
        ])
        for (const err of errors) {
          expect(err).to.be.instanceOf(PromptUnavailableError)
          expect(err.exitCode).to.equal(2)
        }

        expect(errors.map((e: PromptUnavailableError) => [e.message, e.hint])).to.deep.equal([
          ['Cannot ask for your email: not running in an interactive terminal.', 'Pass --with-token.'],
          ['Cannot ask for Password:: not running in an interactive terminal.', 'Pass --password-stdin.'],
          ['Cannot ask for confirmation: not running in an interactive terminal.', 'Pass --confirm my-app.'],
          ['Cannot ask for Which?: not running in an interactive terminal.', 'Pass --app.'],
        ])
        expect(stderr.text).to.equal('') // nothing drawn
      })
    }
  })

  it('on a terminal, asks on stderr and reads the answers typed on stdin', async () => {
    const {answer, prompter, stderr} = testOutput({stdoutTTY: true})
    expect(prompter.canPrompt).to.equal(true)
    const email = prompter.input('Email:', {flag: '--with-token'})
    await answer(/Email:/, 'jane@example.com')
    expect(await email).to.equal('jane@example.com')
    const password = prompter.password('Password:', {flag: '--with-token'})
    await answer(/Password:/, 'hunter2')
    expect(await password).to.equal('hunter2')
    expect(stderr.text).not.to.contain('hunter2') // masked
    const yes = prompter.confirm('Go on?', {flag: '--confirm x'})
    await answer(/Go on\?/, 'y')
    expect(await yes).to.equal(true)
    const picked = prompter.checkbox('Which apps?', [{name: 'one', value: 1}, {name: 'two', value: 2}], {flag: '--app'})
    await answer(/Which apps\?/, ' ') // space ticks the first choice, Enter submits
    expect(await picked).to.deep.equal([1])
  })

  it('Ctrl-C at a prompt is a CancelledError (the command leaves quietly)', async () => {
    const {prompter, stderr, stdin} = testOutput({stdoutTTY: true})
    const pending = failure(prompter.confirm('Go on?', {flag: '--confirm x'}))
    while (!stderr.text.includes('Go on?')) {
      await new Promise(resolve => {
        setTimeout(resolve, 10)
      })
    }

    stdin.write('\u0003')
    expect(await pending).to.be.instanceOf(CancelledError)
  })
})

describe('scriptedPrompter (the test double)', () => {
  it('answers the scripted questions in order and records them', async () => {
    const prompter = scriptedPrompter([
      {answer: 'jane@example.com', input: 'Email:'},
      {answer: false, confirm: /^Apply/, flag: 'config:set'},
      {answer: ['two'], checkbox: 'Which?'},
    ])
    expect(await prompter.input('Email:', {flag: '--with-token'})).to.equal('jane@example.com')
    expect(await prompter.confirm('Apply these changes?', {default: false, flag: 'config:set'})).to.equal(false)
    expect(await prompter.checkbox('Which?', [{name: 'one', value: 1}, {name: 'two', value: 2}], {flag: '--app'})).to.deep.equal([2])
    expect(prompter.asked.map(a => `${a.kind} ${a.message}`)).to.deep.equal(['input Email:', 'confirm Apply these changes?', 'checkbox Which?'])
    prompter.assertDone()
  })

  it('fails on an unexpected prompt, even when the code under test swallows the error', async () => {
    const prompter = scriptedPrompter([{answer: true, confirm: 'Go on?'}])
    const wrongKind = await failure(prompter.input('Go on?', {flag: '--x'}))
    expect(wrongKind.message).to.equal('unexpected input prompt "Go on?": the script expected confirm "Go on?"')
    const none = await failure(prompter.password('Password:', {flag: '--password-stdin'}))
    expect(none.message).to.equal('unexpected password prompt "Password:" (--password-stdin): the script has no more answers')
    expect(() => prompter.assertDone()).to.throw(/unexpected input prompt "Go on\?"[^]*unexpected password prompt/)
  })

  it('fails on another message or another flag than the script says', async () => {
    const prompter = scriptedPrompter([{answer: 'x', input: 'Email:'}, {answer: true, confirm: /Go/, flag: '--confirm a'}])
    expect((await failure(prompter.input('Name:', {flag: '--x'}))).message).to.contain('the script expected input "Email:"')
    expect((await failure(prompter.confirm('Go on?', {flag: '--confirm b'}))).message).to.contain('names the flag --confirm b; the script expected --confirm a')
    expect(() => prompter.assertDone()).to.throw()
  })

  it('fails when an answer is left unused', async () => {
    const prompter = scriptedPrompter([{answer: 'a', input: 'Email:'}, {answer: 'b', password: 'Password:'}])
    await prompter.input('Email:', {flag: '--with-token'})
    expect(() => prompter.assertDone()).to.throw('the scripted prompter was not asked password "Password:"; it was asked input "Email:"')
  })
})
