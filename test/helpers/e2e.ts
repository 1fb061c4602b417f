import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const BIN = join(process.cwd(), 'bin', 'run.js')

export interface Invocation {
  code: number
  stderr: string
  stdout: string
}

/**
 * A user's machine for end-to-end tests: the built bin/run.js in child processes, with a home,
 * config and data dir of its own, no TTY, no stdin.
 */
export class E2eHome {
  readonly dir = mkdtempSync(join(tmpdir(), 'heroku-e2e-'))
  readonly env: NodeJS.ProcessEnv

  constructor(extra: NodeJS.ProcessEnv = {}) {
    const env: NodeJS.ProcessEnv = {...process.env}
    for (const key of ['HEROKU_API_KEY', 'HEROKU_API_URL', 'HEROKU_HOST', 'HEROKU_APP', 'HEROKU_DEBUG', 'HEROKU_GIT_HOST', 'HEROKU_PLATFORM_DATA_DIR']) delete env[key]
    this.env = {
      ...env,
      GIT_CONFIG_GLOBAL: join(this.dir, 'gitconfig'),
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: this.dir,
      NODE_ENV: 'production',
      XDG_CONFIG_HOME: join(this.dir, 'config'),
      XDG_DATA_HOME: join(this.dir, 'data'),
      ...extra,
    }
  }

  /** Runs `heroku ARGS` and resolves with its exit code and output. */
  heroku(args: string[], opts: {cwd?: string, input?: string, timeoutMs?: number} = {}): Promise<Invocation> {
    return this.exec(process.execPath, [BIN, ...args], opts)
  }

  exec(file: string, args: string[], opts: {cwd?: string, env?: NodeJS.ProcessEnv, input?: string, timeoutMs?: number} = {}): Promise<Invocation> {
    return new Promise((resolve, reject) => {
      // no stdin at all unless there is input: as in CI, and no EPIPE from a child that never reads
      const child = spawn(file, args, {cwd: opts.cwd ?? this.dir, env: {...this.env, ...opts.env}, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']})
      let stdout = ''
      let stderr = ''
      child.stdout!.on('data', d => {
        stdout += d
      })
      child.stderr!.on('data', d => {
        stderr += d
      })
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`${args.join(' ')} timed out; stderr: ${stderr}`))
      }, opts.timeoutMs ?? 30_000)
      child.once('error', reject)
      child.once('close', code => {
        clearTimeout(timer)
        resolve({code: code ?? -1, stderr, stdout})
      })
      if (opts.input !== undefined) {
        child.stdin!.on('error', () => {}) // the child may exit before reading it all
        child.stdin!.end(opts.input)
      }
    })
  }

  cleanup(): void {
    rmSync(this.dir, {force: true, recursive: true})
  }
}
