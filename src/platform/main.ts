// Runs the local platform in the foreground:
//   node dist/platform/main.js --data-dir DIR [--port 5400] [--router-port 5000] [--host 127.0.0.1] [--tls] [--attached]
// Writes DIR/platform.pid (the pid) and DIR/platform.json ({pid, url, port, routerPort, host,
// startedAt, processStart, tls, caPath}) once listening; removes both and exits 0 on SIGTERM/SIGINT after
// closing cleanly. --attached (platform:start in the foreground): stdin is a pipe from the CLI,
// and its end — the CLI gone, even by kill -9 — stops the platform the same way.
// --tls: the API/git port speaks HTTPS (url is https://…) and the router HTTPS beside HTTP, with
// certificates from the local CA whose certificate caPath names (DATA/tls/ca.pem, made at the
// first start with --tls; see docs/tls.md). Off unless given.
import {readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {parseArgs} from 'node:util'

import {PLATFORM_UMASK, tightenDataDir} from './data-dir.js'
import {DEFAULT_API_PORT, DEFAULT_ROUTER_PORT, isRecordedPlatform, pidFilePath, type PlatformProcessState, stateFilePath} from './process-files.js'
import {processStartTime} from './process-identity.js'
import {startPlatform} from './server.js'

/** Readers (the CLI) never see a half-written file: write aside, then rename over. */
function writeFileAtomically(path: string, content: string): void {
  const partial = `${path}.${process.pid}.partial`
  writeFileSync(partial, content, {mode: 0o600})
  renameSync(partial, path)
}

function port(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new Error(`${flag} must be a port number (0–65535), not ${value}`)
  return n
}

/** The platform process the files of the data dir name, if it still runs (not this one). */
function alreadyRunning(pidFile: string, stateFile: string): number | undefined {
  let recorded: Pick<PlatformProcessState, 'pid' | 'processStart'> | undefined
  try {
    recorded = JSON.parse(readFileSync(stateFile, 'utf8')) as PlatformProcessState
  } catch {
    // no state (or half of one): the pid file alone, checked by command line
    try {
      recorded = {pid: Number(readFileSync(pidFile, 'utf8').trim())}
    } catch {
      return undefined
    }
  }

  return recorded.pid !== process.pid && isRecordedPlatform(recorded) ? recorded.pid : undefined
}

async function main(): Promise<void> {
  // what the platform and everything it spawns create is the platform user's alone (data-dir.ts)
  process.umask(PLATFORM_UMASK)
  const {values} = parseArgs({
    options: {
      'data-dir': {type: 'string'},
      port: {type: 'string'},
      'router-port': {type: 'string'},
      host: {type: 'string'},
      attached: {type: 'boolean'},
      tls: {type: 'boolean'},
    },
    strict: true,
  })
  const dataDir = values['data-dir']
  if (!dataDir) throw new Error('--data-dir is required')
  const pidFile = pidFilePath(dataDir)
  const stateFile = stateFilePath(dataDir)
  const running = alreadyRunning(pidFile, stateFile)
  if (running !== undefined) throw new Error(`The platform is already running for ${dataDir} (pid ${running}).`)

  const log = (line: string): void => {
    process.stdout.write(`${new Date().toISOString()} ${line}\n`)
  }

  const {tightened} = tightenDataDir(dataDir)
  if (tightened > 0) log(`data dir ${dataDir}: took group and other permissions off ${tightened} entries`)
  const host = values.host ?? '127.0.0.1'
  const routerPort = port(values['router-port'], DEFAULT_ROUTER_PORT, '--router-port')
  const tls = values.tls === true
  const platform = await startPlatform({host, port: port(values.port, DEFAULT_API_PORT, '--port'), routerPort, dataDir, log, tls})
  // the router's real port (--router-port 0 picks a free one)
  const state: PlatformProcessState = {
    pid: process.pid, url: platform.url, port: platform.port, routerPort: platform.routerPort ?? routerPort, host,
    startedAt: new Date().toISOString(), processStart: processStartTime(process.pid), sandbox: platform.sandbox,
    tls, ...(platform.caPath ? {caPath: platform.caPath} : {}),
  }
  writeFileAtomically(pidFile, `${process.pid}\n`)
  writeFileAtomically(stateFile, `${JSON.stringify(state, null, 2)}\n`)

  let stopping = false
  const stop = (why: string): void => {
    if (stopping) return
    stopping = true
    log(`${why}, stopping`)
    platform.close().then(() => {
      rmSync(pidFile, {force: true})
      rmSync(stateFile, {force: true})
      log('stopped')
      // eslint-disable-next-line unicorn/no-process-exit -- the platform's own process, after a graceful close() and the pid/state files removed: end now, though handles such as the --attached stdin pipe are still open
      process.exit(0)
    }, error => {
      log(`stopping failed: ${(error as Error).stack ?? String(error)}`)
      // eslint-disable-next-line unicorn/no-process-exit -- close() failed: the platform's own process ends with status 1 (the log has why) rather than linger half-closed
      process.exit(1)
    })
  }

  process.on('SIGTERM', () => stop('SIGTERM received'))
  process.on('SIGINT', () => stop('SIGINT received'))
  if (values.attached) {
    // nothing is ever written to it: its end is the CLI's exit
    const orphaned = (): void => stop('the CLI that started the platform exited')
    process.stdin.on('data', () => {}).once('end', orphaned).once('error', orphaned)
  }
}

try {
  await main()
} catch (error) {
  process.stderr.write(`platform: ${(error as Error).message}\n`)
  // eslint-disable-next-line unicorn/no-process-exit -- startup failed: status 1 for the CLI that started this process, even if something main() opened before failing is still open
  process.exit(1)
}
