// The byte framing of an attached one-off dyno (see docs/run-protocol.md). After the HTTP
// Upgrade to `heroku-run/1`, both directions carry frames:
//
//   +--------+----------------------+-----------------+
//   | type:1 | length:4 (uint32 BE) | payload: length |
//   +--------+----------------------+-----------------+
//
// client → platform: STDIN data, STDIN_EOF (empty), SIGNAL (payload: a name such as "SIGINT"),
// RESIZE (payload: columns and rows, uint16 BE each; a terminal session only)
// platform → client: STDOUT data, STDERR data, EXIT (payload: int32 BE exit status; a process
// killed by signal N reports 128+N, as a shell does), after which the platform closes.
// The platform's side and the CLI's side both use this module.

export const FrameType = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  exit: 3,
  stdinEof: 4,
  signal: 5,
  resize: 6,
} as const

export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType]

export const ATTACH_UPGRADE = 'heroku-run/1'
/** frames larger than this are a protocol error (data is sent in chunks far smaller) */
export const MAX_FRAME = 1024 * 1024

const HEADER = 5

export function encodeFrame(type: FrameTypeValue, payload: string | Uint8Array = new Uint8Array(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload
  const frame = Buffer.allocUnsafe(HEADER + body.length)
  frame[0] = type
  frame.writeUInt32BE(body.length, 1)
  frame.set(body, HEADER)
  return frame
}

export function exitFrame(status: number): Buffer {
  const payload = Buffer.alloc(4)
  payload.writeInt32BE(status, 0)
  return encodeFrame(FrameType.exit, payload)
}

export function resizeFrame(columns: number, rows: number): Buffer {
  const payload = Buffer.alloc(4)
  payload.writeUInt16BE(Math.max(1, Math.min(columns, 0xFF_FF)), 0)
  payload.writeUInt16BE(Math.max(1, Math.min(rows, 0xFF_FF)), 2)
  return encodeFrame(FrameType.resize, payload)
}

/** Incremental decoder: push bytes as they arrive; whole frames come out in order. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0)

  constructor(private readonly onFrame: (type: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    while (this.pending.length >= HEADER) {
      const length = this.pending.readUInt32BE(1)
      if (length > MAX_FRAME) throw new Error(`attach protocol: a frame of ${length} bytes is larger than ${MAX_FRAME}`)
      if (this.pending.length < HEADER + length) return
      const type = this.pending[0]
      const payload = this.pending.subarray(HEADER, HEADER + length)
      this.pending = this.pending.subarray(HEADER + length)
      this.onFrame(type, payload)
    }
  }
}
