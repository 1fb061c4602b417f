// The environment of a local process: this shell's, then the .env files over it (later files
// over earlier ones), then PORT.
import {existsSync} from 'node:fs'
import {resolve} from 'node:path'

import {readEnvFile} from './env-file.js'

export const DEFAULT_ENV_FILE = '.env'

/** The vars of the env files: the ones given (each must exist), else .env when there is one. */
export function loadEnvFiles(cwd: string, files: string[] | undefined): Record<string, string> {
  const chosen = files && files.length > 0 ? files : (existsSync(resolve(cwd, DEFAULT_ENV_FILE)) ? [DEFAULT_ENV_FILE] : [])
  return Object.assign({}, ...chosen.map(f => readEnvFile(cwd, f)))
}

export function processEnv(base: NodeJS.ProcessEnv, fromFiles: Record<string, string>, port: number): NodeJS.ProcessEnv {
  return {...base, ...fromFiles, PORT: String(port)}
}
