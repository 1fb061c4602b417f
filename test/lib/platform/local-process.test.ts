// The platform's process as the CLI sees it: a foreground platform dies with the CLI that started
// it (kill -9 included), and a pid file naming a zombie or another program blocks no start.
import {expect} from 'chai'
import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {runningPlatform} from '../../../src/lib/platform/local-process.js'
import {pidFilePath, type PlatformProcessState, stateFilePath} from '../../../src/platform/process-files.js'
import {isLive, processStartTime} from '../../../src/platform/process-identity.js'
import {mainArgs, startPlatformProcess} from '../../helpers/platform-process.js'

const FOREGROUND = fileURLToPath(new URL('fixtures/foreground.ts', import.meta.url))

async function waitFor<T>(what: string, probe: () => false | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)

    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

const procState = (pid: number): string | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    return stat.slice(stat.lastIndexOf(')') + 2)[0]
  } catch {
    return undefined
  }
}

/** What main.ts writes, naming `pid`. */
function writeProcessFiles(dataDir: string, pid: number, processStart?: string): void {
  const state: PlatformProcessState = {pid, url: 'http://127.0.0.1:1', port: 1, routerPort: 2, host: '127.0.0.1', startedAt: new Date().toISOString(), processStart}
  writeFileSync(pidFilePath(dataDir), `${pid}\n`)
  writeFileSync(stateFilePath(dataDir), JSON.stringify(state))
}

describe('the local platform process', function () {
  this.timeout(60_000)
  const children: ChildProcess[] = []
  const dirs: string[] = []
  const dataDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'platform-process-'))
    dirs.push(dir)
    return dir
  }

  after(() => {
    for (const child of children) child.kill('SIGKILL')
    for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
  })

  /** a child of a `sleep` that never reaps it: dead, but its pid stays taken */
  async function zombie(): Promise<number> {
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 60'], {stdio: ['ignore', 'pipe', 'ignore']})
    children.push(parent)
    let out = ''
    parent.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
    })
    const pid = await waitFor('the pid', () => (out.includes('\n') ? Number(out.trim()) : undefined))
    await waitFor('a zombie', () => procState(pid) === 'Z')
    return pid
  }

  function sleeper(): number {
    const child = spawn('sleep', ['60'], {stdio: 'ignore'})
    children.push(child)
    return child.pid!
  }

  it('files naming a zombie are no running platform: the CLI does not see one, the platform starts', async () => {
    const dir = dataDir()
    const pid = await zombie()
    writeProcessFiles(dir, pid, processStartTime(pid))
    expect(runningPlatform(dir)).to.equal(undefined)
    const platform = await startPlatformProcess(dir)
    expect(platform.state.pid).to.equal(platform.child.pid)
    expect(await platform.stop()).to.equal(0)
  })

  it('files naming a pid that is now another program\'s are no running platform, with or without a recorded start time', async () => {
    const pid = sleeper()
    await waitFor('sleep running', () => procState(pid) !== undefined)
    const start = processStartTime(pid)!
    for (const recorded of [String(Number(start) - 1), undefined]) {
      const dir = dataDir()
      writeProcessFiles(dir, pid, recorded)
      expect(runningPlatform(dir), `recorded start ${recorded}`).to.equal(undefined)

      const platform = await startPlatformProcess(dir)

      expect(await platform.stop()).to.equal(0)
    }

    expect(isLive(pid)).to.equal(true) // and nobody touched it
  })

  it('a platform that does run is found, and a second one on its data dir refuses to start', async () => {
    const dir = dataDir()
    const platform = await startPlatformProcess(dir)
    try {
      expect(platform.state.processStart).to.equal(processStartTime(platform.child.pid!))
      expect(runningPlatform(dir)?.pid).to.equal(platform.child.pid)
      const second = spawn(process.execPath, mainArgs(dir), {stdio: ['ignore', 'ignore', 'pipe']})
      let stderr = ''
      second.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk
      })
      const code = await new Promise(resolve => second.once('exit', resolve))
      expect(code).to.equal(1)
      expect(stderr).to.contain(`The platform is already running for ${dir} (pid ${platform.child.pid}).`)
    } finally {
      await platform.stop()
    }
  })

  it('kill -9 of a foreground platform:start stops its platform too (cleanly: the pid files go)', async () => {
    const dir = dataDir()
    const cli = spawn(process.execPath, ['--import', 'tsx', FOREGROUND, dir], {stdio: ['ignore', 'pipe', 'pipe']})
    children.push(cli)
    let out = ''
    cli.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
    })
    cli.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
    })
    // the platform's own log lines come out here too; the fixture's is the JSON one
    const stateLine = () => out.split('\n').find(line => line.startsWith('{"pid"'))
    const state = JSON.parse(await waitFor('the platform listening', stateLine, 30_000)) as PlatformProcessState
    expect(isLive(state.pid)).to.equal(true)
    cli.kill('SIGKILL')
    try {
      await waitFor('the platform gone', () => !isLive(state.pid), 15_000)
    } finally {
      if (isLive(state.pid)) process.kill(state.pid, 'SIGKILL')
    }

    expect(existsSync(pidFilePath(dir))).to.equal(false)
    expect(existsSync(stateFilePath(dir))).to.equal(false)
  })
})
