// One-off attach sessions (`heroku run`): the client upgrades its connection to an attach URL
// (/dyno-attach/<secret>, single use) on the API port; frames carry stdin, signals and terminal
// resizes in, stdout, stderr and the exit status out (docs/run-protocol.md). The process starts
// when the client connects, so nothing it prints is lost.
import {execFile} from 'node:child_process'
import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'

import {ATTACH_UPGRADE, exitFrame, FrameDecoder, FrameType} from '../../lib/run/attach-frames.js'
import type {AppRuntime, Dyno} from './dyno.js'
import type {DynoProcesses} from './dyno-process.js'
import {DYNO_MARKER_VAR, markedProcesses, terminalOf} from './processes.js'

const SIGNALS = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGKILL', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'])
const ATTACH_PATH = /^\/dyno-attach\/([\w-]{20,64})$/

export class AttachSessions {
  private readonly waiting = new Map<string, Dyno>()

  constructor(private readonly processes: DynoProcesses, private readonly runtimeOf: (d: Dyno) => AppRuntime | undefined) {}

  /** Makes the dyno attachable with `secret` until the client comes (or forget() is called). */
  offer(secret: string, d: Dyno): void {
    this.waiting.set(secret, d)
  }

  forget(secret: string): void {
    this.waiting.delete(secret)
  }

  /** Handles an HTTP Upgrade for an attach URL; false when the URL is not one. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const match = ATTACH_PATH.exec((req.url ?? '').split('?')[0])
    if (!match) return false
    const dyno = this.waiting.get(match[1])
    if (!dyno || String(req.headers.upgrade ?? '').toLowerCase() !== ATTACH_UPGRADE) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 36\r\n\r\nThis URL is unknown or has expired.\n')
      return true
    }
    this.waiting.delete(match[1])
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${ATTACH_UPGRADE}\r\n\r\n`)
    const rt = this.runtimeOf(dyno)
    if (!rt) {
      socket.end(exitFrame(1))
      return true
    }
    ;(socket as {setNoDelay?: (v: boolean) => void}).setNoDelay?.(true)
    const child = this.processes.launch(rt, dyno, socket)
    if (!child) {
      socket.end(exitFrame(127))
      return true
    }
    const decoder = new FrameDecoder((type, payload) => {
      if (type === FrameType.stdin) child.stdin?.write(payload)
      else if (type === FrameType.stdinEof) child.stdin?.end()
      else if (type === FrameType.signal) {
        const name = payload.toString('latin1')
        // on a terminal, Ctrl-C is the terminal's business: the pty turns ^C into SIGINT
        if (name === 'SIGINT' && dyno.oneOff?.tty) child.stdin?.write('\u0003')
        else if (SIGNALS.has(name)) this.processes.signal(dyno, name as NodeJS.Signals)
      } else if (type === FrameType.resize && dyno.oneOff?.tty && payload.length === 4 && dyno.instance) {
        // the pty belongs to script(1)'s child: set its size from outside (stty -F), which also
        // sends SIGWINCH to the terminal's foreground job
        const tty = terminalOf(markedProcesses(DYNO_MARKER_VAR, dyno.instance))
        if (tty) execFile('stty', ['-F', tty, 'cols', String(payload.readUInt16BE(0)), 'rows', String(payload.readUInt16BE(2))], () => {})
      }
    })
    child.stdin?.on('error', () => {})
    if (head.length > 0) decoder.push(head)
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk)
      } catch {
        socket.destroy()
      }
    })
    socket.on('error', () => {})
    // the API server's sockets allow half-open connections; in this protocol stdin ends with a
    // frame, so a FIN from the client means it is gone
    socket.once('end', () => socket.destroy())
    socket.on('close', () => {
      // the client went away: the one-off dyno ends with it (its output, unread, is dropped)
      child.stdout?.resume()
      child.stderr?.resume()
      if (dyno.child) void this.processes.stop(rt, dyno)
    })
    return true
  }
}
