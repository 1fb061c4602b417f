// The exit status of a one-off dyno's command, carried in its output the way Heroku's CLI does
// it: the command runs as `CMD; echo "\uFFFF heroku-command-exit-status: $?"`, and the client
// takes that line out of the stream. Heroku's rendezvous attach has no other way to tell the
// status; the local platform's attach protocol has an EXIT frame, but the command is the same
// for every platform, so both clients filter the line.

export const EXIT_MARKER = '\uFFFF heroku-command-exit-status: '
const MARKER = Buffer.from(EXIT_MARKER)
const LEAD = MARKER[0]
const LINE = /^\uFFFF heroku-command-exit-status: (\d+)\r?\n?/

/** `command` with the status echo appended. */
export const withExitMarker = (command: string): string => `${command}; echo "${EXIT_MARKER}$?"`

/**
 * Passes a byte stream on, minus the exit-status line, whose status it keeps. Bytes that might
 * start the marker are held back until it is clear they do not (a few bytes at most).
 */
export class ExitMarkerFilter {
  status?: number
  private held: Buffer = Buffer.alloc(0)

  constructor(private readonly write: (chunk: Buffer) => void) {}

  push(chunk: Buffer): void {
    let data = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk
    this.held = Buffer.alloc(0)
    for (;;) {
      const at = data.indexOf(MARKER)
      if (at === -1) break
      const line = LINE.exec(data.subarray(at).toString('utf8'))
      if (line === null || !/\n/.test(line[0])) {
        // the status line is not complete yet
        if (at > 0) this.write(data.subarray(0, at))
        this.held = data.subarray(at)
        return
      }

      this.status = Number(line[1])
      if (at > 0) this.write(data.subarray(0, at))
      data = data.subarray(at + Buffer.byteLength(line[0]))
    }

    // a partial marker at the very end: hold it back
    const lead = data.lastIndexOf(LEAD)
    if (lead !== -1 && data.length - lead < MARKER.length && MARKER.subarray(0, data.length - lead).equals(data.subarray(lead))) {
      if (lead > 0) this.write(data.subarray(0, lead))
      this.held = data.subarray(lead)
      return
    }

    if (data.length > 0) this.write(data)
  }

  /** The stream ended: whatever was held back goes out (a status line without newline counts). */
  end(): void {
    if (this.held.length === 0) return
    const line = LINE.exec(this.held.toString('utf8'))
    if (line) {
      this.status = Number(line[1])
      const rest = this.held.subarray(Buffer.byteLength(line[0]))
      if (rest.length > 0) this.write(rest)
    } else {
      this.write(this.held)
    }

    this.held = Buffer.alloc(0)
  }
}
