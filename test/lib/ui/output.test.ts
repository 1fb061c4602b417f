import {expect} from 'chai'

import {testOutput} from '../../helpers/test-output.js'

describe('Output', () => {
  it('without a TTY: no spinner bytes, no colour, plain progress lines', async () => {
    const {out, stderr, stdout} = testOutput()
    const spinner = await out.spinner('Creating app')
    spinner.succeed()
    out.warn('careful')
    await out.table([{name: 'a', n: 1}], [{get: r => r.name, header: 'Name'}, {get: r => r.n, header: 'Count'}])
    expect(stderr.text).to.equal('Creating app... done\n ›   Warning: careful\n')
    expect(stdout.text).to.equal('Name  Count\na     1\n')
    expect(stderr.text + stdout.text).not.to.contain('\u001B') // no escape sequence
    expect(stderr.text + stdout.text).not.to.contain('\r') // no carriage return
  })

  it('CI=true behaves as no TTY even on a terminal', async () => {
    const {out, stderr} = testOutput({env: {CI: 'true'}, stdoutTTY: true})
    expect(out.interactive).to.equal(false)
    const spinner = await out.spinner('Working')
    spinner.fail('nope')
    expect(stderr.text).to.equal('Working... nope\n')
  })

  it('a terminal that reports no width gets plain progress, not a spinner', async () => {
    const {out, stderr} = testOutput({columns: 0, stdoutTTY: true})
    const spinner = await out.spinner('Scaling')
    spinner.succeed()
    expect(stderr.text).to.equal('Scaling... done\n')
  })

  it('a note written while a plain progress line is open ends that line first', async () => {
    const {out, stderr} = testOutput()
    const spinner = await out.spinner('Provisioning')
    out.warn('slow today')
    spinner.succeed('done')
    expect(stderr.text).to.equal('Provisioning... \n ›   Warning: slow today\nProvisioning... done\n')
  })

  it('colours on a TTY, but not with NO_COLOR or --no-color', () => {
    expect(testOutput({stdoutTTY: true}).out.color.red('x')).to.not.equal('x')
    expect(testOutput({env: {NO_COLOR: '1'}, stdoutTTY: true}).out.color.red('x')).to.equal('x')
    expect(testOutput({color: false, stdoutTTY: true}).out.color.red('x')).to.equal('x')
  })

  it('--json silences human output on stdout', async () => {
    const {out, stdout} = testOutput({json: true})
    out.log('hello')
    out.keyValues([['Name', 'x']])
    await out.table([{a: 1}], [{get: r => r.a, header: 'A'}])
    expect(stdout.text).to.equal('')
  })
})
