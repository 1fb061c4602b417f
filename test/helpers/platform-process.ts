// The platform as its own process, the way `heroku platform:start` runs it from sources:
// node --import tsx src/platform/main.ts, ephemeral ports, a data dir of the test's choosing.
import {type ChildProcess, spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {type PlatformProcessState, stateFilePath} from '../../src/platform/process-files.js'

export const MAIN = join(process.cwd(), 'src', 'platform', 'main.ts')

export interface PlatformProcess {
  child: ChildProcess
  output(): string
  state: PlatformProcessState
  /** SIGTERM and wait for the exit code */
  stop(signal?: NodeJS.Signals): Promise<null | number>
}

export function mainArgs(dataDir: string): string[] {
  return ['--import', 'tsx', MAIN, '--data-dir', dataDir, '--port', '0', '--router-port', '0']
}

export async function startPlatformProcess(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<PlatformProcess> {
  const child = spawn(process.execPath, mainArgs(dataDir), {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  const exited = new Promise<null | number>(resolve => {
    child.once('exit', code => resolve(code))
  })
  let gone = false
  void exited.then(() => {
    gone = true
  })
  const state = await waitForState(dataDir, child.pid!, () => gone, () => output)
  return {
    child,
    state,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (!gone) child.kill(signal)
      return exited
    },
  }
}

export async function waitForState(dataDir: string, pid: number, gone: () => boolean = () => false, output: () => string = () => ''): Promise<PlatformProcessState> {
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      const state = JSON.parse(readFileSync(stateFilePath(dataDir), 'utf8')) as PlatformProcessState
      if (state.pid === pid) return state
    } catch {}

    if (gone()) throw new Error(`the platform exited while starting: ${output()}`)
    if (Date.now() > deadline) throw new Error(`the platform did not start: ${output()}`)

    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
