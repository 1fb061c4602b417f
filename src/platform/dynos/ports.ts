// Ports for web dynos. The platform never picks a port by binding it and closing it again (the
// port could be taken in between, and the dyno would inherit the race). Instead each web dyno
// gets the next port of a per-platform counter over a configurable range, skipping ports that
// our own dynos hold and ports where something already accepts connections (a connect probe).
// Should another process grab the port in the remaining window, the dyno fails to bind
// (EADDRINUSE), exits, and is restarted — with the next port; and a dyno counts as up only when
// the socket listening on its PORT is its own (the supervisor checks /proc/net/tcp), so the
// router never sends requests to a squatter.
import {connect} from 'node:net'

export const DEFAULT_PORT_RANGE: readonly [number, number] = [21_000, 29_999]

export class PortAllocator {
  private next: number

  constructor(private readonly min: number, private readonly max: number) {
    if (!(min > 0 && max >= min && max < 65_536)) throw new Error(`bad dyno port range ${min}-${max}`)
    this.next = min
  }

  async take(inUse: ReadonlySet<number>): Promise<number> {
    const span = this.max - this.min + 1
    for (let tried = 0; tried < span; tried++) {
      const port = this.next
      this.next = port === this.max ? this.min : port + 1
      if (inUse.has(port)) continue

      if (!(await accepts(port))) return port
    }

    throw new Error(`no free port for a web dyno in ${this.min}-${this.max}`)
  }
}

/** true if something accepts TCP connections on 127.0.0.1:port */
export function accepts(port: number, timeoutMs = 250): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({port, host: '127.0.0.1'})
    const done = (result: boolean) => {
      socket.destroy()
      clearTimeout(timer)
      resolve(result)
    }

    const timer = setTimeout(() => done(true), timeoutMs)
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}
