// One-off attach sessions (`heroku run`). An attached one-off dyno is offered under a secret
// (single use, dropped when nobody comes in time: supervisor.ts); the process starts when a client
// claims it, so nothing it prints is lost, and it is stopped when that client goes away.
// Two protocols claim sessions (docs/run-protocol.md):
//   - `heroku-run/1` (here): an HTTP Upgrade on /dyno-attach/<secret> on the API port; frames carry
//     stdin, signals and terminal resizes in, stdout, stderr and the exit status out;
//   - Heroku's rendezvous (rendezvous.ts): a TLS connection on the API port that sends the secret
//     as its first line; raw bytes both ways (what the official Heroku CLI speaks).

import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'

import {type ChildProcess, execFile} from 'node:child_process'

import type {DynoProcesses} from './dyno-process.js'
import type {AppRuntime, Dyno} from './dyno.js'

import {ATTACH_UPGRADE, exitFrame, FrameDecoder, FrameType} from '../../lib/run/attach-frames.js'
import {DYNO_MARKER_VAR, markedProcesses, terminalOf} from './processes.js'

const SIGNALS = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGKILL', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'])
/** what a session secret looks like (24 random bytes, base64url) */
export const ATTACH_SECRET = /^[\w-]{20,64}$/
const ATTACH_PATH = /^\/dyno-attach\/([\w-]{20,64})$/

/** A claimed session's running process. */
export interface AttachedProcess {
  child: ChildProcess
  dyno: Dyno
}

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

  /** The dyno offered under `secret`, no longer offered (single use); undefined when unknown, used or expired. */
  claim(secret: string): Dyno | undefined {
    const dyno = this.waiting.get(secret)
    this.waiting.delete(secret)
    return dyno
  }

  /**
   * Starts a claimed dyno's process. Its output goes to `output` as attach frames (STDOUT, STDERR,
   * then EXIT, after which `output` is ended); the dyno is stopped when `client` closes. Returns the
   * exit status to report instead when the process cannot start.
   */
  launch(dyno: Dyno, client: Duplex, output: Duplex = client): AttachedProcess | number {
    const rt = this.runtimeOf(dyno)
    if (!rt) return 1;
    (client as {setNoDelay?: (v: boolean) => void}).setNoDelay?.(true)
    const child = this.processes.launch(rt, dyno, output)
    if (!child) return 127
    child.stdin?.on('error', () => {})
    client.on('error', () => {})
    client.on('close', () => {
      // the client went away: the one-off dyno ends with it (its output, unread, is dropped)
      child.stdout?.resume()
      child.stderr?.resume()
      if (dyno.child) void this.processes.stop(rt, dyno)
    })
    return {dyno, child}
  }

  /** Sends a signal to the dyno's process group. */
  signal(dyno: Dyno, name: NodeJS.Signals): void {
    this.processes.signal(dyno, name)
  }

  /** Handles an HTTP Upgrade for an attach URL; false when the URL is not one. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const match = ATTACH_PATH.exec((req.url ?? '').split('?')[0])
    if (!match) return false
    if (String(req.headers.upgrade ?? '').toLowerCase() !== ATTACH_UPGRADE || !this.waiting.has(match[1])) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 36\r\n\r\nThis URL is unknown or has expired.\n')
      return true
    }

    const dyno = this.claim(match[1])!
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${ATTACH_UPGRADE}\r\n\r\n`)
    const launched = this.launch(dyno, socket)
    if (typeof launched === 'number') {
      socket.end(exitFrame(launched))
      return true
    }

    const {child} = launched
    const decoder = new FrameDecoder((type, payload) => {
      switch (type) {
        case FrameType.stdin: {
          child.stdin?.write(payload)
          break
        }

        case FrameType.stdinEof: {
          child.stdin?.end()
          break
        }

        case FrameType.signal: {
          const name = payload.toString('latin1')
          // on a terminal, Ctrl-C is the terminal's business: the pty turns ^C into SIGINT
          if (name === 'SIGINT' && dyno.oneOff?.tty) child.stdin?.write('\u0003')
          else if (SIGNALS.has(name)) this.signal(dyno, name as NodeJS.Signals)

          break
        }

        default: {if (type === FrameType.resize && dyno.oneOff?.tty && payload.length === 4 && dyno.instance) {
        // the pty belongs to script(1)'s child: set its size from outside (stty -F), which also
        // sends SIGWINCH to the terminal's foreground job
          const tty = terminalOf(markedProcesses(DYNO_MARKER_VAR, dyno.instance))
          if (tty) execFile('stty', ['-F', tty, 'cols', String(payload.readUInt16BE(0)), 'rows', String(payload.readUInt16BE(2))], () => {})
        }
        }
      }
    })
    if (head.length > 0) decoder.push(head)
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk)
      } catch {
        socket.destroy()
      }
    })
    // the API server's sockets allow half-open connections; in this protocol stdin ends with a
    // frame, so a FIN from the client means it is gone
    socket.once('end', () => socket.destroy())
    return true
  }
}
