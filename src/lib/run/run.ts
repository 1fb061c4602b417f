// heroku run and run:detached: one-off dynos through the Platform API (POST /apps/{app}/dynos).
import type {Dyno} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {UsageError, UserError} from '../errors.js'
import {ATTACH_UPGRADE} from './attach-frames.js'
import {attach, type AttachIO} from './attach.js'
import {withExitMarker} from './exit-marker.js'

/** `K=V;K2=V2` → {K: 'V', K2: 'V2'} (what --env takes, as in Heroku's CLI). */
export function parseEnvFlag(value: string | undefined): Record<string, string> {
  const env: Record<string, string> = {}
  if (!value) return env
  for (const pair of value.split(';')) {
    if (pair.trim() === '') continue
    const eq = pair.indexOf('=')
    const key = eq === -1 ? '' : pair.slice(0, eq).trim()
    if (!/^\w+$/.test(key)) throw new UsageError(`Invalid --env entry ${JSON.stringify(pair)}: expected KEY=VALUE pairs separated by ";".`)
    env[key] = pair.slice(eq + 1)
  }

  return env
}

/**
 * The command line as one string. One argument is a shell line as is (`heroku run 'a | b'`);
 * several are each quoted for the remote shell where they need it (`heroku run echo "a b"`).
 */
export function commandLine(argv: readonly string[]): string {
  if (argv.length === 1) return argv[0]
  return argv.map(arg => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", String.raw`'\''`)}'`)).join(' ')
}

export interface RunOptions {
  api: ApiClient
  app: string
  argv: readonly string[]
  /** terminal size to pass on (COLUMNS, LINES) */
  columns?: number
  env?: string
  /** our exit code follows the remote command's (default) */
  exitCode?: boolean
  io: Omit<AttachIO, 'tty'>
  /** --no-tty, or stdin is not a terminal */
  noTty?: boolean
  out: Output
  rows?: number
  size?: string
}

export interface RunResult {
  app: string
  command: string
  dyno: string
  /** what this process should exit with */
  exitCode: number
  /** the remote command's exit status */
  status: number
}

/** Starts an attached one-off dyno and streams it; resolves when the remote command ends. */
export async function runAttached(opts: RunOptions): Promise<RunResult> {
  if (opts.argv.length === 0) throw new UsageError('Usage: heroku run COMMAND', {hint: 'e.g. heroku run bash -a my-app'})
  const command = commandLine(opts.argv)
  const tty = !opts.noTty && Boolean(opts.io.stdin.isTTY)
  const env: Record<string, string> = {...parseEnvFlag(opts.env)}
  if (tty) {
    env.TERM ??= process.env.TERM ?? 'xterm-256color'
    if (opts.columns) env.COLUMNS ??= String(opts.columns)
    if (opts.rows) env.LINES ??= String(opts.rows)
  }

  const spinner = await opts.out.spinner(`Running ${command} on ${opts.app}`)
  let dyno: Dyno
  try {
    // the status line is how any platform (Heroku's rendezvous included) can tell the exit status
    const remote = opts.exitCode === false ? command : withExitMarker(command)
    // a platform that also offers our attach protocol (resize, signals, an exit status of its own)
    // answers with its URL when asked; others (Heroku) ignore the header and answer rendezvous://
    dyno = await opts.api.post<Dyno>(paths.app(opts.app).dyno(), {command: remote, attach: true, env, force_no_tty: !tty, ...(opts.size ? {size: opts.size} : {})}, {headers: {'Attach-Upgrade': ATTACH_UPGRADE}})
  } catch (error) {
    spinner.fail()
    throw error
  }

  if (!dyno.attach_url) {
    spinner.fail()
    throw new UserError(`The platform started ${dyno.name ?? 'the dyno'} without an attach URL.`, {hint: 'Use heroku run:detached and heroku logs instead.'})
  }

  spinner.succeed(`up, ${dyno.name}`)
  const status = await attach(dyno.attach_url, {...opts.io, tty})
  if (status === undefined && opts.exitCode !== false) throw new UserError('The command ended without reporting its exit status.', {hint: 'Pass --no-exit-code to ignore it.'})
  return {app: opts.app, dyno: dyno.name ?? '', command, status: status ?? 0, exitCode: opts.exitCode === false ? 0 : status ?? 0}
}

export interface RunDetachedOptions {
  api: ApiClient
  app: string
  argv: readonly string[]
  env?: string
  out: Output
  size?: string
}

/** Starts a detached one-off dyno: its output goes to the logs. */
export async function runDetached(opts: RunDetachedOptions): Promise<Dyno> {
  if (opts.argv.length === 0) throw new UsageError('Usage: heroku run:detached COMMAND', {hint: 'e.g. heroku run:detached node scripts/migrate.js -a my-app'})
  const command = commandLine(opts.argv)
  const spinner = await opts.out.spinner(`Running ${command} on ${opts.app}`)
  let dyno: Dyno
  try {
    dyno = await opts.api.post<Dyno>(paths.app(opts.app).dyno(), {command, attach: false, env: parseEnvFlag(opts.env), ...(opts.size ? {size: opts.size} : {})})
  } catch (error) {
    spinner.fail()
    throw error
  }

  spinner.succeed(`up, ${dyno.name}`)
  opts.out.log(dyno.name ?? '')
  opts.out.info(`Run heroku logs --app ${opts.app} --dyno ${dyno.name} to view the output.`)
  return dyno
}
