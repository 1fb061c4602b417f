import {setTimeout as realSleep} from 'node:timers/promises'

import {UserError} from '../errors.js'
import {ApiError, NetworkError} from './api-error.js'
import {httpRequest, type HttpResponse, isTransientNetworkError} from './http.js'
import {certificateAuthoritiesFor, isCertificateError} from './trust.js'

export type HttpMethod = 'DELETE' | 'GET' | 'HEAD' | 'PATCH' | 'POST' | 'PUT'

export interface ApiClientOptions {
  /** first backoff delay; doubles each retry, with jitter, capped at maxBackoffMs */
  backoffMs?: number
  /** e.g. https://api.heroku.com, without a trailing slash */
  baseUrl: string
  /**
   * The certificate authorities to verify a URL's server with, or undefined for Node's defaults:
   * by default the recorded CA of a local platform for its origin only (trust.ts)
   */
  certificateAuthorities?: (url: string) => Promise<string[] | undefined>
  /** one line per request and response, Authorization redacted (HEROKU_DEBUG=1) */
  debug?: (line: string) => void
  /** attempts for a retriable request, the first included */
  maxAttempts?: number
  maxBackoffMs?: number
  /** the longest Retry-After we are willing to wait, in ms; longer fails at once */
  maxRetryAfterMs?: number
  sleep?: (ms: number) => Promise<void>
  /** per-request timeout in ms */
  timeoutMs?: number
  /** called lazily, once, when the first request needs it: commands that never call the API never touch the keychain */
  token?: () => Promise<string | undefined>
  userAgent: string
}

export interface RequestOptions {
  /** send without Authorization (e.g. basic-auth login) */
  auth?: 'basic' | 'bearer' | 'none'
  /** explicit Authorization header value when auth is basic */
  authorization?: string
  body?: unknown
  headers?: Record<string, string>
  method?: HttpMethod
}

export interface ApiResponse<T> {
  body: T
  headers: Record<string, string | string[] | undefined>
  status: number
}

const ACCEPT = 'application/vnd.heroku+json; version=3'
/** Idempotent by HTTP: safe to send again after a network error or a 502/503/504. */
const IDEMPOTENT = new Set<HttpMethod>(['DELETE', 'GET', 'HEAD', 'PUT'])
const RETRY_STATUSES = new Set([502, 503, 504])

/**
 * The Platform API v3 client every command uses. node:https is loaded on the first request only,
 * so that commands which never call the API start faster still.
 */
export class ApiClient {
  readonly baseUrl: string
  private readonly opts: Pick<ApiClientOptions, 'debug' | 'token'> & Required<Omit<ApiClientOptions, 'debug' | 'token'>>
  private readonly caByOrigin = new Map<string, Promise<string[] | undefined>>()
  private tokenPromise?: Promise<string | undefined>

  constructor(opts: ApiClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '')
    this.opts = {
      timeoutMs: 30_000,
      maxAttempts: 4,
      backoffMs: 300,
      maxBackoffMs: 5000,
      maxRetryAfterMs: 60_000,
      sleep: realSleep,
      certificateAuthorities: (url: string) => certificateAuthoritiesFor(url),
      ...opts,
    }
  }

  async get<T>(path: string, opts: Omit<RequestOptions, 'body' | 'method'> = {}): Promise<T> {
    return (await this.request<T>(path, {...opts, method: 'GET'})).body
  }

  async post<T>(path: string, body?: unknown, opts: Omit<RequestOptions, 'body' | 'method'> = {}): Promise<T> {
    return (await this.request<T>(path, {...opts, body: body ?? {}, method: 'POST'})).body
  }

  async patch<T>(path: string, body: unknown, opts: Omit<RequestOptions, 'body' | 'method'> = {}): Promise<T> {
    return (await this.request<T>(path, {...opts, body, method: 'PATCH'})).body
  }

  async delete<T>(path: string, opts: Omit<RequestOptions, 'body' | 'method'> = {}): Promise<T> {
    return (await this.request<T>(path, {...opts, method: 'DELETE'})).body
  }

  /**
   * Every item of a list, following Range / Next-Range (206 while more remain), up to 1000 a page.
   * `sortBy` is the range field (`id`, `name`, or `version` for releases); `order` desc starts at the end.
   */
  async list<T>(path: string, opts: {limit?: number, max?: number, order?: 'asc' | 'desc', sortBy?: string} = {}): Promise<T[]> {
    const max = Math.min(opts.max ?? 1000, 1000)
    let range: string | undefined = `${opts.sortBy ?? 'id'} ..; ${opts.order === 'desc' ? 'order=desc,' : ''}max=${max}`
    const items: T[] = []
    while (range) {
      const res: ApiResponse<T[]> = await this.request<T[]>(path, {headers: {Range: range}, method: 'GET'})
      // the server broke the protocol, not the user nor this CLI: say which server
      if (!Array.isArray(res.body)) throw new UserError(`The API at ${this.baseUrl} answered GET ${path} with something that is not a list.`, {hint: 'Is this a Platform API v3 server? Check HEROKU_API_URL (or heroku login --api-url).'})
      items.push(...res.body)
      if (opts.limit !== undefined && items.length >= opts.limit) return items.slice(0, opts.limit)
      const next = header(res.headers, 'next-range')
      range = res.status === 206 && next ? next : undefined
    }

    return items
  }

  async request<T>(path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const method = opts.method ?? 'GET'
    const url = path.startsWith('http://') || path.startsWith('https://') ? path : `${this.baseUrl}${path}`
    const headers: Record<string, string> = {
      Accept: ACCEPT,
      'User-Agent': this.opts.userAgent,
      ...opts.headers,
    }
    if (opts.auth === 'basic' && opts.authorization) {
      headers.Authorization = opts.authorization
    } else if ((opts.auth ?? 'bearer') === 'bearer') {
      const token = await this.token()
      if (token) headers.Authorization = `Bearer ${token}`
    }

    if (opts.body !== undefined) headers['Content-Type'] = 'application/json'
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body)
    const certificateAuthority = await this.certificateAuthoritiesFor(url)

    for (let attempt = 1; ; attempt++) {
      const started = Date.now()
      this.debugRequest(method, url, headers, payload)
      let res: HttpResponse
      try {
        res = await httpRequest(url, {body: payload, ca: certificateAuthority, headers, method, timeoutMs: this.opts.timeoutMs})
      } catch (error) {
        const reason = networkReason(error)
        this.opts.debug?.(`<-- ${method} ${url} failed: ${reason}`)
        if (attempt < this.opts.maxAttempts && this.mayRetryNetworkError(method, error)) {
          await this.opts.sleep(this.backoff(attempt))
          continue
        }

        throw new NetworkError(method, url, reason, error, isCertificateError(error) ? certificateHint(url, certificateAuthority !== undefined) : undefined)
      }

      this.opts.debug?.(`<-- ${res.status} ${method} ${url} (${Date.now() - started} ms) request-id=${header(res.headers, 'request-id') ?? '-'}`)
      if (attempt < this.opts.maxAttempts) {
        const delay = this.retryDelay(method, res, attempt)
        if (delay !== undefined) {
          await this.opts.sleep(delay)
          continue
        }
      }

      if (res.status >= 400) throw toApiError(method, url, res)
      return {body: parseBody<T>(res), headers: res.headers, status: res.status}
    }
  }

  /** The token, read once per client. */
  token(): Promise<string | undefined> {
    this.tokenPromise ??= this.opts.token ? this.opts.token() : Promise.resolve(undefined)
    return this.tokenPromise
  }

  /** Asked once per origin and client: the settings file is read once, the CA file once. */
  private certificateAuthoritiesFor(url: string): Promise<string[] | undefined> {
    const {origin} = new URL(url)
    let found = this.caByOrigin.get(origin)
    if (!found) {
      found = this.opts.certificateAuthorities(url)
      this.caByOrigin.set(origin, found)
    }

    return found
  }

  /** ms to wait before retrying this response, or undefined if it must not be retried */
  private retryDelay(method: HttpMethod, res: HttpResponse, attempt: number): number | undefined {
    if (res.status === 429) {
      // a 429 was refused before doing anything, so even a POST is safe to send again
      const retryAfter = parseRetryAfter(header(res.headers, 'retry-after'))
      if (retryAfter === undefined) return this.backoff(attempt)
      return retryAfter <= this.opts.maxRetryAfterMs ? retryAfter : undefined
    }

    if (RETRY_STATUSES.has(res.status) && IDEMPOTENT.has(method)) return this.backoff(attempt)
    return undefined
  }

  private mayRetryNetworkError(method: HttpMethod, error: unknown): boolean {
    // a refused connection never reached the server: nothing can have been applied
    const {code} = (error as {code?: string})
    if (!isTransientNetworkError(error)) return false
    return IDEMPOTENT.has(method) || code === 'ECONNREFUSED'
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.opts.backoffMs * 2 ** (attempt - 1), this.opts.maxBackoffMs)
    return Math.round(base / 2 + Math.random() * (base / 2))
  }

  private debugRequest(method: string, url: string, headers: Record<string, string>, payload?: string): void {
    if (!this.opts.debug) return
    const shown = Object.entries(headers).map(([k, v]) => `${k}: ${k.toLowerCase() === 'authorization' ? redact(v) : v}`)
    this.opts.debug(`--> ${method} ${url}\n    ${shown.join('\n    ')}${payload ? `\n    body: ${payload.length} bytes` : ''}`)
  }
}

function certificateHint(url: string, recorded: boolean): string {
  const {origin} = new URL(url)
  return recorded
    ? `The certificate of ${origin} is not signed by the certificate authority recorded for it: if the local platform's data dir changed, run heroku platform:start (or heroku login --api-url ${origin}) again.`
    : `${origin} presents a certificate this CLI does not trust. For a local platform, heroku platform:start (or heroku login --api-url ${origin}) records its certificate authority for that address only.`
}

function redact(value: string): string {
  const scheme = value.split(' ')[0]
  return `${scheme} [REDACTED]`
}

export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

/** Retry-After as seconds or an HTTP date, in ms. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

function parseBody<T>(res: HttpResponse): T {
  if (res.body === '') return undefined as T
  try {
    return JSON.parse(res.body) as T
  } catch {
    return res.body as T
  }
}

function toApiError(method: string, url: string, res: HttpResponse): ApiError {
  let id = `http_${res.status}`
  let message = `${res.status} ${res.statusMessage}`.trim()
  let resource: string | undefined
  try {
    const body = JSON.parse(res.body) as {id?: unknown, message?: unknown, resource?: unknown}
    if (typeof body.id === 'string') id = body.id
    if (typeof body.message === 'string') message = body.message
    if (typeof body.resource === 'string') resource = body.resource
  } catch {
    // not JSON (a proxy's error page): keep the status line
  }

  return new ApiError({id, message, method, requestId: header(res.headers, 'request-id'), resource, status: res.status, url})
}

function networkReason(error: unknown): string {
  const e = error as {code?: string, message?: string}
  switch (e.code) {
    case 'ECONNREFUSED': {
      return 'connection refused'
    }

    case 'ENOTFOUND': {
      return 'host not found'
    }

    case 'ETIMEDOUT': {
      return 'timed out'
    }

    case 'ECONNRESET': {
      return 'connection reset'
    }

    default: {
      return e.message ?? String(error)
    }
  }
}
