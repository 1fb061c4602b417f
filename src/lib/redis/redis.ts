import {spawn} from 'node:child_process'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {UserError} from '../errors.js'
import {findOnPath} from '../pg/psql.js'
import {resolveDatabase, type ResolvedDatabase} from '../pg/resolve.js'
import {parseInfo, parseRedisUrl, redisCommands} from './connection.js'

export interface RedisOptions {
  api: ApiClient
  app: string
  /** attachment (REDIS, HEROKU_REDIS_BLUE) or add-on name; REDIS by default */
  database?: string
  out: Output
}

export const resolveRedis = (opts: RedisOptions): Promise<ResolvedDatabase> =>
  resolveDatabase({api: opts.api, app: opts.app, database: opts.database, service: 'heroku-redis', defaultAttachment: 'REDIS'})

export interface RedisCliResult {
  addon: string
  attachment: string
  output?: string
  status: number
}

/**
 * redis:cli: Debian's redis-cli on the add-on. The password travels in REDISCLI_AUTH, never on its
 * command line; -c COMMAND is fed to redis-cli's stdin, which parses quotes as its prompt does.
 */
export async function redisCli(opts: RedisOptions & {command?: string, env?: NodeJS.ProcessEnv}): Promise<RedisCliResult> {
  const env = opts.env ?? process.env
  const cli = await findOnPath('redis-cli', env)
  if (cli === undefined) throw new UserError('redis-cli is not installed (redis:cli runs it on the add-on).', {hint: 'Install it: apt-get install redis-tools (Debian, Ubuntu), brew install redis (macOS).', code: 'redis_cli_missing'})
  const db = await resolveRedis(opts)
  const p = parseRedisUrl(db.url)
  const args = ['-h', p.host, '-p', String(p.port)]
  if (p.user && p.user !== 'default' && p.user !== 'h') args.push('--user', p.user)
  if (p.db !== undefined) args.push('-n', String(p.db))
  if (p.tls) args.push('--tls', '--insecure')
  const childEnv: NodeJS.ProcessEnv = {...env, REDISCLI_AUTH: p.password ?? ''}
  if (p.password === undefined) delete childEnv.REDISCLI_AUTH
  if (opts.command === undefined) {
    opts.out.info(`Connecting to ${db.addon.name} (${db.configVar}):`)
    const status = await exit(spawn(cli, args, {env: childEnv, stdio: 'inherit'}))
    if (status !== 0) throw new UserError(`redis-cli exited with status ${status}.`, {code: 'redis_cli_failed'})
    return {addon: db.addon.name, attachment: db.attachment, status}
  }

  const child = spawn(cli, args, {env: childEnv, stdio: ['pipe', 'pipe', 'pipe']})
  let output = ''
  let errors = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk
  })
  child.stdin!.on('error', () => {})
  child.stdin!.end(`${opts.command}\n`)
  const status = await exit(child)
  if (errors) opts.out.info(errors.trimEnd())
  opts.out.log(output.replace(/\n$/, ''))
  // redis-cli exits 0 after an error reply read from stdin: an ERR line is still a failure
  if (status !== 0 || /^(ERR|WRONGTYPE|NOAUTH|NOPERM)\b/m.test(output)) throw new UserError(`Redis refused the command: ${(output || errors).trim().split('\n')[0]}`, {code: 'redis_error'})
  return {addon: db.addon.name, attachment: db.attachment, status, output}
}

function exit(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
  })
}

export interface RedisInfo {
  addon: string
  attachment: string
  config_var: string
  connected_clients?: number
  created_at?: string
  error?: string
  keys?: number
  maxmemory?: string
  maxmemory_policy?: string
  plan: string
  status: string
  used_memory?: string
  version?: string
}

/** redis:info: the add-on from the API, the figures from the server's INFO. */
export async function redisInfo(opts: RedisOptions): Promise<RedisInfo> {
  const db = await resolveRedis(opts)
  const p = parseRedisUrl(db.url)
  const result: RedisInfo = {
    addon: db.addon.name, attachment: db.attachment, config_var: db.configVar, plan: db.addon.plan?.name ?? '', status: db.addon.state ?? 'unknown', created_at: db.addon.created_at,
  }
  try {
    const auth = p.password === undefined ? [] : [p.user && p.user !== 'h' ? ['AUTH', p.user, p.password] : ['AUTH', p.password]]
    const select = p.db === undefined ? [] : [['SELECT', String(p.db)]]
    const replies = await redisCommands(p, [...auth, ...select, ['INFO'], ['DBSIZE']])
    const failed = replies.find(r => r instanceof Error) as Error | undefined
    if (failed) throw new UserError(`Redis refused: ${failed.message}`)
    const info = parseInfo(String(replies.at(-2)))
    Object.assign(result, {
      version: info.redis_version,
      used_memory: info.used_memory_human,
      maxmemory: info.maxmemory === '0' ? 'unlimited' : info.maxmemory_human,
      maxmemory_policy: info.maxmemory_policy,
      connected_clients: info.connected_clients === undefined ? undefined : Number(info.connected_clients),
      keys: Number(replies.at(-1)),
    })
  } catch (error) {
    result.error = (error as Error).message
    opts.out.warn(result.error)
  }

  opts.out.heading(`${db.addon.name} (${db.configVar})`)
  opts.out.keyValues([
    ['Plan', result.plan.split(':')[1] ?? result.plan],
    ['Status', result.status === 'provisioned' ? 'available' : result.status],
    ['Created', result.created_at],
    ['Version', result.version],
    ['Memory', result.used_memory === undefined ? undefined : `${result.used_memory} used of ${result.maxmemory}`],
    ['Maxmemory policy', result.maxmemory_policy],
    ['Clients', result.connected_clients],
    ['Keys', result.keys],
  ])
  return result
}

export interface RedisCredentials {
  addon: string
  attachment: string
  url: string
}

/** redis:credentials: the URL; --reset only where the platform can reset (neither the local one nor, through this toolbelt, Heroku yet). */
export async function redisCredentials(opts: RedisOptions & {reset?: boolean}): Promise<RedisCredentials> {
  const db = await resolveRedis(opts)
  if (opts.reset) {
    throw new UserError(`Resetting the credentials of ${db.addon.name} is not supported: Heroku resets them through its Redis API, which this toolbelt does not speak yet, and the local platform keeps one password per add-on for its lifetime.`, {
      hint: `To get a new password, create a new add-on (heroku addons:create heroku-redis -a ${opts.app}) and destroy this one.`,
      code: 'unsupported',
    })
  }

  opts.out.log(db.url)
  return {addon: db.addon.name, attachment: db.attachment, url: db.url}
}
