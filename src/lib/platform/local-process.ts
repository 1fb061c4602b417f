import {spawn} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, openSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {isRecordedPlatform, type PlatformProcessState, stateFilePath} from '../../platform/process-files.js'
import {isLive} from '../../platform/process-identity.js'
import {UserError} from '../errors.js'

export interface PlatformStartOptions {
  dataDir: string
  host: string
  port: number
  routerPort: number
}

/**
 * The router's address (APP.localhost:PORT for one app): https for a TLS platform, which serves
 * plain HTTP on the same port too; http for an older one.
 */
export function routerUrl(state: Pick<PlatformProcessState, 'routerPort' | 'url'>, app?: string): string {
  const scheme = state.url.startsWith('https:') ? 'https' : 'http'
  return `${scheme}://${app ? `${app}.` : ''}localhost:${state.routerPort}/`
}

/** Where a detached platform writes its output. */
export const logFilePath = (dataDir: string): string => join(dataDir, 'platform.log')

/**
 * The running platform of a data dir, or undefined if none runs: stale files are ignored, as are
 * files naming a pid that is now a zombie or another program (process-identity.ts).
 */
export function runningPlatform(dataDir: string): PlatformProcessState | undefined {
  let state: PlatformProcessState
  try {
    state = JSON.parse(readFileSync(stateFilePath(dataDir), 'utf8')) as PlatformProcessState
  } catch {
    return undefined
  }

  return isRecordedPlatform(state) ? state : undefined
}

/**
 * How to run src/platform/main: the compiled file next to this one, or the TypeScript source
 * through tsx when the CLI itself runs from sources (bin/dev.js).
 */
function mainCommand(): string[] {
  const here = fileURLToPath(import.meta.url)
  if (here.endsWith('.ts')) return ['--import', 'tsx', join(here, '..', '..', '..', 'platform', 'main.ts')]
  return [join(here, '..', '..', '..', 'platform', 'main.js')]
}

/** HTTPS on the API/git port (and beside HTTP on the router), certificates from the platform's own CA. */
function mainArgs(opts: PlatformStartOptions): string[] {
  return [...mainCommand(), '--data-dir', opts.dataDir, '--host', opts.host, '--port', String(opts.port), '--router-port', String(opts.routerPort), '--tls']
}

/**
 * Runs the platform attached to this terminal until it stops (Ctrl-C stops both). Its stdin is a
 * pipe from here: when this process ends, even by kill -9, the platform sees the pipe close and
 * stops too (--attached) instead of running on, orphaned.
 */
export function runInForeground(opts: PlatformStartOptions, onReady: (state: PlatformProcessState) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...mainArgs(opts), '--attached'], {stdio: ['pipe', 'inherit', 'inherit']})
    child.stdin!.on('error', () => {}) // never written to; only its end matters
    const ready = waitForState(opts.dataDir, child.pid!, 30_000)
    ready.then(onReady, () => {})
    // the platform stops cleanly on SIGINT/SIGTERM; the CLI passes them on (a Ctrl-C at a
    // terminal reaches both, a kill only the CLI) and waits for it to finish
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal)
    const onInt = forward('SIGINT')
    const onTerm = forward('SIGTERM')
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
    child.once('error', reject)
    child.once('exit', code => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      resolve(code ?? 1)
    })
  })
}

/** Starts the platform in the background and waits until it listens. */
export async function startDetached(opts: PlatformStartOptions): Promise<PlatformProcessState> {
  mkdirSync(opts.dataDir, {mode: 0o700, recursive: true})
  const logFile = logFilePath(opts.dataDir)
  const fd = openSync(logFile, 'a', 0o600)
  const child = spawn(process.execPath, mainArgs(opts), {detached: true, stdio: ['ignore', fd, fd]})
  closeSync(fd)
  let exited: null | number | undefined
  child.once('exit', code => {
    exited = code
  })
  child.unref()
  try {
    return await waitForState(opts.dataDir, child.pid!, 30_000, () => exited !== undefined)
  } catch (error) {
    const tail = readTail(logFile)
    throw new UserError(`The platform did not start${exited === undefined ? '' : ` (exit ${exited})`}: ${(error as Error).message}`, {
      hint: tail ? `Its log (${logFile}) ends with:\n${tail}` : `See ${logFile}.`,
    })
  }
}

/** SIGTERM, wait for a clean stop, SIGKILL after the grace period. */
export async function stopPlatform(state: PlatformProcessState, graceMs = 20_000): Promise<'killed' | 'stopped'> {
  try {
    process.kill(state.pid, 'SIGTERM')
  } catch {
    return 'stopped'
  }

  const deadline = Date.now() + graceMs
  while (Date.now() < deadline) {
    if (!isRecordedPlatform(state)) return 'stopped'

    await sleep(50)
  }

  // never a pid that has meanwhile become another process's
  if (!isRecordedPlatform(state)) return 'stopped'
  process.kill(state.pid, 'SIGKILL')
  return 'killed'
}

async function waitForState(dataDir: string, pid: number, timeoutMs: number, gaveUp: () => boolean = () => false): Promise<PlatformProcessState> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const state = runningPlatform(dataDir)
    if (state?.pid === pid) return state
    if (gaveUp() || !isLive(pid)) throw new Error('it exited while starting')

    await sleep(50)
  }

  throw new Error(`it did not listen within ${timeoutMs / 1000} s`)
}

function readTail(path: string, lines = 8): string {
  if (!existsSync(path)) return ''
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
}

const sleep = (ms: number) => new Promise<void>(resolve => {
  setTimeout(resolve, ms)
})
