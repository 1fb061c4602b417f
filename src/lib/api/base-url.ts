import type {Settings} from '../settings.js'

import {UsageError} from '../errors.js'

export const DEFAULT_API_URL = 'https://api.heroku.com'

const API_URL_HINT = 'Give the platform\'s base URL, e.g. https://api.heroku.com or https://127.0.0.1:5400 (heroku platform:status shows the local one).'

/**
 * Which platform the CLI talks to: HEROKU_API_URL, else HEROKU_HOST (a host name, as the Heroku
 * CLI reads it, becomes https://api.HOST; a full URL is used as is), else the URL saved by
 * `heroku login --api-url`, else Heroku itself.
 */
export function resolveApiUrl(env: NodeJS.ProcessEnv, settings: Settings): string {
  if (env.HEROKU_API_URL) return normaliseApiUrl(env.HEROKU_API_URL, 'HEROKU_API_URL')
  if (env.HEROKU_HOST) {
    const host = env.HEROKU_HOST
    return normaliseApiUrl(/^https?:\/\//i.test(host) ? host : `https://api.${host}`, 'HEROKU_HOST')
  }

  if (settings.apiUrl) return normaliseApiUrl(settings.apiUrl, 'the saved API URL')
  return DEFAULT_API_URL
}

/** Validates a base URL and drops a trailing slash; `source` names where it came from for the error. */
export function normaliseApiUrl(raw: string, source = 'the API URL'): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UsageError(`${source} is not a URL: ${raw}`, {hint: API_URL_HINT})
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source} must be an http:// or https:// URL: ${raw}`, {hint: API_URL_HINT})
  }

  return url.toString().replace(/\/+$/, '')
}

/** The key credentials are stored under: host[:port] of the API URL. */
export function apiHostKey(apiUrl: string): string {
  return new URL(apiUrl).host
}
