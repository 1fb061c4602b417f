import {PassThrough} from 'node:stream'

import {Output} from '../../src/lib/ui/output.js'

/** A stream that claims to be a terminal, capturing what is written to it. */
export class FakeTty extends PassThrough {
  isTTY = true
  columns = 100
  rows = 40
  text = ''
  constructor() {
    super()
    this.on('data', chunk => {
      this.text += String(chunk)
    })
  }

  /** Like process.stdout, a terminal is never ended by a writer that finishes (inquirer pipes into it). */
  override end(): this {
    return this
  }

  setRawMode(): this {
    return this
  }

  getWindowSize(): [number, number] {
    return [100, 40]
  }
}

/**
 * An Output wired to fake terminals; `type` answers prompts as a person would, once each
 * prompt has been drawn on stderr.
 */
export function ttyOutput(env: NodeJS.ProcessEnv = {}) {
  const stdin = new FakeTty()
  const stdout = new FakeTty()
  const stderr = new FakeTty()
  const out = new Output({env, stderr, stdin, stdout})
  async function answer(prompt: RegExp, text: string): Promise<void> {
    const started = Date.now()
    while (!prompt.test(stderr.text)) {
      if (Date.now() - started > 5000) throw new Error(`prompt ${prompt} never appeared; stderr: ${stderr.text}`)
      // eslint-disable-next-line no-await-in-loop
      await new Promise(resolve => {
        setTimeout(resolve, 10)
      })
    }

    stdin.write(text + '\r')
  }

  return {answer, out, stderr, stdin, stdout}
}
