import {PassThrough} from 'node:stream'

import {Output} from '../../src/lib/ui/output.js'
import {TerminalPrompter} from '../../src/lib/ui/prompter.js'

/** A stream that captures what is written to it and says it is a terminal, or not (a pipe). */
export class FakeTty extends PassThrough {
  isTTY: boolean
  columns = 100
  rows = 40
  text = ''

  constructor(opts: {isTTY?: boolean} = {}) {
    super()
    this.isTTY = opts.isTTY ?? true
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

export interface TestOutputOptions {
  color?: boolean
  /** stderr's width; 0 is a terminal that reports none (plain progress lines, no ora redraws) */
  columns?: number
  /** the environment Output and the prompter see (default: none, so never the suite's CI) */
  env?: NodeJS.ProcessEnv
  json?: boolean
  /** default: as stdout */
  stderrTTY?: boolean
  /** default: as stdout */
  stdinTTY?: boolean
  /** stdout is a terminal (default: a pipe) */
  stdoutTTY?: boolean
}

/**
 * An Output on fake streams that capture stdout and stderr (`.text`), as terminals or pipes,
 * with the real terminal prompter on the fake stdin. `answer` types into that stdin once a
 * prompt has been drawn on stderr, as a person would; lib tests that only need answers use
 * scriptedPrompter instead.
 */
export function testOutput(opts: TestOutputOptions = {}) {
  const stdoutTTY = opts.stdoutTTY ?? false
  const stdin = new FakeTty({isTTY: opts.stdinTTY ?? stdoutTTY})
  const stdout = new FakeTty({isTTY: stdoutTTY})
  const stderr = new FakeTty({isTTY: opts.stderrTTY ?? stdoutTTY})
  if (opts.columns !== undefined) stderr.columns = opts.columns
  const out = new Output({color: opts.color, env: opts.env ?? {}, json: opts.json, stderr, stdout})
  const prompter = new TerminalPrompter({out, stdin})
  async function answer(prompt: RegExp, text: string): Promise<void> {
    const started = Date.now()
    while (!prompt.test(stderr.text)) {
      if (Date.now() - started > 5000) throw new Error(`prompt ${prompt} never appeared; stderr: ${stderr.text}`)

      await new Promise(resolve => {
        setTimeout(resolve, 10)
      })
    }

    stdin.write(text + '\r')
  }

  return {answer, out, prompter, stderr, stdin, stdout}
}
