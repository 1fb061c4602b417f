import {ExitCode, UserError} from '../errors.js'

export interface ApiErrorDetails {
  /** the server's error id, e.g. not_found, invalid_params */
  id: string
  message: string
  method: string
  requestId?: string
  /** which resource a 404 was about, when the server says (Heroku does) */
  resource?: string
  status: number
  url: string
}

/** An error answer from the Platform API, with what the user needs to act on it. */
export class ApiError extends UserError {
  readonly status: number
  readonly id: string
  readonly requestId?: string
  readonly method: string
  readonly url: string
  readonly resource?: string

  constructor(d: ApiErrorDetails) {
    super(d.message, {hint: hintFor(d), exitCode: d.status === 401 ? ExitCode.auth : ExitCode.error, code: d.id})
    this.name = 'ApiError'
    this.status = d.status
    this.id = d.id
    this.requestId = d.requestId
    this.method = d.method
    this.url = d.url
    this.resource = d.resource
  }
}

/** The request never got an HTTP answer: refused, timed out, DNS, TLS. */
export class NetworkError extends UserError {
  readonly url: string

  constructor(method: string, url: string, reason: string, cause?: unknown, hint?: string) {
    super(`Could not reach ${new URL(url).origin} (${method} ${new URL(url).pathname}): ${reason}`, {
      hint: hint ?? 'Check the API URL (HEROKU_API_URL, or heroku login --api-url) and that the platform is running.',
      code: 'network_error',
      cause,
    })
    this.name = 'NetworkError'
    this.url = url
  }
}

function hintFor(d: ApiErrorDetails): string | undefined {
  switch (d.status) {
    case 401: {
      return 'Run heroku login (or set HEROKU_API_KEY) to log in again.'
    }

    case 403: {
      return 'Your account lacks permission for this. Check the app name and your access.'
    }

    case 404: {
      // Heroku names the resource; without that, only a request for the app itself is about the app
      const app = appNameIn(d.url)
      if (app && (d.resource === 'app' || (d.resource === undefined && isAppUrl(d.url)))) {
        return `No app ${app}, or you have no access to it. List yours with heroku apps.`
      }

      return undefined
    }

    case 429: {
      return 'Too many requests for now: wait a minute and try again.'
    }

    default: {
      return d.status >= 500 ? 'The platform failed to answer: try again, and quote the request id if it persists.' : undefined
    }
  }
}

function isAppUrl(url: string): boolean {
  return /^\/apps\/[^/?]+\/?$/.test(new URL(url).pathname)
}

function appNameIn(url: string): string | undefined {
  const match = /^\/apps\/([^/?]+)/.exec(new URL(url).pathname)
  return match ? decodeURIComponent(match[1]) : undefined
}
