import {execFile} from 'node:child_process'

import {UserError} from '../errors.js'

/** Runs git with an argument array (never a shell string); resolves stdout. */
export function runGit(args: string[], opts: {cwd?: string, env?: NodeJS.ProcessEnv, input?: string} = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', args, {cwd: opts.cwd, env: opts.env, maxBuffer: 16 * 1024 * 1024}, (error, stdout, stderr) => {
      if (error) {
        const {code} = (error as NodeJS.ErrnoException)
        if (code === 'ENOENT') {
          reject(new UserError('git is not installed or not on PATH.', {hint: 'Install git, then try again.'}))
          return
        }

        reject(Object.assign(error, {stderr: String(stderr)}))
        return
      }

      resolve(String(stdout))
    })
    if (opts.input !== undefined) child.stdin?.end(opts.input)
  })
}
