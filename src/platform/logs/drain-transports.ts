// How a drain's frames reach its receiver, as Logplex sends them:
//
//   syslog://HOST:PORT, syslog+tls://HOST:PORT — RFC 5424 messages over one TCP (TLS) connection,
//     octet-counted framing (RFC 6587 §3.4.1): `LEN <PRI>1 TIMESTAMP HOST APP PROCID - - MSG`;
//     HOST the app's name, APP `app` or `heroku`, PROCID the dyno (web.1, router …).
//   https://… (http:// too) — POST batches of octet-counted frames, each
//     `<PRI>1 TIMESTAMP host APP PROCID - MSG` (Logplex's HTTPS frames: the literal host `host` and
//     no structured-data field), with Content-Type application/logplex-1, Logplex-Msg-Count,
//     Logplex-Frame-Id (unique per batch: the same id when a batch is sent again),
//     Logplex-Drain-Token and User-Agent Logplex/…; userinfo in the URL becomes Basic auth.
//
// syslog+tls:// and https:// verify the receiver's certificate against the system's roots (and
// any extra CA the platform's options name: tests' own CA); there is no way to turn that off.
import {request as httpRequest} from 'node:http'
import {request as httpsRequest} from 'node:https'
import {connect as netConnect, type Socket} from 'node:net'
import {rootCertificates, connect as tlsConnect} from 'node:tls'

import type {StoredLine} from './log-router.js'

export type DrainScheme = 'http' | 'https' | 'syslog' | 'syslog+tls'

export const DRAIN_SCHEMES: readonly DrainScheme[] = ['syslog', 'syslog+tls', 'https', 'http']

/** The drain URL's problem, or undefined when it is one the platform can deliver to. */
export function drainUrlProblem(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return `${JSON.stringify(value)} is not a URL; a drain is syslog://HOST:PORT, syslog+tls://HOST:PORT or https://HOST/PATH.`
  }

  const scheme = url.protocol.slice(0, -1) as DrainScheme
  if (!DRAIN_SCHEMES.includes(scheme)) return `${scheme} is not a supported drain scheme (syslog://, syslog+tls://, https://).`
  if (!url.hostname) return 'the drain URL names no host.'
  if ((scheme === 'syslog' || scheme === 'syslog+tls') && !url.port) return `a ${scheme}:// drain needs a port (${scheme}://HOST:PORT).`
  return undefined
}

/** RFC 5424 PRI: facility local7 (23), severity info (6) — router lines local3, as Heroku's. */
const priOf = (line: StoredLine): number => (line.dyno === 'router' ? 158 : 190)

/** the line's time and message from its formatted text (`TIME source[dyno]: message`) */
function parts(line: StoredLine): {message: string, time: string} {
  const {text} = line
  const space = text.indexOf(' ')
  const colon = text.indexOf(': ', space)
  return {time: text.slice(0, space), message: colon === -1 ? '' : text.slice(colon + 2)}
}

/** one octet-counted RFC 5424 frame for syslog drains */
export function syslogFrame(line: StoredLine, host: string): Buffer {
  const {time, message} = parts(line)
  const body = Buffer.from(`<${priOf(line)}>1 ${time} ${host} ${line.source} ${line.dyno} - - ${message}`)
  return Buffer.concat([Buffer.from(`${body.length} `), body])
}

/** one octet-counted frame as Logplex puts it in an HTTPS drain's batch (the count takes in its newline) */
export function httpsFrame(line: StoredLine): Buffer {
  const {time, message} = parts(line)
  const body = Buffer.from(`<${priOf(line)}>1 ${time} host ${line.source} ${line.dyno} - ${message}\n`)
  return Buffer.concat([Buffer.from(`${body.length} `), body])
}

export interface TransportOptions {
  /** extra CA certificates (PEM) trusted beside the system's roots */
  ca?: readonly string[] | string
  /** a connection or request that takes longer fails (and is retried) */
  timeoutMs: number
}

/** Sends batches; a rejected send is retried by the caller (with backoff). */
export interface Transport {
  close(): void
  /** frames delivered in order; resolves when the receiver took them. `batchId`: the same for a batch sent again */
  send(lines: readonly StoredLine[], batchId: string): Promise<void>
}

const trusted = (o: TransportOptions): string[] | undefined =>
  o.ca === undefined ? undefined : [...rootCertificates, ...(typeof o.ca === 'string' ? [o.ca] : o.ca)]

export function createTransport(url: string, token: string, host: string, o: TransportOptions): Transport {
  const parsed = new URL(url)
  const scheme = parsed.protocol.slice(0, -1) as DrainScheme
  return scheme === 'syslog' || scheme === 'syslog+tls' ? new SyslogTransport(parsed, scheme === 'syslog+tls', host, o) : new HttpsTransport(parsed, token, o)
}

class SyslogTransport implements Transport {
  private socket?: Socket
  private connecting?: Promise<Socket>
  private closed = false

  constructor(private readonly url: URL, private readonly tls: boolean, private readonly host: string, private readonly o: TransportOptions) {}

  async send(lines: readonly StoredLine[], _batchId: string): Promise<void> {
    const socket = await this.connect()
    const data = Buffer.concat(lines.map(line => syslogFrame(line, this.host)))
    // a receiver that stops reading holds the write: after timeoutMs the connection goes, and the
    // batch is sent again on a new one
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Error('the receiver took too long'))
      }, this.o.timeoutMs)
      timer.unref()
      socket.write(data, error => {
        clearTimeout(timer)
        if (error) reject(error)
        else resolve()
      })
    })
  }

  private connect(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed && this.socket.writable) return Promise.resolve(this.socket)
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const port = Number(this.url.port)
      const hostname = this.url.hostname.replaceAll(/^\[|\]$/g, '')
      const socket = this.tls
        ? tlsConnect({host: hostname, port, servername: /^[\d.]+$|:/.test(hostname) ? undefined : hostname, ca: trusted(this.o)})
        : netConnect({host: hostname, port})
      const timer = setTimeout(() => socket.destroy(new Error('connection timed out')), this.o.timeoutMs)
      const fail = (error: Error) => {
        clearTimeout(timer)
        this.connecting = undefined
        socket.destroy()
        reject(error)
      }

      socket.once('error', fail)
      socket.once(this.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer)
        socket.off('error', fail)
        socket.setNoDelay(true)
        // the receiver's end, or any error: the next send connects again
        const drop = () => {
          if (this.socket === socket) this.socket = undefined
          socket.destroy()
        }

        socket.on('error', drop)
        socket.once('end', drop)
        socket.once('close', drop)
        socket.resume() // a receiver that talks back is not listened to
        this.connecting = undefined
        if (this.closed) {
          socket.destroy()
          reject(new Error('drain closed'))
          return
        }

        this.socket = socket
        resolve(socket)
      })
    })
    return this.connecting
  }

  close(): void {
    this.closed = true
    this.socket?.destroy()
    this.socket = undefined
  }
}

class HttpsTransport implements Transport {
  constructor(private readonly url: URL, private readonly token: string, private readonly o: TransportOptions) {}

  send(lines: readonly StoredLine[], frameId: string): Promise<void> {
    const body = Buffer.concat(lines.map(line => httpsFrame(line)))
    const headers: Record<string, string> = {
      'Content-Type': 'application/logplex-1',
      'Content-Length': String(body.length),
      'Logplex-Msg-Count': String(lines.length),
      'Logplex-Frame-Id': frameId,
      'Logplex-Drain-Token': this.token,
      'User-Agent': 'Logplex/v72 (heroku-toolbelt)',
    }
    if (this.url.username || this.url.password) {
      headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(this.url.username)}:${decodeURIComponent(this.url.password)}`).toString('base64')}`
    }

    const target = new URL(this.url.href)
    target.username = ''
    target.password = ''
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest
    return new Promise<void>((resolve, reject) => {
      const req = request(target, {method: 'POST', headers, ca: trusted(this.o), timeout: this.o.timeoutMs}, res => {
        res.resume()
        const status = res.statusCode ?? 0
        if (status >= 200 && status < 300) resolve()
        else reject(new Error(`the receiver answered ${status}`))
      })
      req.once('timeout', () => req.destroy(new Error('request timed out')))
      req.once('error', reject)
      req.end(body)
    })
  }

  close(): void {
    // one request at a time, none kept alive: nothing to close
  }
}
