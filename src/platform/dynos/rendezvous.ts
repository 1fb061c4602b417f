// Heroku's rendezvous attach, the protocol the official Heroku CLI speaks for `heroku run`
// (docs/run-protocol.md §6): `attach_url = rendezvous://HOST:PORT/SECRET`, HOST:PORT being the API
// port of a platform started with --tls. The client opens TLS there and sends `SECRET\r\n`; the
// platform answers `rendezvous\r\n` and from then on the connection is the dyno's terminal, raw
// bytes both ways (stdout and stderr mixed). It closes when the process ends; when the client goes
// away the dyno is stopped. The sessions (secrets: single use, short-lived, one dyno each) are
// attach.ts's, shared with `heroku-run/1`.
//
// What the protocol cannot carry, and how it is carried here:
//   - stdin's end: without a terminal the official CLI ends stdin with one ^D (0x04) byte; on a
//     pty that byte is the terminal's business (EOF at the start of a line), as on Heroku;
//   - the exit status: clients append `; echo "\uFFFF heroku-command-exit-status: $?"` to the
//     command and read it from the output; when that line did not come (the command ended its
//     shell: `exit 3`, a signal) the platform writes it with the process's status, so that
//     `heroku run --exit-code` still tells;
//   - Ctrl-C: a 0x03 byte through the pty (SIGINT to the terminal's foreground job);
//   - the terminal size: COLUMNS and LINES of the request's env (dyno-process.ts).
import type {Server as TlsServer, TLSSocket} from 'node:tls'

import {Duplex} from 'node:stream'

import {exitFrame, FrameDecoder, FrameType} from '../../lib/run/attach-frames.js'
import {EXIT_MARKER} from '../../lib/run/exit-marker.js'
import {ATTACH_SECRET, type AttachSessions} from './attach.js'

/** the first line the platform answers a claimed secret with */
export const RENDEZVOUS_GREETING = 'rendezvous\r\n'
/** the first line for an unknown, used or expired secret, after which the connection closes */
export const RENDEZVOUS_REFUSED = 'error: this attach URL is unknown, used or expired\r\n'

const MARKER = Buffer.from(EXIT_MARKER)
const EOT = 0x04
/** a first line longer than this without a space is not a secret: HTTP (which answers 400) */
const SNIFF_LIMIT = 128

/** `https://HOST:PORT/dyno-attach/SECRET` → `rendezvous://HOST:PORT/SECRET`; undefined for a plain-HTTP URL. */
export function rendezvousUrlFor(attachUrl: string): string | undefined {
  const url = new URL(attachUrl)
  const secret = /^\/dyno-attach\/([\w-]+)$/.exec(url.pathname)?.[1]
  return url.protocol === 'https:' && secret ? `rendezvous://${url.host}/${secret}` : undefined
}

export interface RendezvousRouting {
  /** takes over a connection whose first line was a secret (`rest`: what came after that line) */
  rendezvous: (socket: TLSSocket, secret: string, rest: Buffer) => void
  /** a connection that sends nothing for this long after the handshake is closed */
  timeoutMs: () => number
}

/**
 * After the TLS handshake on `server` (a node:https server), looks at the first bytes: a line that
 * is a session secret goes to `rendezvous`; anything else (an HTTP request line has a space in its
 * first bytes) goes, bytes and all, to the server's own HTTP handling.
 */
export function routeRendezvous(server: TlsServer, routing: RendezvousRouting): void {
  const http = server.listeners('secureConnection') as ((socket: TLSSocket) => void)[]
  server.removeAllListeners('secureConnection')
  server.on('secureConnection', (socket: TLSSocket) => {
    let seen: Buffer = Buffer.alloc(0)
    socket.on('error', ignore)
    socket.setTimeout(routing.timeoutMs(), () => socket.destroy())
    const onData = (chunk: Buffer) => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk])
      const space = seen.indexOf(0x20)
      const nl = seen.indexOf(0x0A)
      if (space === -1 && nl === -1 && seen.length < SNIFF_LIMIT) return
      socket.off('data', onData)
      socket.setTimeout(0)
      socket.pause()
      const line = nl !== -1 && (space === -1 || nl < space) ? seen.toString('latin1', 0, nl).replace(/\r$/, '') : undefined
      if (line !== undefined && ATTACH_SECRET.test(line)) {
        routing.rendezvous(socket, line, seen.subarray(nl + 1))
        return
      }

      socket.off('error', ignore)
      socket.unshift(seen)
      for (const listener of http) listener.call(server, socket)
      socket.resume()
    }

    socket.on('data', onData)
  })
}

/** Serves one rendezvous connection: the dyno claimed by `secret`, or a refusal. */
export function serveRendezvous(sessions: AttachSessions, socket: TLSSocket, secret: string, rest: Buffer): void {
  socket.on('error', ignore)
  const dyno = sessions.claim(secret)
  if (!dyno) {
    socket.end(RENDEZVOUS_REFUSED)
    socket.resume()
    socket.setTimeout(5000, () => socket.destroy())
    return
  }

  socket.setNoDelay(true)
  // its own TLS record: the official CLI drops its first 'data' event whole, as the greeting
  socket.write(RENDEZVOUS_GREETING)
  const tty = dyno.oneOff?.tty === true
  const output = terminalOutput(socket, {tty, statusLine: dyno.command.includes(EXIT_MARKER)})
  const launched = sessions.launch(dyno, socket, output)
  if (typeof launched === 'number') {
    output.end(exitFrame(launched))
    return
  }

  const {stdin} = launched.child
  let ended = false
  const input = (chunk: Buffer) => {
    if (ended || !stdin) return
    if (tty) {
      stdin.write(chunk)
      return
    }

    const eot = chunk.indexOf(EOT)
    if (eot === -1) {
      stdin.write(chunk)
      return
    }

    if (eot > 0) stdin.write(chunk.subarray(0, eot))
    ended = true
    stdin.end()
  }

  if (rest.length > 0) input(rest)
  socket.on('data', input)
  // a FIN: the client is gone (clients end stdin with ^D, never with a half-close); the dyno stops
  socket.once('end', () => socket.destroy())
  socket.resume()
}

/**
 * What dyno-process.ts writes attach frames to, as the rendezvous stream: STDOUT and STDERR
 * payloads go out raw (a slow client slows the process down: the write waits for 'drain'); EXIT
 * writes the status line when the command asked for one and it did not come, then closes.
 */
function terminalOutput(socket: TLSSocket, o: {statusLine: boolean, tty: boolean}): Duplex {
  let sawStatus = false
  let tail: Buffer = Buffer.alloc(0)
  const pending: Buffer[] = []
  // a write waiting for 'drain' is let go when the client is gone
  let waiting: (() => void) | undefined
  socket.once('close', () => waiting?.())
  const decoder = new FrameDecoder((type, payload) => {
    if (type === FrameType.stdout || type === FrameType.stderr) {
      if (o.statusLine && !sawStatus) {
        const window = Buffer.concat([tail, payload])
        sawStatus = window.includes(MARKER)
        tail = window.subarray(Math.max(0, window.length - MARKER.length + 1))
      }

      pending.push(payload)
    } else if (type === FrameType.exit) {
      if (o.statusLine && !sawStatus) pending.push(Buffer.from(`${EXIT_MARKER}${payload.readInt32BE(0)}${o.tty ? '\r\n' : '\n'}`))
      socket.end(Buffer.concat(pending.splice(0)))
    }
  })
  return new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      decoder.push(chunk)
      const data = Buffer.concat(pending.splice(0))
      if (data.length === 0 || socket.destroyed || socket.writableEnded) return callback()
      if (socket.write(data)) return callback()
      const go = () => {
        waiting = undefined
        socket.off('drain', go)
        callback()
      }

      waiting = go
      socket.once('drain', go)
    },
    final(callback) {
      if (!socket.writableEnded) socket.end()
      callback()
    },
  })
}

function ignore(): void {}
