// The real `git http-backend` as a CGI program behind node:http: request body streamed to its
// stdin, its CGI response (headers, optional Status, then the body) streamed back.

import type {IncomingMessage, ServerResponse} from 'node:http'

import {spawn} from 'node:child_process'

import {gitEnv} from './repos.js'

export interface CgiRequest {
  /** more environment for receive-pack and its hooks */
  extraEnv?: Record<string, string>
  log: (line: string) => void
  /** e.g. /<app-id>.git/info/refs */
  pathInfo: string
  projectRoot: string
  remoteUser: string
}

/** Runs one request through git http-backend; resolves when the response is complete. */
export function runHttpBackend(cgi: CgiRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const env = gitEnv({
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    GIT_PROJECT_ROOT: cgi.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: cgi.pathInfo,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_USER: cgi.remoteUser,
    REMOTE_ADDR: req.socket.remoteAddress ?? '',
    ...cgi.extraEnv,
  })
  if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length']
  // http-backend inflates a gzip request body itself when told the encoding
  if (req.headers['content-encoding'] !== undefined) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding']
  const protocol = req.headers['git-protocol']
  if (typeof protocol === 'string') env.HTTP_GIT_PROTOCOL = protocol

  return new Promise(resolve => {
    const child = spawn('git', ['http-backend'], {env, stdio: ['pipe', 'pipe', 'pipe']})
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', error => {
      cgi.log(`git http-backend could not start: ${error.message}`)
      if (!res.headersSent) res.writeHead(500, {'Content-Type': 'text/plain'}).end('git is not available on the platform\n')
      resolve()
    })
    req.pipe(child.stdin)
    child.stdin.on('error', () => {})
    req.on('error', () => child.stdin.destroy())

    let head = Buffer.alloc(0)
    let headersDone = false
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk])
      const end = findHeaderEnd(head)
      if (end === undefined) {
        if (head.length > 64 * 1024) {
          child.kill()
          cgi.log('git http-backend sent no CGI header terminator')
        }

        return
      }

      headersDone = true
      child.stdout.off('data', onData)
      const {status, headers} = parseCgiHeaders(head.subarray(0, end.index).toString('latin1'))
      res.writeHead(status, headers)
      const rest = head.subarray(end.index + end.length)
      if (rest.length > 0) res.write(rest)
      child.stdout.pipe(res)
    }

    child.stdout.on('data', onData)
    child.on('close', code => {
      if (stderr.trim() !== '') cgi.log(`git http-backend ${cgi.pathInfo}: ${stderr.trim()}`)
      if (!headersDone) {
        if (!res.headersSent) res.writeHead(500, {'Content-Type': 'text/plain'}).end(`git http-backend failed (exit ${code})\n`)
      } else if (!res.writableEnded) {
        res.end()
      }

      resolve()
    })
  })
}

function findHeaderEnd(buffer: Buffer): undefined | {index: number, length: number} {
  const crlf = buffer.indexOf('\r\n\r\n')
  const lf = buffer.indexOf('\n\n')
  if (crlf === -1 && lf === -1) return undefined
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return {index: crlf, length: 4}
  return {index: lf, length: 2}
}

export function parseCgiHeaders(text: string): {headers: Record<string, string>, status: number} {
  let status = 200
  const headers: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim()
    const value = line.slice(colon + 1).trim()
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500
    else headers[name] = value
  }

  return {status, headers}
}
