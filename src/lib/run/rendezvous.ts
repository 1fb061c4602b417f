// Heroku's own attach: `rendezvous://HOST:PORT/SECRET`. A TLS connection; the client sends the
// secret and a CRLF, the server answers a first line ("rendezvous"), after which the connection
// is the process's terminal: bytes both ways, stdout and stderr mixed, no exit status other than
// the status line the command echoes (see exit-marker.ts).
import type {ConnectionOptions} from 'node:tls'

import type {AttachIO} from './attach.js'

import {tlsOptionsFor} from '../api/trust.js'
import {UserError} from '../errors.js'
import {ExitMarkerFilter} from './exit-marker.js'

export interface RendezvousIO extends AttachIO {
  /** extra TLS options (tests pass their CA); certificates are always verified */
  tls?: ConnectionOptions
}

/** SNI takes host names only, never an IP address. */
function serverName(hostname: string): {servername?: string} {
  return /^[\d.]+$|^\[|:/.test(hostname) ? {} : {servername: hostname}
}

/** Resolves with the exit status from the status line, or undefined when none came. */
export async function attachRendezvous(attachUrl: string, io: RendezvousIO): Promise<number | undefined> {
  const url = new URL(attachUrl)
  const {connect} = await import('node:tls')
  // a local platform's rendezvous port: its CA, for its origin (as https://HOST:PORT) only
  const trusted = await tlsOptionsFor(`https://${url.host}/`)
  const {stdin} = io
  const raw = io.tty && typeof stdin.setRawMode === 'function'
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: url.hostname, port: Number(url.port || 5000), ...serverName(url.hostname), ...trusted, ...io.tls,
    })
    socket.setTimeout(60 * 60 * 1000)
    let greeted = false
    let greeting = Buffer.alloc(0)
    const filter = new ExitMarkerFilter(chunk => io.stdout.write(chunk))
    const onData = (chunk: Buffer | string) => socket.write(chunk)
    // the end of stdin is one ^D, as Heroku's CLI sends it (a half-close would end the session)
    const onEnd = () => socket.write('\u0004')
    const onSigint = () => socket.write('\u0003')
    const cleanup = () => {
      stdin.removeListener('data', onData)
      stdin.removeListener('end', onEnd)
      io.signals?.removeListener('SIGINT', onSigint)
      if (raw) stdin.setRawMode!(false)
      stdin.pause()
    }

    socket.once('secureConnect', () => socket.write(`${url.pathname.slice(1)}\r\n`))
    socket.on('data', (chunk: Buffer) => {
      if (!greeted) {
        // the first line is the rendezvous greeting, not output
        greeting = Buffer.concat([greeting, chunk])
        const nl = greeting.indexOf(10)
        if (nl === -1) return
        greeted = true
        const first = greeting.toString('utf8', 0, nl).replace(/\r$/, '')
        if (first.startsWith('error')) {
          // the platform refused the secret (unknown, used or expired)
          socket.destroy(new Error(first.replace(/^error:\s*/, '')))
          return
        }

        chunk = greeting.subarray(nl + 1)
        if (raw) stdin.setRawMode!(true)
        if (stdin.readableEnded) onEnd()
        else {
          stdin.on('data', onData)
          stdin.once('end', onEnd)
          stdin.resume()
        }

        io.signals?.on('SIGINT', onSigint)
        if (chunk.length === 0) return
      }

      filter.push(chunk)
    })
    socket.once('timeout', () => socket.destroy(new Error('the connection timed out')))
    socket.once('error', error => {
      cleanup()
      reject(new UserError(`Could not attach to the dyno: ${error.message}`))
    })
    socket.once('close', hadError => {
      if (hadError) return
      cleanup()
      filter.end()
      resolve(filter.status)
    })
  })
}
