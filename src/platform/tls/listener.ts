// One port, HTTP and HTTPS: each connection's first byte says which (0x16 is a TLS handshake
// record; no HTTP request starts with it). The connection then goes, as it is, to the TLS server
// or to the plain one (a node:http server, or a function that answers it). The sniffing costs one
// read per connection and nothing per request: the plain server still parses straight from the
// socket (node:http's consumed-handle path), the TLS server takes the socket's handle.
import type {Server as HttpServer} from 'node:http'
import type {Server as TlsServer} from 'node:tls'

import {createServer as createNetServer, type Server as NetServer, type Socket} from 'node:net'

/** a TLS record's first byte: ContentType handshake (RFC 8446 §5.1) */
const TLS_HANDSHAKE = 0x16

export interface SniffingOptions {
  /** a connection that sends nothing for this long is closed (node:http's headersTimeout does not run before a request starts) */
  firstByteTimeoutMs: number
  /** a node:http server, or a function that takes over the socket (what was read is back in it) */
  plain: ((socket: Socket) => void) | HttpServer
  tls: TlsServer
}

export interface SniffingListener {
  /** stops accepting; connections not yet sniffed are closed; resolves once every connection has ended */
  close(): Promise<void>
  /** listens; resolves with the port */
  listen(port: number, host: string): Promise<number>
  readonly server: NetServer
}

const ignore = (): void => {}

export function sniffingListener(o: SniffingOptions): SniffingListener {
  const waiting = new Set<Socket>()
  const {plain} = o
  const plainServer = typeof plain === 'function' ? undefined : plain
  const server = createNetServer({pauseOnConnect: true}, socket => {
    waiting.add(socket)
    // an error before the connection is handed over (a reset) must not be unhandled
    socket.on('error', ignore)
    socket.setTimeout(o.firstByteTimeoutMs, () => socket.destroy())
    socket.once('close', () => waiting.delete(socket))
    socket.once('data', (chunk: Buffer) => {
      waiting.delete(socket)
      socket.setTimeout(0)
      socket.pause()
      socket.unshift(chunk)
      if (chunk[0] === TLS_HANDSHAKE) {
        o.tls.emit('connection', socket)
      } else if (plainServer) {
        socket.off('error', ignore)
        plainServer.emit('connection', socket)
        // node:http consumes the handle from now on; what was read goes through 'data'
        socket.resume()
      } else {
        (plain as (socket: Socket) => void)(socket)
      }
    })
    socket.resume()
  })
  // node:http(s) servers start their timeout checks (headersTimeout, requestTimeout) on 'listening'
  server.on('listening', () => {
    o.tls.emit('listening')
    plainServer?.emit('listening')
  })
  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          resolve((server.address() as import('node:net').AddressInfo).port)
        })
      })
    },
    close() {
      return new Promise(resolve => {
        server.close(() => resolve())
        for (const socket of waiting) socket.destroy()
        // they never listened themselves: this stops their timers (an ERR_SERVER_NOT_RUNNING is expected)
        o.tls.close(ignore)
        plainServer?.close(ignore)
      })
    },
  }
}

const PLAIN_PATH = /^[A-Z]{3,10} (\/[\w\-./~%]{0,200})[ ?]/

/**
 * The answer to plain HTTP on a port that speaks HTTPS only: 400 with an API error naming the
 * https URL (`httpsBase` and the request's path), then the connection is closed. What the client
 * sends meanwhile is read and dropped, so that closing does not reset the answer away.
 */
export function refusePlainHttp(socket: Socket, httpsBase: string): void {
  socket.on('error', ignore)
  const first = socket.read() as Buffer | null
  const path = first ? PLAIN_PATH.exec(first.toString('latin1', 0, Math.min(first.length, 256)))?.[1] ?? '/' : '/'
  const body = JSON.stringify({id: 'bad_request', message: `This port speaks HTTPS: use ${httpsBase}${path}`})
  socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
  socket.resume()
  socket.setTimeout(5000, () => socket.destroy())
}
