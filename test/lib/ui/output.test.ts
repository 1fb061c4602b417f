import {expect} from 'chai'

import {Output} from '../../../src/lib/ui/output.js'
import {FakeTty} from '../../helpers/tty.js'
import {caught} from '../../helpers/failure.js'

function pipe(): FakeTty {
  return Object.assign(new FakeTty(), {isTTY: false})
}

const CONTROL = /\u001B|\r/ // any escape sequence or carriage return

describe('Output', () => {
  it('without a TTY: no spinner bytes, no colour, plain progress lines', async () => {
    const stderr = pipe()
    const stdout = pipe()
    const out = new Output({env: {}, stderr, stdout})
    const spinner = await out.spinner('Creating app')
    spinner.succeed()
    out.warn('careful')
    await out.table([{name: 'a', n: 1}], [{get: r => r.name, header: 'Name'}, {get: r => r.n, header: 'Count'}])
    expect(stderr.text).to.equal('Creating app... done\n ›   Warning: careful\n')
    expect(stdout.text).to.equal('Name  Count\na     1\n')
    expect(stderr.text + stdout.text).not.to.match(CONTROL)
  })

  it('CI=true behaves as no TTY even on a terminal', async () => {
    const stderr = new FakeTty()
    const out = new Output({env: {CI: 'true'}, stderr, stdout: new FakeTty()})
    expect(out.interactive).to.equal(false)
    const spinner = await out.spinner('Working')
    spinner.fail('nope')
    expect(stderr.text).to.equal('Working... nope\n')
  })

  it('a terminal that reports no width gets plain progress, not a spinner', async () => {
    const stderr = Object.assign(new FakeTty(), {columns: 0})
    const out = new Output({env: {}, stderr, stdout: new FakeTty()})
    const spinner = await out.spinner('Scaling')
    spinner.succeed()
    expect(stderr.text).to.equal('Scaling... done\n')
  })

  it('a note written while a plain progress line is open ends that line first', async () => {
    const stderr = pipe()
    const out = new Output({env: {}, stderr, stdout: pipe()})
    const spinner = await out.spinner('Provisioning')
    out.warn('slow today')
    spinner.succeed('done')
    expect(stderr.text).to.equal('Provisioning... \n ›   Warning: slow today\nProvisioning... done\n')
  })

  it('colours on a TTY, but not with NO_COLOR or --no-color', () => {
    const tty = () => new Output({env: {}, stderr: new FakeTty(), stdout: new FakeTty()})
    expect(tty().color.red('x')).to.not.equal('x')
    expect(new Output({env: {NO_COLOR: '1'}, stderr: new FakeTty(), stdout: new FakeTty()}).color.red('x')).to.equal('x')
    expect(new Output({color: false, env: {}, stderr: new FakeTty(), stdout: new FakeTty()}).color.red('x')).to.equal('x')
  })

  it('a prompt without a TTY is an error naming the flag', async () => {
    const out = new Output({env: {}, stderr: pipe(), stdin: pipe(), stdout: pipe()})
    const err = await out.confirm('Destroy?', {flag: '--confirm my-app', what: 'confirmation'}).catch(caught)
    expect(err.message).to.equal('Cannot ask for confirmation: not running in an interactive terminal.')
    expect(err.hint).to.equal('Pass --confirm my-app.')
    expect(err.exitCode).to.equal(2)
  })

  it('--json silences human output on stdout', async () => {
    const stdout = pipe()
    const out = new Output({env: {}, json: true, stderr: pipe(), stdout})
    out.log('hello')
    out.keyValues([['Name', 'x']])
    await out.table([{a: 1}], [{get: r => r.a, header: 'A'}])
    expect(stdout.text).to.equal('')
  })
})
