// heroku run / run:detached: the API through nock, the attach stream through a local server that
// speaks the attach protocol; then the real thing against a running platform.

import type {AddressInfo, Socket} from 'node:net'

import {expect} from 'chai'
import {EventEmitter} from 'node:events'
import {createServer, type Server} from 'node:http'
import {PassThrough} from 'node:stream'
import {createServer as createTlsServer} from 'node:tls'

import {ApiClient as CliApiClient} from '../../../src/lib/api/client.js'
import {rememberCa} from '../../../src/lib/api/trust.js'
import {encodeFrame, exitFrame, FrameDecoder, FrameType} from '../../../src/lib/run/attach-frames.js'
import {RUN_TRAILING_FLAGS, RUN_VALUE_FLAGS, separateRemoteCommand} from '../../../src/lib/run/command-argv.js'
import {EXIT_MARKER, ExitMarkerFilter, withExitMarker} from '../../../src/lib/run/exit-marker.js'
import {commandLine, parseEnvFlag, runAttached, runDetached} from '../../../src/lib/run/run.js'
import {Output} from '../../../src/lib/ui/output.js'
import {api, run, useIsolatedEnv} from '../../helpers/cli.js'
import {makeTestCa} from '../../helpers/test-ca.js'
import {deployFixture, type RuntimePlatform, startRuntimePlatform, waitFor} from '../../platform/fixtures/runtime/helpers.js'

function dyno(extra: Record<string, unknown> = {}) {
  return {
    app: {id: 'a1', name: 'my-app'}, attach_url: null, command: 'echo hi', created_at: '2026-01-01T00:00:00Z', id: 'd1', name: 'run.1',
    release: {id: 'r1', version: 3}, size: 'basic', state: 'starting', type: 'run', updated_at: '2026-01-01T00:00:00Z', ...extra,
  }
}

/** A fake attach endpoint: replies with `frames`, records the client's frames. */
async function fakeAttach(frames: Buffer[]): Promise<{received: {payload: string, type: number}[], server: Server, url: string}> {
  const received: {payload: string, type: number}[] = []
  const server = createServer()
  server.on('upgrade', (_req, socket: Socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: heroku-run/1\r\n\r\n')
    const decoder = new FrameDecoder((type, payload) => {
      received.push({type, payload: payload.toString()})
      if (type === FrameType.stdinEof) socket.end(Buffer.concat(frames))
    })
    socket.on('data', (chunk: Buffer) => decoder.push(chunk))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dyno-attach/secret-secret-secret-secret`, received, server}
}

describe('run', () => {
  describe('with the API mocked', () => {
    useIsolatedEnv()

    it('parses --env and quotes arguments for the remote shell', () => {
      expect(parseEnvFlag('A=1;B=two words; C=x=y')).to.deep.equal({A: '1', B: 'two words', C: 'x=y'})
      expect(() => parseEnvFlag('not a pair')).to.throw(/KEY=VALUE/)
      expect(commandLine(['echo', 'it\'s', '$HOME', 'a-b'])).to.equal(String.raw`echo 'it'\''s' '$HOME' a-b`)
      expect(commandLine(['ls -la | wc -l'])).to.equal('ls -la | wc -l')
    })

    it('attaches, passes the output through and exits with the remote exit code', async () => {
      const fake = await fakeAttach([encodeFrame(FrameType.stdout, 'hello out\n'), encodeFrame(FrameType.stderr, 'hello err\n'), exitFrame(3)])
      try {
        api().post('/apps/my-app/dynos', {command: 'echo hi; echo "\uFFFF heroku-command-exit-status: $?"', attach: true, env: {GREETING: 'hi there'}, force_no_tty: true})
          .reply(201, dyno({attach_url: fake.url}))
        const {stdout, stderr, exitCode} = await run(['run', '-a', 'my-app', '--no-tty', '--env', 'GREETING=hi there', 'echo', 'hi'])
        expect(stdout).to.equal('hello out\n')
        expect(stderr).to.contain('hello err\n')
        expect(stderr).to.contain('Running echo hi on my-app... up, run.1')
        expect(exitCode).to.equal(3)
        expect(fake.received.at(-1)!.type).to.equal(FrameType.stdinEof)
      } finally {
        fake.server.close()
      }
    })

    it('--no-exit-code exits 0 whatever the remote command did', async () => {
      const fake = await fakeAttach([exitFrame(9)])
      try {
        api().post('/apps/my-app/dynos').reply(201, dyno({attach_url: fake.url}))
        expect((await run(['run', '-a', 'my-app', '--no-tty', '--no-exit-code', 'false'])).exitCode).to.equal(0)
      } finally {
        fake.server.close()
      }
    })

    it('takes the exit status line out of the output, however the chunks fall', () => {
      const line = Buffer.from(`out\n${EXIT_MARKER}42\r\nafter`)
      for (let cut = 0; cut <= line.length; cut++) {
        const chunks: Buffer[] = []
        const filter = new ExitMarkerFilter(chunk => chunks.push(chunk))
        filter.push(line.subarray(0, cut))
        filter.push(line.subarray(cut))
        filter.end()
        expect(Buffer.concat(chunks).toString(), `cut at ${cut}`).to.equal('out\nafter')
        expect(filter.status).to.equal(42)
      }

      const plain: Buffer[] = []
      const none = new ExitMarkerFilter(chunk => plain.push(chunk))
      none.push(Buffer.from('no status \uFFFF here'))
      none.end()
      expect(Buffer.concat(plain).toString()).to.equal('no status \uFFFF here')
      expect(none.status).to.equal(undefined)
      expect(withExitMarker('ls')).to.equal(`ls; echo "${EXIT_MARKER}$?"`)
    })

    it('speaks Heroku\'s rendezvous attach (TLS, secret, greeting, status line), verifying the server', async function () {
      const ca = makeTestCa()
      if (!ca) this.skip()
      let secret = ''
      const server = createTlsServer({...ca!.leaf('rendezvous'), allowHalfOpen: true}, socket => {
        socket.once('data', (chunk: Buffer) => {
          secret = chunk.toString()
          socket.write('rendezvous\r\n')
          socket.write(`hello from heroku\n${EXIT_MARKER}5\n`)
          // the end of stdin is a ^D, as the official CLI sends it (the session ends with the command)
          socket.on('data', (more: Buffer) => {
            if (more.includes(4)) socket.end()
          })
          socket.on('end', () => socket.end())
        })
      })
      await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
      const {port} = (server.address() as AddressInfo)
      try {
        // a CA nobody recorded for that address: refused, never "verification off"
        api().post('/apps/my-app/dynos').reply(201, dyno({attach_url: `rendezvous://127.0.0.1:${port}/the-secret`}))
        const refused = await run(['run', '-a', 'my-app', '--no-tty', 'exit', '5'])
        expect(refused.exitCode).to.equal(1)
        expect(refused.stderr).to.match(/Could not attach to the dyno: .*(certificate|issuer)/)
        expect(secret).to.equal('')
        // the local platform's CA, recorded for that origin
        rememberCa(`https://127.0.0.1:${port}`, ca!.caPath)
        api().post('/apps/my-app/dynos').reply(201, dyno({attach_url: `rendezvous://127.0.0.1:${port}/the-secret`}))
        const {stdout, exitCode} = await run(['run', '-a', 'my-app', '--no-tty', 'exit', '5'])
        expect(secret).to.equal('the-secret\r\n')
        expect(stdout).to.equal('hello from heroku\n')
        expect(exitCode).to.equal(5)
      } finally {
        server.close()
        ca!.cleanup()
      }
    })

    it('run:detached prints the dyno name and how to see its output', async () => {
      api().post('/apps/my-app/dynos', {command: 'node migrate.js', attach: false, env: {}}).reply(201, dyno({command: 'node migrate.js'}))
      const {stdout, stderr, exitCode} = await run(['run:detached', '-a', 'my-app', 'node', 'migrate.js'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal('run.1\n')
      expect(stderr).to.contain('heroku logs --app my-app --dyno run.1')
    })

    it('flags after the command belong to the remote command (node -e is not --env)', async () => {
      api().post('/apps/my-app/dynos', {command: 'node -e \'console.log(1)\' --size big', attach: false, env: {DEBUG: '1'}})
        .reply(201, dyno({command: 'node -e \'console.log(1)\' --size big'}))
      const {stdout, exitCode} = await run(['run:detached', '-a', 'my-app', '-e', 'DEBUG=1', 'node', '-e', 'console.log(1)', '--size', 'big'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal('run.1\n')
    })

    it('separates the remote command from heroku\'s flags', () => {
      const flags = RUN_VALUE_FLAGS
      expect(separateRemoteCommand(['node', '-e', 'x'], flags)).to.deep.equal(['--', 'node', '-e', 'x'])
      expect(separateRemoteCommand(['-a', 'app', '--env', 'A=1', 'bash'], flags)).to.deep.equal(['-a', 'app', '--env', 'A=1', '--', 'bash'])
      expect(separateRemoteCommand(['--app=app', '--no-tty', 'ls', '-la'], flags)).to.deep.equal(['--app=app', '--no-tty', '--', 'ls', '-la'])
      expect(separateRemoteCommand(['-a', 'app', '--', 'ls'], flags)).to.deep.equal(['-a', 'app', '--', 'ls'])
      expect(separateRemoteCommand(['--help'], flags)).to.deep.equal(['--help'])
    })

    it('takes -a/--app and -r/--remote at the very end as heroku\'s, as Heroku\'s docs write them; a -- keeps them the command\'s', () => {
      const sep = (argv: string[]) => separateRemoteCommand(argv, RUN_VALUE_FLAGS, RUN_TRAILING_FLAGS)
      expect(sep(['bash', '-a', 'my-app'])).to.deep.equal(['-a', 'my-app', '--', 'bash'])
      expect(sep(['rails', 'console', '--app', 'my-app'])).to.deep.equal(['--app', 'my-app', '--', 'rails', 'console'])
      expect(sep(['ls', '-la', '--app=my-app', '-r', 'staging'])).to.deep.equal(['-r', 'staging', '--app=my-app', '--', 'ls', '-la'])
      // no value after it, or not at the end: the command's own flag
      expect(sep(['ls', '-a'])).to.deep.equal(['--', 'ls', '-a'])
      expect(sep(['ls', '-a', '/tmp', '-l'])).to.deep.equal(['--', 'ls', '-a', '/tmp', '-l'])
      expect(sep(['node', '-e', 'x'])).to.deep.equal(['--', 'node', '-e', 'x'])
      expect(sep(['-a', 'app', '--', 'ls', '-a', '/tmp'])).to.deep.equal(['-a', 'app', '--', 'ls', '-a', '/tmp'])
      expect(sep(['ls', '--', '-a', '/tmp'])).to.deep.equal(['--', 'ls', '--', '-a', '/tmp'])
      // the first word is the command even when it follows a flag's spelling
      expect(sep(['-a', 'app', 'git', '-r'])).to.deep.equal(['-a', 'app', '--', 'git', '-r'])
    })

    it('run:detached node migrate.js -a my-app runs node migrate.js on my-app', async () => {
      api().post('/apps/my-app/dynos', {command: 'node migrate.js', attach: false, env: {}}).reply(201, dyno({command: 'node migrate.js'}))
      const {stdout, exitCode} = await run(['run:detached', 'node', 'migrate.js', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal('run.1\n')
    })

    it('an unknown app fails with the API\'s message', async () => {
      api().post('/apps/nope/dynos').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      const {exitCode, stderr} = await run(['run', '-a', 'nope', '--no-tty', 'ls'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.match(/nope|find that app/)
    })
  })

  describe('against a running platform (real attach)', function () {
    this.timeout(60_000)
    let t: RuntimePlatform

    before(async () => {
      t = await startRuntimePlatform()
      await deployFixture(t.client, 'runner', {web: 'node server.js'}, {FROM_CONFIG: 'configured'})
    })

    after(() => t.close())

    let rawModes: boolean[] = []

    interface CliOptions {
      detached?: boolean
      env?: string
      keepOpen?: (write: (s: string) => void) => void
      resizeTo?: {afterMs: number, columns: number, rows: number}
      tty?: boolean
    }

    /** The CLI's run lib against the real platform, with in-memory stdin/stdout/stderr. */
    async function cli(command: string[], stdin: string, options: CliOptions = {}): Promise<{code: number, name?: string, stderr: string, stdout: string}> {
      const apiClient = new CliApiClient({baseUrl: t.platform.url, token: async () => t.token, userAgent: 'test'})
      const stdinStream = new PassThrough()
      const stdoutStream = new PassThrough()
      const stderrStream = new PassThrough()
      let stdout = ''
      let stderr = ''
      stdoutStream.setEncoding('utf8').on('data', (c: string) => {
        stdout += c
      })
      stderrStream.setEncoding('utf8').on('data', (c: string) => {
        stderr += c
      })
      const out = new Output({stdout: stdoutStream, stderr: stderrStream, env: {CI: 'true'}})
      if (options.detached) {
        const dyno = await runDetached({api: apiClient, out, app: 'runner', argv: command, env: options.env})
        return {stdout, stderr, code: 0, name: dyno.name}
      }

      if (options.tty) Object.assign(stdinStream, {isTTY: true, setRawMode: (mode: boolean) => rawModes.push(mode)})
      if (options.keepOpen) options.keepOpen(text => stdinStream.write(text))
      else stdinStream.end(stdin)
      // eslint-disable-next-line unicorn/prefer-event-target -- stands in for process.stdout, which emits 'resize' as an EventEmitter (io.resizes takes on/removeListener)
      const resizes = new EventEmitter()
      let size = {columns: 80, rows: 24}
      if (options.resizeTo) {
        const to = options.resizeTo
        setTimeout(() => {
          size = {columns: to.columns, rows: to.rows}
          resizes.emit('resize')
        }, to.afterMs)
      }

      const result = await runAttached({
        api: apiClient, out, app: 'runner', argv: command, env: options.env, columns: 80, rows: 24,
        io: {stdin: stdinStream, stdout: stdoutStream, stderr: stderrStream, resizes, size: () => size},
      })
      await new Promise(resolve => setImmediate(resolve))
      return {stdout, stderr, code: result.exitCode}
    }

    it('heroku run: stdin passes through, config and --env are set, the exit code is the remote one', async () => {
      const {stdout, stderr, code} = await cli(['read line; echo "got $line $FROM_CONFIG $EXTRA $DYNO"; echo oops >&2; exit 7'], 'hello\n', {env: 'EXTRA=given'})
      expect(stdout, stderr).to.equal('got hello configured given run.1\n')
      expect(stderr).to.contain('oops\n')
      expect(code).to.equal(7)
    })

    it('streams large output and a long stdin', async () => {
      const input = `${'0123456789'.repeat(50_000)}\n`
      const {stdout, code} = await cli(['wc', '-c'], input)
      expect(stdout.trim()).to.equal(String(input.length))
      expect(code).to.equal(0)
    })

    it('a terminal: the remote command gets a pty, Ctrl-C (a ^C byte) interrupts it', async () => {
      rawModes = []
      const {stdout, code} = await cli(['tty; test -t 0 && echo stdin-is-a-terminal; exit 4'], '', {tty: true})
      expect(rawModes, 'raw mode for the session, restored after').to.deep.equal([true, false])
      expect(stdout).to.match(/^\/dev\/pts\/\d+\r?\n/)
      expect(stdout).to.include('stdin-is-a-terminal')
      expect(code).to.equal(4)
      const started = Date.now()
      const interrupted = await cli(['sleep 30'], '', {tty: true, keepOpen: write => setTimeout(() => write('\u0003'), 500)})
      expect(Date.now() - started).to.be.below(10_000)
      expect(interrupted.code).to.equal(130)
    })

    it('a terminal starts at the client\'s size and follows its resizes', async () => {
      const {stdout} = await cli(['stty size; sleep 1.5; stty size'], '', {tty: true, resizeTo: {columns: 132, rows: 43, afterMs: 600}})
      expect(stdout.split(/\r?\n/).filter(Boolean)).to.deep.equal(['24 80', '43 132'])
    })

    it('heroku run:detached: output goes to the logs', async () => {
      const {name: dynoName} = await cli(['echo', 'detached-output-marker'], '', {detached: true})
      const name = dynoName!
      expect(name).to.match(/^run\.\d+$/)
      const appId = (await t.client.get('/apps/runner')).body.id
      await waitFor('the output in the logs', () => t.platform.logs.recent(appId, 100, {dyno: name}).some(l => l.text.endsWith(`app[${name}]: detached-output-marker`)))
    })
  })
})
