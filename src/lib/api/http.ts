// One HTTP exchange over node:http / node:https, the only HTTP client the CLI's API calls use.
// Node's own modules load in a few ms where got (with node:http2 behind it) took ~60 ms, and
// start-up is most of what a command such as `heroku whoami` costs. Node's global agent keeps
// connections alive between the requests of one command and lets an idle one end the process.
import type {IncomingHttpHeaders, IncomingMessage, RequestOptions} from 'node:http'

import {isCertificateError} from './trust.js'

export interface HttpRequest {
  body?: string
  /** certificate authorities that replace Node's roots for this request (https only) */
  ca?: string[]
  headers: Record<string, string>
  method: string
  /** the whole exchange, connect to last byte, in ms */
  timeoutMs: number
}

export interface HttpResponse {
  body: string
  headers: IncomingHttpHeaders
  status: number
  statusMessage: string
}

/** The error a request fails with when its time is up; `code` as the network layer would name it. */
export class HttpTimeoutError extends Error {
  readonly code = 'ETIMEDOUT'

  constructor(ms: number) {
    super(`no complete answer within ${ms} ms`)
    this.name = 'HttpTimeoutError'
  }
}

/**
 * Whether the same request, sent again, may fare better: a network failure, not a certificate
 * (it would be the same one) nor a request Node refused to send (a bad URL or header: a TypeError).
 */
export function isTransientNetworkError(error: unknown): boolean {
  return !(error instanceof TypeError) && !isCertificateError(error)
}

/**
 * Sends one request and reads the whole answer as UTF-8 text, whatever its status. It rejects
 * only when no complete answer arrived: the network's error (with its `code`), or HttpTimeoutError.
 */
export async function httpRequest(url: string, req: HttpRequest): Promise<HttpResponse> {
  const response = await open(url, req)
  const chunks: Buffer[] = []
  for await (const chunk of response.message) chunks.push(chunk as Buffer)
  response.done()
  const {headers, statusCode, statusMessage} = response.message
  return {body: Buffer.concat(chunks).toString('utf8'), headers, status: statusCode ?? 0, statusMessage: statusMessage ?? ''}
}

/**
 * Sends one GET and hands back the answer's body as a stream once its headers arrived, with the
 * status; the timeout covers the wait for those headers only, not the download.
 */
export async function httpGetStream(url: string, req: Omit<HttpRequest, 'body' | 'method'>): Promise<{headers: IncomingHttpHeaders, status: number, stream: IncomingMessage}> {
  const response = await open(url, {...req, method: 'GET'})
  response.done()
  return {headers: response.message.headers, status: response.message.statusCode ?? 0, stream: response.message}
}

async function open(url: string, req: HttpRequest): Promise<{done: () => void, message: IncomingMessage}> {
  const parsed = new URL(url)
  const secure = parsed.protocol === 'https:'
  if (!secure && parsed.protocol !== 'http:') throw new TypeError(`not an http(s) URL: ${url}`)
  const {request} = secure ? await import('node:https') : await import('node:http')
  const headers: Record<string, number | string> = {...req.headers}
  if (req.body !== undefined) headers['Content-Length'] = Buffer.byteLength(req.body)
  const options: RequestOptions & {ca?: string[]} = {headers, method: req.method}
  if (secure && req.ca) options.ca = req.ca

  return new Promise((resolve, reject) => {
    const outgoing = request(parsed, options)
    let incoming: IncomingMessage | undefined
    const timer = setTimeout(() => {
      const error = new HttpTimeoutError(req.timeoutMs)
      incoming?.destroy(error) // a body still arriving fails with the timeout, not a reset
      outgoing.destroy(error)
    }, req.timeoutMs)
    outgoing.once('error', error => {
      clearTimeout(timer)
      reject(error)
    })
    outgoing.once('response', message => {
      incoming = message
      message.once('error', () => clearTimeout(timer))
      resolve({done: () => clearTimeout(timer), message})
    })
    outgoing.end(req.body)
  })
}
