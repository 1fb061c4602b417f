// A build's output while it runs: kept in memory, readable from the start by any number of
// followers (the pusher's hook, output_stream_url readers), each line also sent to the log sink.
// When the build ends the full text is stored in the build record and the live output is dropped.
import type {LogSink} from '../logs/log-sink.js'

export type OutputListener = (chunk: string) => void

/** what is kept (in memory and in the build record); followers and the log sink still get it all */
export const MAX_KEPT_OUTPUT = 8 * 1024 * 1024

export class BuildOutput {
  private text = ''
  private truncated = false
  private pendingLine = ''
  private done = false
  private readonly listeners = new Set<OutputListener>()
  private readonly endListeners = new Set<() => void>()

  constructor(private readonly appId: string, private readonly sink: LogSink) {}

  /** Appends text; whole lines go to the log sink as they complete. */
  write(chunk: string): void {
    if (this.done || chunk === '') return
    if (this.text.length + chunk.length <= MAX_KEPT_OUTPUT) {
      this.text += chunk
    } else if (!this.truncated) {
      this.truncated = true
      this.text += `\n !     The build output is longer than ${MAX_KEPT_OUTPUT / 1024 / 1024} MB: the rest is not kept (it went to the pusher and the app's logs).\n`
    }

    for (const listener of this.listeners) listener(chunk)
    const lines = (this.pendingLine + chunk).split('\n')
    this.pendingLine = lines.pop()!
    for (const line of lines) this.toSink(line)
  }

  line(text = ''): void {
    this.write(`${text}\n`)
  }

  /** a `-----> Step` heading, as buildpacks print */
  step(text: string): void {
    this.line(`-----> ${text}`)
  }

  /** an indented detail line under a step */
  detail(text: string): void {
    this.line(`       ${text}`)
  }

  get content(): string {
    return this.text
  }

  get finished(): boolean {
    return this.done
  }

  /** Replays the output so far to `listener`, then follows it until the end. Returns an unsubscribe. */
  follow(listener: OutputListener, onEnd: () => void): () => void {
    if (this.text !== '') listener(this.text)
    if (this.done) {
      onEnd()
      return () => {}
    }

    this.listeners.add(listener)
    this.endListeners.add(onEnd)
    return () => {
      this.listeners.delete(listener)
      this.endListeners.delete(onEnd)
    }
  }

  end(): void {
    if (this.done) return
    if (this.pendingLine !== '') this.toSink(this.pendingLine)
    this.pendingLine = ''
    this.done = true
    for (const onEnd of this.endListeners) onEnd()
    this.listeners.clear()
    this.endListeners.clear()
  }

  private toSink(line: string): void {
    const message = line.replace(/\r$/, '')
    try {
      this.sink.write({appId: this.appId, source: 'app', dyno: 'build', message})
    } catch {
      // a failing log sink must not fail the build
    }
  }
}
