// Running one build step (a buildpack script, git, tar) as a child process: argument arrays only,
// its own process group so a timeout kills everything it started, output streamed as it comes.
// A tracked step carries the platform's marker and has its group recorded, as dynos do
// (dynos/processes.ts), so that a platform starting after a crash kills what a build left.
import {spawn} from 'node:child_process'
import {randomUUID} from 'node:crypto'

import {forgetGroup, PLATFORM_MARKER_VAR, recordGroup} from '../dynos/processes.js'

export interface StepOptions {
  cwd?: string
  env: NodeJS.ProcessEnv
  /** receives stdout and stderr as they arrive (merged); omit to collect stdout only */
  onOutput?: (chunk: string) => void
  timeoutMs?: number
  /** record the step like a dyno: the data dir and the platform's marker */
  track?: {dataDir: string, marker: string}
}

export interface StepResult {
  code: null | number
  signal: NodeJS.Signals | null
  stdout: string
  timedOut: boolean
}

export function runStep(command: string, args: readonly string[], options: StepOptions): Promise<StepResult> {
  return new Promise((resolve, reject) => {
    const {track} = options
    const env = track ? {...options.env, [PLATFORM_MARKER_VAR]: track.marker} : options.env
    const child = spawn(command, args, {cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true})
    const instance = `build-${randomUUID()}`
    if (track && child.pid !== undefined) recordGroup(track.dataDir, instance, child.pid)
    let stdout = ''
    let timedOut = false
    const timer = options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
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
      if (track) forgetGroup(track.dataDir, instance)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      // whatever the step left running in its group goes with it
      killGroup(child.pid)
      if (track) forgetGroup(track.dataDir, instance)
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
