// Running one build step (a buildpack script, git, tar) as a child process: argument arrays only,
// its own process group so a timeout kills everything it started, output streamed as it comes.
import {spawn} from 'node:child_process'

export interface StepOptions {
  cwd?: string
  env: NodeJS.ProcessEnv
  /** receives stdout and stderr as they arrive (merged); omit to collect stdout only */
  onOutput?: (chunk: string) => void
  timeoutMs?: number
}

export interface StepResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  timedOut: boolean
}

export function runStep(command: string, args: readonly string[], options: StepOptions): Promise<StepResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true})
    let stdout = ''
    let timedOut = false
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true
      killGroup(child.pid)
    }, options.timeoutMs)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      options.onOutput?.(chunk)
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => options.onOutput?.(chunk))
    child.on('error', error => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      // whatever the step left running in its group goes with it
      killGroup(child.pid)
      resolve({code, signal, stdout, timedOut})
    })
  })
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // already gone
  }
}
