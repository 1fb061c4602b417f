// The CLI's side of an attached one-off dyno. An http(s) attach_url (the local platform):
// HTTP Upgrade to `heroku-run/1` (docs/run-protocol.md), then stdin → STDIN frames,
// STDOUT/STDERR frames → our stdout/stderr, until the EXIT frame. A rendezvous:// attach_url
// (Heroku): see rendezvous.ts.
import type {IncomingMessage} from 'node:http'
import type {Socket} from 'node:net'
import type {Readable, Writable} from 'node:stream'

import {tlsOptionsFor} from '../api/trust.js'
import {UserError} from '../errors.js'
import {ATTACH_UPGRADE, encodeFrame, FrameDecoder, FrameType, resizeFrame} from './attach-frames.js'
import {ExitMarkerFilter} from './exit-marker.js'

export interface AttachIO {
  /** emits 'resize' when the terminal changes size (the CLI passes process.stdout) */
  resizes?: {on(event: 'resize', listener: () => void): unknown, removeListener(event: 'resize', listener: () => void): unknown}
  /** where Ctrl-C arrives when stdin is not in raw mode (the CLI passes process) */
  signals?: Pick<NodeJS.Process, 'on' | 'removeListener'>
  /** the terminal's size now */
  size?: () => {columns: number, rows: number}
  stderr: Writable
  stdin: Readable & {isTTY?: boolean, setRawMode?: (mode: boolean) => unknown}
  stdout: Writable
  /** a terminal on both ends: stdin in raw mode, Ctrl-C goes through as a byte */
  tty: boolean
  userAgent?: string
}

/**
 * Connects, streams, and resolves with the remote exit status (128+N for a signal); undefined
 * when the platform could not tell (a rendezvous session without a status line).
 */
export async function attach(attachUrl: string, io: AttachIO): Promise<number | undefined> {
  const url = new URL(attachUrl)
  if (url.protocol === 'rendezvous:') {
    // Heroku's own platform: no EXIT frame; the status comes from the command's status line
    const {attachRendezvous} = await import('./rendezvous.js')
    return attachRendezvous(attachUrl, io)
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`This platform attaches one-off dynos over ${url.protocol.replace(/:$/, '')}, which this CLI does not speak.`, {hint: 'Use heroku run:detached and heroku logs instead.'})
  }

  const {request} = url.protocol === 'https:' ? await import('node:https') : await import('node:http')
  const tls = await tlsOptionsFor(attachUrl)
  const socket = await new Promise<{head: Buffer, socket: Socket}>((resolve, reject) => {
    const req = request(url, {headers: {Connection: 'Upgrade', Upgrade: ATTACH_UPGRADE, 'User-Agent': io.userAgent ?? 'heroku-toolbelt'}, ...tls})
    req.once('upgrade', (_res: IncomingMessage, s: Socket, head: Buffer) => resolve({socket: s, head}))
    req.once('response', (res: IncomingMessage) => {
      res.resume()
      reject(new UserError(`Could not attach to the dyno: the platform answered ${res.statusCode} ${res.statusMessage ?? ''}`.trim()))
    })
    req.once('error', error => reject(new UserError(`Could not attach to the dyno: ${error.message}`)))
    req.end()
  })
  return stream(socket.socket, socket.head, io)
}

function stream(socket: Socket, head: Buffer, io: AttachIO): Promise<number> {
  socket.setNoDelay(true)
  const {stdin} = io
  const raw = io.tty && typeof stdin.setRawMode === 'function'
  return new Promise((resolve, reject) => {
    let status: number | undefined
    // the command's own status line (exit-marker.ts), when present, is the command's status;
    // the EXIT frame's is then the status of the echo after it
    const filter = new ExitMarkerFilter(chunk => io.stdout.write(chunk))
    const decoder = new FrameDecoder((type, payload) => {
      switch (type) {
        case FrameType.stdout: {
          filter.push(payload)
          break
        }

        case FrameType.stderr: {
          io.stderr.write(payload)
          break
        }

        case FrameType.exit: {
          filter.end()
          status = filter.status ?? payload.readInt32BE(0)

          break
        }
      // No default
      }
    })
    const onData = (chunk: Buffer | string) => socket.write(encodeFrame(FrameType.stdin, typeof chunk === 'string' ? Buffer.from(chunk) : chunk))
    const onEnd = () => socket.write(encodeFrame(FrameType.stdinEof))
    const onSigint = () => socket.write(encodeFrame(FrameType.signal, 'SIGINT'))
    const onResize = () => {
      if (io.size) socket.write(resizeFrame(io.size().columns, io.size().rows))
    }

    if (raw) stdin.setRawMode!(true)
    if (stdin.readableEnded) onEnd()
    else {
      stdin.on('data', onData)
      stdin.once('end', onEnd)
      stdin.resume()
    }

    io.signals?.on('SIGINT', onSigint)
    if (io.tty) io.resizes?.on('resize', onResize)
    const cleanup = () => {
      io.resizes?.removeListener('resize', onResize)
      stdin.removeListener('data', onData)
      stdin.removeListener('end', onEnd)
      io.signals?.removeListener('SIGINT', onSigint)
      if (raw) stdin.setRawMode!(false)
      stdin.pause()
    }

    if (head.length > 0) decoder.push(head)
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk)
      } catch (error) {
        socket.destroy(error as Error)
      }
    })
    socket.once('close', () => {
      cleanup()
      if (status === undefined) reject(new UserError('The connection to the dyno closed before the command finished.'))
      else resolve(status)
    })
    socket.once('error', () => {})
  })
}
