import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {configDir} from './paths.js'

/** What the CLI remembers between runs (never secrets: tokens live in the credential store). */
export interface Settings {
  /** the platform chosen with `heroku login --api-url` */
  apiUrl?: string
  /**
   * Extra certificate authorities, each trusted for one origin only (`https://127.0.0.1:5400` →
   * the local platform's DATA/tls/ca.pem): written by platform:start and login (src/lib/api/trust.ts).
   */
  trustedCAs?: Record<string, string>
}

function settingsPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'config.json')
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  try {
    const parsed: unknown = JSON.parse(readFileSync(settingsPath(env), 'utf8'))
    return parsed && typeof parsed === 'object' ? (parsed as Settings) : {}
  } catch {
    return {}
  }
}

export function writeSettings(patch: Partial<Settings>, env: NodeJS.ProcessEnv = process.env): Settings {
  const next = {...readSettings(env), ...patch}
  const path = settingsPath(env)
  mkdirSync(configDir(env), {recursive: true, mode: 0o700})
  // write-then-rename: a crash never leaves a half-written settings file
  writeFileSync(`${path}.tmp`, JSON.stringify(next, null, 2) + '\n', {mode: 0o600})
  renameSync(`${path}.tmp`, path)
  return next
}
