// The add-on servers' supervision (dynos/service-processes.ts): a real server process in the
// sandbox, its readiness, a crash restarted with backoff, a clean stop, and a platform's kill -9
// leaving nothing behind once the next supervisor starts.
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {accepts} from '../../../src/platform/dynos/ports.js'
import {DYNO_MARKER_VAR, killLeftovers, killRecordedGroups, markedProcesses, PLATFORM_MARKER_VAR, platformMarker} from '../../../src/platform/dynos/processes.js'
import {SERVICE_UIDS, ServiceProcesses, type ServiceSpec} from '../../../src/platform/dynos/service-processes.js'
import {detectSandbox, type SandboxStatus} from '../../../src/platform/sandbox/sandbox.js'

// a tiny TCP server that records its pid and uid in its data dir and prints a line per connection
const SERVER = `
const net = require('node:net'); const fs = require('node:fs')
fs.writeFileSync(process.argv[2] + '/pid', process.pid + ' ' + process.getuid())
net.createServer(s => { console.log('connection'); s.end('hi\\n') }).listen(Number(process.argv[1]), '127.0.0.1')
process.on('SIGTERM', () => { console.log('bye'); process.exit(0) })
`

const waitFor = async (what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> => {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise(r => setTimeout(r, 25))
  }
}

describe('add-on servers under the supervisor (service-processes.ts)', function () {
  this.timeout(30_000)
  let dataDir: string
  let sandbox: SandboxStatus
  let services: ServiceProcesses
  const lines: string[] = []
  const log: string[] = []
  const port = 30_000 + Math.floor(Math.random() * 5000)

  const make = () => new ServiceProcesses({
    dataDir, marker: platformMarker(dataDir), sandbox, log: l => log.push(l),
    backoffInitialMs: 200, backoffMaxMs: 1000, crashResetMs: 60_000,
    baseEnv: {PATH: process.env.PATH ?? '/usr/bin:/bin'},
  })
  const spec = (): ServiceSpec => ({
    key: 'echo', label: 'echo', file: process.execPath, args: ['-e', SERVER, String(port), join(dataDir, 'echo')],
    writable: [join(dataDir, 'echo')], uid: SERVICE_UIDS.redis, ready: () => accepts(port), onLine: l => lines.push(l),
    stopGraceMs: 3000,
  })
  // the server's pid as this machine sees it (in the sandbox it has a pid of its own namespace)
  const serverPid = (): number => {
    readFileSync(join(dataDir, 'echo', 'pid'))
    const pid = markedProcesses(DYNO_MARKER_VAR, 'service-echo').find(p => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'node')
    if (pid === undefined) throw new Error('no server process')
    return pid
  }

  before(async () => {
    sandbox = await detectSandbox()
  })

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'services-test-'))
    services = make()
  })

  afterEach(async () => {
    await services.close()
    rmSync(dataDir, {recursive: true, force: true})
  })

  it('starts a server once, resolves when it serves, and gives its files to its own uid', async () => {
    await Promise.all([services.ensure(spec()), services.ensure(spec())])
    expect(services.isUp('echo')).to.equal(true)
    expect(await accepts(port)).to.equal(true)
    const [, uid] = readFileSync(join(dataDir, 'echo', 'pid'), 'utf8').split(' ').map(Number)
    if (sandbox.enabled && sandbox.separateUsers) {
      expect(uid).to.equal(SERVICE_UIDS.redis)
      expect(statSync(join(dataDir, 'echo')).uid).to.equal(SERVICE_UIDS.redis)
    }

    expect(markedProcesses(PLATFORM_MARKER_VAR, platformMarker(dataDir)).length).to.be.greaterThan(0)
  })

  it('restarts a server that dies, and stops it cleanly with its signal', async () => {
    await services.ensure(spec())
    const first = serverPid()
    process.kill(first, 'SIGKILL')
    await waitFor('a restart', async () => {
      try {
        return serverPid() !== first && await accepts(port)
      } catch {
        return false
      }
    })
    // in the sandbox bwrap reports the kill as status 137 (128 + 9)
    expect(lines.some(l => /Process exited with (signal SIGKILL|status 137); restarting/.test(l)), lines.join('\n')).to.equal(true)
    await services.stop('echo')
    expect(lines).to.include('bye')
    expect(await accepts(port)).to.equal(false)
    expect(markedProcesses(PLATFORM_MARKER_VAR, platformMarker(dataDir))).to.deep.equal([])
  })

  it('says why a server that cannot start did not, with its last lines', async () => {
    const failing = {...spec(), args: ['-e', 'console.error("no config here"); process.exit(3)']}
    let error: Error | undefined
    await services.ensure(failing).catch(error_ => {
      error = error_ as Error
    })
    expect(error?.message).to.match(/exited before it served: no config here/)
  })

  it('close() during a start and a one-shot: nothing starts after it, nothing writes after it, nothing is left', async () => {
    const writer = 'const fs = require(\'node:fs\'); setInterval(() => fs.writeFileSync(process.argv[1] + \'/beat-\' + Date.now(), \'x\'), 5)'
    const oneShot = services.runOnce({args: ['-e', writer, join(dataDir, 'shot')], file: process.execPath, key: 'writer', label: 'writer', writable: [join(dataDir, 'shot')]})
    await waitFor('the one-shot writing', () => {
      try {
        return readdirSync(join(dataDir, 'shot')).length > 0
      } catch {
        return false
      }
    })
    // the start is still making its dirs when close() comes
    const starting = services.ensure(spec()).catch((error: Error) => error)
    await services.close()
    expect(await starting).to.be.instanceOf(Error)
    expect((await oneShot).signal).to.equal('SIGKILL')
    const files = readdirSync(join(dataDir, 'shot')).length
    await new Promise(r => setTimeout(r, 200))
    expect(readdirSync(join(dataDir, 'shot'))).to.have.lengthOf(files)
    expect(markedProcesses(PLATFORM_MARKER_VAR, platformMarker(dataDir))).to.deep.equal([])
    expect(await accepts(port)).to.equal(false)
  })

  it('leaves nothing running after its platform is killed: the next start ends the leftovers', async () => {
    // a second process stands for the platform: it runs the server, then is killed with -9
    const script = `
      import {ServiceProcesses} from ${JSON.stringify(new URL('../../../src/platform/dynos/service-processes.ts', import.meta.url).href)}
      import {accepts} from ${JSON.stringify(new URL('../../../src/platform/dynos/ports.ts', import.meta.url).href)}
      import {platformMarker} from ${JSON.stringify(new URL('../../../src/platform/dynos/processes.ts', import.meta.url).href)}
      import {detectSandbox} from ${JSON.stringify(new URL('../../../src/platform/sandbox/sandbox.ts', import.meta.url).href)}
      const dataDir = ${JSON.stringify(dataDir)}
      const s = new ServiceProcesses({dataDir, marker: platformMarker(dataDir), sandbox: await detectSandbox(), log: () => {}, backoffInitialMs: 200, backoffMaxMs: 1000, crashResetMs: 60000, baseEnv: {PATH: process.env.PATH}})
      await s.ensure({key: 'echo', label: 'echo', file: process.execPath, args: ['-e', ${JSON.stringify(SERVER)}, '${port}', dataDir + '/echo'], writable: [dataDir + '/echo'], ready: () => accepts(${port})})
      console.log('up')
      setInterval(() => {}, 1000)
    `
    const {spawn} = await import('node:child_process')
    const platform = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'inherit']})
    await new Promise<void>((resolve, reject) => {
      platform.stdout!.on('data', (d: Buffer) => d.toString().includes('up') && resolve())
      platform.once('exit', code => reject(new Error(`platform exited ${code}`)))
    })
    const server = serverPid()
    platform.kill('SIGKILL')
    await new Promise(r => platform.once('exit', r))
    // with the sandbox the server dies with its platform (--die-with-parent); without, the next
    // supervisor's start finds it by its marker and its recorded group
    killRecordedGroups(dataDir)
    killLeftovers(platformMarker(dataDir))
    await waitFor('no leftovers', () => {
      try {
        execFileSync('kill', ['-0', String(server)], {stdio: 'ignore'})
        return false
      } catch {
        return true
      }
    })
    await waitFor('the port free', async () => !(await accepts(port)))
    expect(markedProcesses(PLATFORM_MARKER_VAR, platformMarker(dataDir))).to.deep.equal([])
  })
})
