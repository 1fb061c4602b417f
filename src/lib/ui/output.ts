import type {ChalkInstance} from 'chalk'
import type {Writable} from 'node:stream'

import {Chalk} from 'chalk'

export interface Stream extends Writable {
  isTTY?: boolean
}

export interface OutputOptions {
  /** false for --no-color */
  color?: boolean
  env?: NodeJS.ProcessEnv
  /** --json: stdout carries the JSON result only */
  json?: boolean
  stderr?: Stream
  stdout?: Stream
}

export interface Spinner {
  fail(text?: string): void
  succeed(text?: string): void
  update(text: string): void
}

export interface Column<T> {
  get: (row: T) => null | number | string | undefined
  header: string
}

/**
 * The only place that writes to the terminal. It knows its audience: a person at a TTY gets
 * colour, tables and spinners; a pipe, CI, NO_COLOR or --json gets none of them. Questions
 * are the Prompter's (prompter.ts), which asks Output who watches.
 */
export class Output {
  readonly stdout: Stream
  readonly stderr: Stream
  readonly json: boolean
  /** a person is at the terminal: stdout and stderr are TTYs and this is not CI */
  readonly interactive: boolean
  readonly color: ChalkInstance
  private readonly env: NodeJS.ProcessEnv
  /** a plain progress line left open ("Creating app... ") ends before anything else is written */
  private progressOpen = false

  constructor(opts: OutputOptions = {}) {
    this.stdout = opts.stdout ?? process.stdout
    this.stderr = opts.stderr ?? process.stderr
    this.env = opts.env ?? process.env
    this.json = opts.json ?? false
    this.interactive = Boolean(this.stdout.isTTY && this.stderr.isTTY) && !isCI(this.env)
    const colour = opts.color !== false && !this.env.NO_COLOR && this.env.TERM !== 'dumb' && this.interactive
      && !this.json
    this.color = new Chalk({level: colour ? 1 : 0})
  }

  /** Human output on stdout; silent in JSON mode. */
  log(text = ''): void {
    if (!this.json) this.stdout.write(text + '\n')
  }

  /** One JSON value on a line of stdout, in every mode: streams (logs --json) print one object a line. */
  jsonLine(value: unknown): void {
    this.stdout.write(JSON.stringify(value) + '\n')
  }

  /** Progress and notes on stderr, in every mode (they never pollute --json output). */
  info(text: string): void {
    this.writeLine(text)
  }

  warn(text: string): void {
    this.writeLine(`${this.color.yellow(' ›   Warning:')} ${text.replaceAll('\n', '\n ›   ')}`)
  }

  private writeLine(text: string): void {
    this.stderr.write(`${this.progressOpen ? '\n' : ''}${text}\n`)
    this.progressOpen = false
  }

  /** A table on a TTY; tab-free aligned plain text otherwise, so scripts can cut columns. */
  async table<T>(rows: T[], columns: Column<T>[]): Promise<void> {
    if (this.json) return
    const cells = rows.map(row => columns.map(c => {
      const v = c.get(row)
      return v === undefined || v === null ? '' : String(v)
    }))
    if (!this.interactive) {
      const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map(r => r[i].length)))
      const line = (r: string[]) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]))).join('  ').trimEnd()
      this.log(line(columns.map(c => c.header)))
      for (const r of cells) this.log(line(r))
      return
    }

    const {default: Table} = await import('cli-table3')
    const table = new Table({
      chars: {bottom: '', 'bottom-left': '', 'bottom-mid': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '─', 'mid-mid': '┼', middle: '│', right: '', 'right-mid': '', top: '', 'top-left': '', 'top-mid': '', 'top-right': ''},
      head: columns.map(c => this.color.bold(c.header)),
      style: {head: [], border: [], 'padding-left': 1, 'padding-right': 1},
    })
    for (const r of cells) table.push(r)
    this.log(table.toString().split('\n').map(l => l.trimEnd()).filter((l, i) => i !== 1 || l.trim() !== '').join('\n'))
  }

  /**
   * `Key: value` lines with aligned values, as `heroku apps:info` prints. Empty values are left
   * out; `multiline` is for values that are data (config vars): every key is shown, even empty,
   * its continuation lines indented under the value, and keys green as the Heroku CLI colours them.
   */
  keyValues(pairs: Array<[string, null | number | string | undefined]>, opts: {multiline?: boolean} = {}): void {
    const shown = opts.multiline ? pairs : pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
    const width = Math.max(0, ...shown.map(([k]) => k.length + 1))
    const key = opts.multiline ? this.color.green : this.color.bold
    for (const [k, v] of shown) {
      const value = opts.multiline ? String(v ?? '').replaceAll('\n', '\n' + ' '.repeat(width + 1)) : v
      this.log(`${key(`${k}:`.padEnd(width))} ${value}`)
    }
  }

  /** A heading such as `=== my-app Config Vars`. */
  heading(text: string): void {
    this.log(this.color.bold(`=== ${text}`))
  }

  /** Runs `work` behind a spinner that ends "done", or "failed" when it throws (rethrown). */
  async withSpinner<T>(text: string, work: () => Promise<T>): Promise<T> {
    const spinner = await this.spinner(text)
    try {
      const result = await work()
      spinner.succeed()
      return result
    } catch (error) {
      spinner.fail()
      throw error
    }
  }

  /**
   * A spinner on stderr when a person watches; plain lines otherwise (no control bytes in logs).
   */
  async spinner(text: string): Promise<Spinner> {
    // a terminal that reports no width (e.g. under `script` with no size) makes ora redraw forever
    const width = (this.stderr as {columns?: number}).columns ?? 0
    if (!this.interactive || this.json || width <= 0) {
      // one line, as the Heroku CLI prints it: "Creating app... done" (the start shows at once)
      this.stderr.write(`${text}... `)
      this.progressOpen = true
      const finish = (outcome: string) => {
        this.stderr.write(this.progressOpen ? `${outcome}\n` : `${text}... ${outcome}\n`)
        this.progressOpen = false
      }

      return {fail: t => finish(t ?? 'failed'), succeed: t => finish(t ?? 'done'), update() {}}
    }

    const {default: ora} = await import('ora')
    const s = ora({discardStdin: false, stream: this.stderr, text}).start()
    return {
      fail: t => s.fail(`${text}... ${t ?? 'failed'}`),
      succeed: t => s.succeed(`${text}... ${t ?? 'done'}`),
      update(t) {
        s.text = t
      },
    }
  }
}

export function isCI(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0'
}
