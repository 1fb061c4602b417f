// The local platform's certificate authority, as the CLI meets it: found in the platform's state
// file (DATA/platform.json names DATA/tls/ca.pem), recorded in the settings for that platform's
// origin only (api/trust.ts), and explained to the user for the other clients they may use.
import {join} from 'node:path'

import type {PlatformProcessState} from '../../platform/process-files.js'

import {caFileFor, originOf, rememberCa} from '../api/trust.js'
import {gitCaCommand} from '../git/credential-config.js'
import {dataDir} from '../paths.js'

type Env = NodeJS.ProcessEnv

/** What a TLS platform's state file adds: its CA certificate's path and an https url. */
export type TlsPlatformState = PlatformProcessState & {caPath?: string}

/** The data dir platform:start uses when none is given (--data-dir's default). */
export function defaultPlatformDataDir(env: Env = process.env): string {
  return env.HEROKU_PLATFORM_DATA_DIR || join(dataDir(env), 'platform')
}

/** The CA file of a platform that serves HTTPS, or undefined for a plain-HTTP (older) one. */
export function platformCaPath(state: PlatformProcessState): string | undefined {
  const {caPath} = state as TlsPlatformState
  return typeof caPath === 'string' && caPath !== '' && state.url.startsWith('https:') ? caPath : undefined
}

/** Trusts a running TLS platform's CA for its own URL's origin; returns the CA path, if any. */
export function trustPlatform(state: PlatformProcessState, env: Env = process.env): string | undefined {
  const caPath = platformCaPath(state)
  if (caPath) rememberCa(state.url, caPath, env)
  return caPath
}

/**
 * `heroku login --api-url URL`: when URL is the origin of the local platform running in the
 * default data dir, trust its CA for that origin; else the CA already recorded for it, if any.
 */
export async function trustLocalPlatformAt(apiUrl: string, env: Env = process.env): Promise<string | undefined> {
  const origin = originOf(apiUrl)
  if (!origin?.startsWith('https:')) return undefined
  const {runningPlatform} = await import('./local-process.js')
  const state = runningPlatform(defaultPlatformDataDir(env))
  if (state && originOf(state.url) === origin) {
    const caPath = trustPlatform(state, env)
    if (caPath) return caPath
  }

  return caFileFor(apiUrl, env)
}

/** How to make other clients trust the platform's CA: lines to print after platform:start. */
export function trustInstructions(url: string, caPath: string, gitCa: 'set' | 'suggested'): string[] {
  return [
    `HTTPS: the platform's certificate authority is ${caPath}; this CLI trusts it for ${originOf(url)} only.`,
    `  Node clients (e.g. the official Heroku CLI): NODE_EXTRA_CA_CERTS=${caPath}`,
    `  git${gitCa === 'set' ? ' (set)' : ' (heroku login --git-setup sets it)'}: ${gitCaCommand(url, caPath)}`,
    '  The system or a browser trust store: see docs/tls.md',
  ]
}
