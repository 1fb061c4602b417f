import {spawn} from 'node:child_process'
import {access} from 'node:fs/promises'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {UsageError, UserError} from '../errors.js'
import {childEnv, parsePgUrl} from './connection.js'
import {resolveDatabase} from './resolve.js'

export interface PsqlOptions {
  api: ApiClient
  app: string
  command?: string
  database?: string
  env?: NodeJS.ProcessEnv
  file?: string
  out: Output
  /** psql's stdio; the terminal's by default */
  stdio?: 'inherit' | 'pipe'
}

export interface PsqlResult {
  addon: string
  attachment: string
  /** what it printed, when its output was captured (--json) */
  output?: string
  /** psql's exit status */
  status: number
}

/** A program found on PATH, or undefined. */
export async function findOnPath(program: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(':').filter(Boolean)) {
    const candidate = `${dir}/${program}`
    try {
      await access(candidate, 1)
      return candidate
    } catch {}
  }

  return undefined
}

export const PSQL_MISSING_HINT = 'Install the PostgreSQL client: apt-get install postgresql-client (Debian, Ubuntu), brew install libpq (macOS).'

/**
 * pg:psql: Debian's `psql` on the add-on's database. The URL reaches psql through libpq's
 * environment (PGPASSWORD …), never its command line; -c and -f are passed to psql as they are.
 */
export async function runPsql(opts: PsqlOptions): Promise<PsqlResult> {
  if (opts.command !== undefined && opts.file !== undefined) throw new UsageError('Pass -c SQL or -f FILE, not both.')
  const env = opts.env ?? process.env
  const psql = await findOnPath('psql', env)
  if (psql === undefined) throw new UserError('psql is not installed (pg:psql runs it on the add-on\'s database).', {hint: PSQL_MISSING_HINT, code: 'psql_missing'})
  const db = await resolveDatabase({api: opts.api, app: opts.app, database: opts.database, service: 'heroku-postgresql', defaultAttachment: 'DATABASE'})
  const params = parsePgUrl(db.url)
  const args = ['--no-psqlrc', '--set', 'ON_ERROR_STOP=1']
  if (opts.command !== undefined) args.push('--command', opts.command)
  if (opts.file !== undefined) args.push('--file', opts.file)
  const interactive = opts.command === undefined && opts.file === undefined
  if (interactive) opts.out.info(`--> Connecting to ${db.addon.name}`)
  const capture = opts.stdio === 'pipe' || opts.out.json
  const child = spawn(psql, args, {
    env: childEnv(env, params, 'heroku-toolbelt psql'),
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
  })
  let output = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  const status = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
  })
  if (status !== 0) throw new UserError(`psql exited with status ${status}.`, {code: 'psql_failed'})
  return {addon: db.addon.name, attachment: db.attachment, status, ...(capture ? {output} : {})}
}
