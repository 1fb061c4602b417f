// The official Heroku CLI (the npm package `heroku`, written by Heroku, not here) as a client of
// the local platform: installed once per machine into a cache outside the repository, run as a
// child process in a home of its own (never the user's ~/.netrc, ~/.config/heroku or gitconfig),
// with no TTY and CI=true; and the platform as its own process (src/platform/main.ts).
import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {Agent, fetch} from 'undici'

export const OFFICIAL_CLI_VERSION = '11.10.0'

/** $XDG_CACHE_HOME (or ~/.cache)/heroku-toolbelt-tests/official-cli-VERSION: kept between runs */
export function officialCliCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache')
  return join(base, 'heroku-toolbelt-tests', `official-cli-${OFFICIAL_CLI_VERSION}`)
}

export interface Invocation {
  code: null | number
  /** stdout then stderr, for assertions on what a user sees in a terminal */
  output: string
  stderr: string
  stdout: string
}

/** Runs a program with a hard timeout (SIGKILL to its process group), never a hang. */
export function runProgram(file: string, args: string[], options: {cwd?: string, env: NodeJS.ProcessEnv, input?: string, timeoutMs: number}): Promise<Invocation> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd, env: options.env, detached: true,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      stdout += c
    })
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      stderr += c
    })
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {}

      reject(new Error(`${file} ${args.join(' ')} did not finish within ${options.timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, options.timeoutMs)
    child.once('error', error => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', code => {
      clearTimeout(timer)
      resolve({code, stdout, stderr, output: `${stdout}${stderr}`})
    })
    if (options.input !== undefined) {
      child.stdin!.on('error', () => {})
      child.stdin!.end(options.input)
    }
  })
}

export interface InstalledCli {
  /** DIR/node_modules/.bin/heroku */
  bin: string
  binDir: string
  /** ms spent installing now; 0 when the cache already had it */
  installMs: number
}

function installedVersion(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', 'heroku', 'package.json'), 'utf8')) as {version?: string}).version
  } catch {
    return undefined
  }
}

/**
 * The official CLI from the cache, installed from the npm registry first if it is not there.
 * Installs into a directory beside the cache and renames it into place, so an interrupted
 * install never leaves a half-filled cache. Throws with npm's own words when it cannot.
 * (--ignore-scripts: the CLI needs no install script to run.)
 */
export async function installOfficialCli(timeoutMs: number): Promise<InstalledCli> {
  const dir = officialCliCacheDir()
  const binDir = join(dir, 'node_modules', '.bin')
  const bin = join(binDir, 'heroku')
  if (installedVersion(dir) === OFFICIAL_CLI_VERSION && existsSync(bin)) return {bin, binDir, installMs: 0}
  const started = Date.now()
  mkdirSync(dirname(dir), {recursive: true})
  const partial = mkdtempSync(`${dir}.partial-`)
  try {
    // bounded fetches: without a registry this fails in about a minute, not npm's default many
    const npm = await runProgram('npm', ['install', '--prefix', partial, '--no-audit', '--no-fund', '--ignore-scripts', '--no-update-notifier', '--fetch-timeout=60000', '--fetch-retries=1', `heroku@${OFFICIAL_CLI_VERSION}`], {
      cwd: partial, env: {...process.env, npm_config_loglevel: 'error'}, timeoutMs,
    })
    if (npm.code !== 0) throw new Error(`npm install heroku@${OFFICIAL_CLI_VERSION} exited ${npm.code}: ${npm.output.trim().split('\n').slice(0, 4).join(' / ')}`)
    if (installedVersion(partial) !== OFFICIAL_CLI_VERSION) throw new Error(`npm install heroku@${OFFICIAL_CLI_VERSION} left no node_modules/heroku ${OFFICIAL_CLI_VERSION}`)
    // a run beside this one may have put a good install there meanwhile (and may be using it)
    if (installedVersion(dir) !== OFFICIAL_CLI_VERSION) {
      rmSync(dir, {recursive: true, force: true})
      try {
        renameSync(partial, dir)
      } catch (error) {
        if (installedVersion(dir) !== OFFICIAL_CLI_VERSION) throw error
      }
    }
  } finally {
    rmSync(partial, {recursive: true, force: true})
  }

  if (!existsSync(bin)) throw new Error(`${bin} is missing after the install`)
  return {bin, binDir, installMs: Date.now() - started}
}

/**
 * A user's machine for the official CLI: HOME, XDG dirs and the global gitconfig all in a temp
 * dir; the environment the mocha process has for Heroku (HEROKU_API_KEY, HEROKU_APP …) dropped.
 */
export class OfficialCliHome {
  readonly dir = mkdtempSync(join(tmpdir(), 'official-cli-home-'))
  readonly env: NodeJS.ProcessEnv

  constructor(readonly cli: InstalledCli, platform: {caPath?: string, token: string, url: string}) {
    const env: NodeJS.ProcessEnv = {}
    for (const [key, value] of Object.entries(process.env)) {
      if (/^(HEROKU_|GIT_|NODE_EXTRA_CA_CERTS$|XDG_|npm_)/.test(key)) continue
      env[key] = value
    }

    writeFileSync(join(this.dir, '.gitconfig'), '[init]\n\tdefaultBranch = main\n[user]\n\tname = Test Person\n\temail = test@example.com\n[advice]\n\tdetachedHead = false\n')
    this.env = {
      ...env,
      // the official CLI's git credential helper (`!heroku git:credentials`) must find it
      PATH: `${cli.binDir}:${process.env.PATH ?? ''}`,
      HOME: this.dir,
      XDG_CONFIG_HOME: join(this.dir, '.config'),
      XDG_CACHE_HOME: join(this.dir, '.cache'),
      XDG_DATA_HOME: join(this.dir, '.local', 'share'),
      GIT_CONFIG_GLOBAL: join(this.dir, '.gitconfig'),
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
      NODE_ENV: 'production',
      CI: 'true',
      NO_COLOR: '1',
      LANG: 'C',
      HEROKU_HOST: platform.url,
      HEROKU_API_KEY: platform.token,
      // the delinquency check that goes with API requests (GET /account at "particleboard"): to the
      // platform too, or the CLI would send the local token to particleboard.heroku.com
      HEROKU_PARTICLEBOARD_URL: platform.url,
      // nothing of this run goes to Heroku: no analytics, telemetry or update checks
      HEROKU_SKIP_ANALYTICS: '1',
      DISABLE_TELEMETRY: 'true',
      HEROKU_SKIP_NEW_VERSION_CHECK: 'true',
      ...(platform.caPath ? {NODE_EXTRA_CA_CERTS: platform.caPath, GIT_SSL_CAINFO: platform.caPath} : {}),
    }
  }

  /** `heroku ARGS` of the official CLI */
  heroku(args: string[], options: {cwd?: string, timeoutMs?: number} = {}): Promise<Invocation> {
    return runProgram(this.cli.bin, args, {cwd: options.cwd ?? this.dir, env: this.env, timeoutMs: options.timeoutMs ?? 30_000})
  }

  git(args: string[], options: {cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number} = {}): Promise<Invocation> {
    return runProgram('git', args, {cwd: options.cwd ?? this.dir, env: {...this.env, ...options.env}, timeoutMs: options.timeoutMs ?? 60_000})
  }

  cleanup(): void {
    rmSync(this.dir, {recursive: true, force: true})
  }
}

/** What a user would see, without the official CLI's notices that have nothing to do with the command. */
export function withoutNotices(text: string): string {
  return text.split('\n').filter(line => !/terms of service|dashboard\.heroku\.com\/terms|HEROKU_API_KEY is set|SSL_CERT_(FILE|DIR) set|ENOENT\] Error: spawn heroku|trace-warnings/.test(line)).join('\n')
}

// --- the platform as its own process --------------------------------------------------------------

export interface PlatformState {
  [key: string]: unknown
  /** the local CA's certificate, once the platform serves HTTPS (--tls) */
  caPath?: string
  pid: number
  port: number
  routerPort: number
  url: string
}

export interface PlatformProcess {
  child: ChildProcess
  output(): string
  state: PlatformState
  stop(): Promise<void>
}

/** Whether main.ts has a --tls flag (the HTTPS work landed). */
export function platformHasTls(): boolean {
  try {
    return /['"]?\btls['"]?\s*:\s*\{\s*type\s*:/.test(readFileSync(join(process.cwd(), 'src', 'platform', 'main.ts'), 'utf8'))
  } catch {
    return false
  }
}

/** node --import tsx src/platform/main.ts --data-dir DIR --port 0 --router-port 0 [extra] */
export async function startPlatform(dataDir: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<PlatformProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), 'src', 'platform', 'main.ts'), '--data-dir', dataDir, '--port', '0', '--router-port', '0', ...extraArgs], {
    env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    output += c
  })
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    output += c
  })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  let gone = false
  void exited.then(() => {
    gone = true
  })
  const stop = async (): Promise<void> => {
    if (gone) return
    child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(killer)
  }

  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      const state = JSON.parse(readFileSync(join(dataDir, 'platform.json'), 'utf8')) as PlatformState
      if (state.pid === child.pid) return {child, state, output: () => output, stop}
    } catch {}

    if (gone) throw new Error(`the platform exited while starting:\n${output}`)
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`the platform did not start within 30 s:\n${output}`)
    }

    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<false | T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined && value !== false) return value as T
    } catch (error) {
      last = error
    }

    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)

    await new Promise(resolve => setTimeout(resolve, everyMs))
  }
}

/** The Platform API as the tests check it, trusting the platform's CA (and nothing else) under TLS. */
export class PlatformApi {
  private readonly dispatcher: Agent

  constructor(readonly url: string, private readonly token: string, caPath?: string) {
    this.dispatcher = new Agent(caPath ? {connect: {ca: readFileSync(caPath, 'utf8')}} : {})
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON of whichever endpoint was asked; the tests read its fields directly
  async request(method: string, path: string, body?: unknown): Promise<{body: any, status: number}> {
    const response = await fetch(this.url + path, {
      method, dispatcher: this.dispatcher,
      headers: {
        Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : {'Content-Type': 'application/json'}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return {status: response.status, body: (response.headers.get('content-type') ?? '').includes('json') && text !== '' ? JSON.parse(text) : text}
  }

  get(path: string) {
    return this.request('GET', path)
  }

  post(path: string, body?: unknown) {
    return this.request('POST', path, body)
  }

  close(): Promise<void> {
    return this.dispatcher.close()
  }
}
