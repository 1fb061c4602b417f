// Heroku's rendezvous attach on a TLS platform (src/platform/dynos/rendezvous.ts): what the
// official Heroku CLI does for `heroku run`, done here by a client written to do exactly that
// (heroku@11.10.0 lib/run/dyno.js): TLS to the attach URL's host and port verifying the platform's
// certificate, `SECRET\r\n`, its first 'data' event dropped as the greeting, stdin written raw (^D
// at its end without a terminal), the exit status read from the status line it appended.
import {expect} from 'chai'
import {randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {PassThrough} from 'node:stream'
import {connect as tlsConnect} from 'node:tls'
import {Agent, type Dispatcher, getGlobalDispatcher, setGlobalDispatcher} from 'undici'

import {EXIT_MARKER} from '../../../src/lib/run/exit-marker.js'
import {attachRendezvous} from '../../../src/lib/run/rendezvous.js'
import {deployFixture, dynoProcesses, type RuntimePlatform, startRuntimePlatform, waitFor} from '../fixtures/runtime/helpers.js'
import {expectSchema} from '../helpers.js'

/** what the official CLI appends with --exit-code */
const withStatus = (command: string) => `${command} ; echo "${EXIT_MARKER}$?"`
const STATUS = /\uFFFF heroku-command-exit-status: (\d+)/m

interface Session {
  closed: Promise<void>
  destroy(): void
  /** every later 'data' event, in order */
  events: string[]
  /** the first 'data' event (the official CLI drops it whole) */
  greeting: string
  output: string
  /** from the status line, as the official CLI reads it (within one 'data' event) */
  status?: number
  write(data: string): void
}

/** Connects as the official CLI does; `onOutput` sees the output so far after each event. */
function officialClient(attachUrl: string, ca: string, onOutput?: (output: string, session: Session) => void): Promise<Session> {
  const uri = new URL(attachUrl)
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(Number.parseInt(uri.port, 10), uri.hostname, {ca})
    socket.setEncoding('utf8')
    let first = true
    let closed!: () => void
    const session: Session = {
      greeting: '', events: [], output: '',
      write: data => socket.write(data),
      destroy: () => socket.destroy(),
      closed: new Promise(r => {
        closed = r
      }),
    }
    socket.on('connect', () => socket.write(`${uri.pathname.slice(1)}${uri.search}\r\n`))
    socket.on('data', (data: string) => {
      if (first) {
        first = false
        session.greeting = data
        resolve(session)
        return
      }

      session.events.push(data)
      const status = STATUS.exec(data)
      if (status) session.status = Number(status[1])
      session.output += data
      onOutput?.(session.output, session)
    })
    socket.on('error', reject)
    socket.on('close', () => {
      resolve(session)
      closed()
    })
  })
}

/** Runs to the end: the session once the platform closed it. */
async function runToEnd(attachUrl: string, ca: string, input?: string): Promise<Session> {
  const session = await officialClient(attachUrl, ca)
  if (input !== undefined) session.write(input)
  await session.closed
  return session
}

describe('rendezvous: heroku run for the official Heroku CLI (TLS platform)', function () {
  this.timeout(60_000)
  let t: RuntimePlatform
  let ca: string
  let apiPort: number
  let previousDispatcher: Dispatcher
  const APP = 'rendezvous'

  const oneOff = async (command: string, options: {env?: Record<string, string>, headers?: Record<string, string>, tty?: boolean} = {}) => {
    const created = await t.client.post(`/apps/${APP}/dynos`, {command, attach: true, env: options.env ?? {}, ...(options.tty ? {} : {force_no_tty: true})}, {headers: options.headers})
    expect(created.status, created.text).to.equal(201)
    return created.body as {attach_url: string, name: string}
  }

  const dynoNames = async () => ((await t.client.get(`/apps/${APP}/dynos`)).body as {name: string}[]).map(d => d.name)

  before(async () => {
    t = await startRuntimePlatform({tls: true})
    ca = readFileSync(t.platform.caPath!, 'utf8')
    previousDispatcher = getGlobalDispatcher()
    setGlobalDispatcher(new Agent({connect: {ca}}))
    apiPort = t.platform.port
    await deployFixture(t.client, APP, {web: 'node server.js'})
  })

  after(async () => {
    setGlobalDispatcher(previousDispatcher)
    await t?.close()
  })

  it('answers rendezvous://API-HOST:PORT/SECRET, and the heroku-run/1 URL to a client that asks for it', async () => {
    const dyno = await oneOff('true')
    expectSchema('dyno', 'POST', 'Create', dyno)
    expect(dyno.attach_url).to.match(new RegExp(`^rendezvous://127\\.0\\.0\\.1:${apiPort}/[\\w-]{32}$`))
    const shown = await t.client.get(`/apps/${APP}/dynos/${dyno.name}`)
    expect(shown.body.attach_url).to.equal(dyno.attach_url)
    const secret = new URL(dyno.attach_url).pathname.slice(1)
    const asked = await t.client.get(`/apps/${APP}/dynos/${dyno.name}`, {headers: {'Attach-Upgrade': 'heroku-run/1'}})
    expect(asked.body.attach_url).to.equal(`https://127.0.0.1:${apiPort}/dyno-attach/${secret}`)
    const upgraded = await oneOff('true', {headers: {'Attach-Upgrade': 'heroku-run/1'}})
    expect(upgraded.attach_url).to.match(new RegExp(`^https://127\\.0\\.0\\.1:${apiPort}/dyno-attach/[\\w-]{32}$`))
  })

  it('streams the output after a greeting of its own, and the exit status as the official CLI reads it', async () => {
    const ok = await runToEnd((await oneOff(withStatus('echo "hi from $DYNO"; echo oops >&2'))).attach_url, ca)
    expect(ok.greeting).to.equal('rendezvous\r\n')
    // stdout and stderr are two pipes, mixed in the order they came
    expect(ok.output.split('\n').filter(line => line !== '' && !STATUS.test(line)).sort().join(',')).to.match(/^hi from run\.\d+,oops$/)
    expect(ok.status).to.equal(0)
    const failed = await runToEnd((await oneOff(withStatus('false'))).attach_url, ca)
    expect(failed.status).to.equal(1)
    expect(failed.events.filter(e => STATUS.test(e))).to.have.length(1)
  })

  it('tells the status when the command ends its shell (exit 3): the platform writes the status line', async () => {
    const session = await runToEnd((await oneOff(withStatus('echo before; exit 3'))).attach_url, ca)
    expect(session.output).to.equal(`before\n${EXIT_MARKER}3\n`)
    expect(session.status).to.equal(3)
    // without the status line in the command (no --exit-code), none is added
    const plain = await runToEnd((await oneOff('exit 3')).attach_url, ca)
    expect(plain.output).to.equal('')
    expect(plain.status).to.equal(undefined)
  })

  it('without a terminal: stdin raw, ended by the ^D the official CLI sends', async () => {
    const session = await runToEnd((await oneOff(withStatus('cat; echo "done with stdin"'))).attach_url, ca, 'line one\nline two\n\u0004')
    expect(session.output).to.equal(`line one\nline two\ndone with stdin\n${EXIT_MARKER}0\n`)
    expect(session.status).to.equal(0)
  })

  it('with a terminal: the size from COLUMNS/LINES, stdin through the pty, ^C reaches the process as SIGINT', async () => {
    const dyno = await oneOff(withStatus('stty size; read -r line; echo "got $line"'), {tty: true, env: {COLUMNS: '101', LINES: '33', TERM: 'xterm'}})
    const session = await officialClient(dyno.attach_url, ca, (output, s) => {
      if (output.includes('33 101') && !output.includes('hello')) s.write('hello\r')
    })
    await session.closed
    expect(session.output).to.match(/^33 101\r$/m)
    expect(session.output).to.match(/^got hello\r$/m)
    expect(session.status).to.equal(0)

    const interrupted = await oneOff(withStatus('trap "echo caught SIGINT; exit 42" INT; echo ready; sleep 30 & wait'), {tty: true})
    const started = Date.now()
    let sent = false
    const sigint = await officialClient(interrupted.attach_url, ca, (output, s) => {
      if (output.includes('ready') && !sent) {
        sent = true
        s.write('\u0003')
      }
    })
    await sigint.closed
    expect(Date.now() - started).to.be.below(15_000)
    // the terminal echoes ^C, then the trap speaks
    expect(sigint.output).to.match(/^\^Ccaught SIGINT\r$/m)
    expect(sigint.status).to.equal(42)

    // killed by it: the shell dies before its status echo, the platform tells 130 (128 + SIGINT)
    const killed = await oneOff(withStatus('echo ready; sleep 30'), {tty: true})
    let interrupt = false
    const byCtrlC = await officialClient(killed.attach_url, ca, (output, s) => {
      if (output.includes('ready') && !interrupt) {
        interrupt = true
        s.write('\u0003')
      }
    })
    await byCtrlC.closed
    expect(byCtrlC.status).to.equal(130)
  })

  it('a secret is single use: a second rendezvous, or the upgrade URL, is refused', async () => {
    const dyno = await oneOff(withStatus('echo once'))
    const first = await runToEnd(dyno.attach_url, ca)
    expect(first.output).to.contain('once')
    const again = await runToEnd(dyno.attach_url, ca)
    expect(again.greeting).to.equal('error: this attach URL is unknown, used or expired\r\n')
    expect(again.events).to.deep.equal([])
    const secret = new URL(dyno.attach_url).pathname.slice(1)
    const upgrade = await fetch(`https://127.0.0.1:${apiPort}/dyno-attach/${secret}`, {headers: {Connection: 'Upgrade', Upgrade: 'heroku-run/1'}}).catch(() => undefined)
    expect(upgrade?.status ?? 404).to.equal(404)
  })

  it('a wrong secret, or a first line that is neither a secret nor HTTP, is refused and the platform carries on', async () => {
    const wrong = await runToEnd(`rendezvous://127.0.0.1:${apiPort}/${randomBytes(24).toString('base64url')}`, ca)
    expect(wrong.greeting).to.equal('error: this attach URL is unknown, used or expired\r\n')
    // not a secret: it goes to HTTP, which answers 400
    const junk = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({host: '127.0.0.1', port: apiPort, ca}, () => socket.write('no!\r\n\r\n'))
      let text = ''
      socket.setEncoding('utf8')
      socket.on('data', (d: string) => {
        text += d
      })
      socket.on('error', reject)
      socket.on('close', () => resolve(text))
    })
    expect(junk).to.match(/^HTTP\/1\.1 400 /)
    // the dyno of a real secret is still there to be attached, and the API answers
    const dyno = await oneOff(withStatus('echo still here'))
    expect((await runToEnd(dyno.attach_url, ca)).output).to.contain('still here')
    expect((await t.client.get(`/apps/${APP}`)).status).to.equal(200)
  })

  it('the client goes away: the dyno is stopped', async () => {
    const dyno = await oneOff('echo started; sleep 60')
    const session = await officialClient(dyno.attach_url, ca)
    await waitFor('running', () => dynoProcesses(t.platform, env => env.split('\0').includes(`DYNO=${dyno.name}`)).length > 0)
    expect(await dynoNames()).to.include(dyno.name)
    session.destroy()
    await waitFor('gone', async () => !(await dynoNames()).includes(dyno.name))
    await waitFor('no process', () => dynoProcesses(t.platform, env => env.split('\0').includes(`DYNO=${dyno.name}`)).length === 0)
  })

  it('our CLI follows a rendezvous:// URL too (src/lib/run/rendezvous.ts), stdin ending with ^D', async () => {
    const dyno = await oneOff(withStatus('cat; exit 5'))
    const stdin = new PassThrough()
    const out: Buffer[] = []
    const stdout = new PassThrough().on('data', (c: Buffer) => out.push(c))
    stdin.end('piped in\n')
    const status = await attachRendezvous(dyno.attach_url, {stdin, stdout, stderr: new PassThrough(), tty: false, tls: {ca}})
    expect(Buffer.concat(out).toString()).to.equal('piped in\n')
    expect(status).to.equal(5)
    const reused = await attachRendezvous(dyno.attach_url, {stdin: new PassThrough(), stdout, stderr: new PassThrough(), tty: false, tls: {ca}}).then(() => 'attached', (error: Error) => error.message)
    expect(reused).to.equal('Could not attach to the dyno: this attach URL is unknown, used or expired')
  })
})
