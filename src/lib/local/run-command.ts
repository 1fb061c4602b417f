// `heroku local:run CMD…`: one command with the env heroku local gives its processes, attached
// to this terminal; its exit code becomes ours.
import {spawn} from 'node:child_process'
import {constants} from 'node:os'

import {UsageError, UserError} from '../errors.js'
import {loadEnvFiles, processEnv} from './env.js'
import {DEFAULT_PORT} from './formation.js'

export interface RunCommandOptions {
  /** one word is a shell line (`'echo $PORT'`); several are a program and its arguments, as typed */
  argv: string[]
  cwd: string
  env: NodeJS.ProcessEnv
  envFiles?: string[]
  /** --json: stdout carries our result only, so the command's stdout goes to stderr */
  json?: boolean
  port?: number
  signals?: NodeJS.EventEmitter
  /** stdin is a terminal: Ctrl-C reaches the command from it, not from us */
  stdinIsTTY: boolean
}

export interface RunCommandResult {
  command: string[]
  exit_code: number
  signal?: string
}

export async function runLocalCommand(opts: RunCommandOptions): Promise<RunCommandResult> {
  if (opts.argv.length === 0) throw new UsageError('Give the command to run.', {hint: 'e.g. heroku local:run npm test'})
  const fromFiles = loadEnvFiles(opts.cwd, opts.envFiles)
  const port = opts.port ?? (fromFiles.PORT && /^\d+$/.test(fromFiles.PORT) ? Number(fromFiles.PORT) : DEFAULT_PORT)
  const [file, args] = opts.argv.length === 1 ? ['/bin/sh', ['-c', opts.argv[0]]] : [opts.argv[0], opts.argv.slice(1)]
  const child = spawn(file, args, {cwd: opts.cwd, env: processEnv(opts.env, fromFiles, port), stdio: ['inherit', opts.json ? process.stderr : 'inherit', 'inherit']})
  const signals = opts.signals ?? process
  const forwarded = (opts.stdinIsTTY ? ['SIGTERM', 'SIGHUP'] : ['SIGINT', 'SIGTERM', 'SIGHUP']) as NodeJS.Signals[]
  // Ctrl-C on a terminal reaches the command by itself; heroku local:run only waits for it
  const handlers = [...new Set<NodeJS.Signals>([...forwarded, 'SIGINT'])].map(s => [s, () => {
    if (forwarded.includes(s)) child.kill(s)
  }] as const)
  for (const [s, h] of handlers) signals.on(s, h)
  try {
    return await new Promise<RunCommandResult>((resolve, reject) => {
      child.once('error', error => {
        const {code} = (error as NodeJS.ErrnoException)
        reject(code === 'ENOENT' ? new UserError(`${file}: command not found.`, {exitCode: 127}) : new UserError(`Cannot run ${file}: ${error.message}`))
      })
      child.once('exit', (code, signal) => resolve({
        command: opts.argv, exit_code: code ?? 128 + constants.signals[signal!], signal: signal ?? undefined,
      }))
    })
  } finally {
    for (const [s, h] of handlers) signals.off(s, h)
  }
}
