import type {Output} from './output.js'

import {CancelledError, PromptUnavailableError} from '../errors.js'

/** What every prompt says about itself: the flag that answers it where nobody can (no TTY, CI, --json). */
export interface PromptOptions {
  flag: string
  /** what is asked for, in the error off a TTY ("Cannot ask for your email"); the message otherwise */
  what?: string
}

export interface Choice<T> {
  name: string
  value: T
}

/**
 * Questions to the person at the terminal, apart from output so that lib functions get one
 * passed in (tests pass a scripted one). Ctrl-C at a prompt is a CancelledError.
 */
export interface Prompter {
  /** a person can answer: stdin, stdout and stderr are TTYs, not CI, not --json */
  readonly canPrompt: boolean
  /** which of `choices` to pick (a checkbox list): their values */
  checkbox<T>(message: string, choices: Choice<T>[], opts: PromptOptions): Promise<T[]>
  confirm(message: string, opts: PromptOptions & {default?: boolean}): Promise<boolean>
  /** a line of text (required) */
  input(message: string, opts: PromptOptions & {default?: string}): Promise<string>
  /** a line of text, masked */
  password(message: string, opts: PromptOptions): Promise<string>
}

export interface TerminalPrompterOptions {
  /** the output layer: who watches (interactive, --json) and where prompts are drawn (stderr) */
  out: Output
  stdin?: NodeJS.ReadableStream & {isTTY?: boolean}
}

/**
 * Prompts drawn with @inquirer/prompts (loaded on first use) on stderr, read from stdin. Where
 * nobody can answer, a prompt is a PromptUnavailableError naming the flag to pass.
 */
export class TerminalPrompter implements Prompter {
  private readonly out: Output
  private readonly stdin: NodeJS.ReadableStream & {isTTY?: boolean}

  constructor(opts: TerminalPrompterOptions) {
    this.out = opts.out
    this.stdin = opts.stdin ?? process.stdin
  }

  get canPrompt(): boolean {
    return this.out.interactive && Boolean(this.stdin.isTTY) && !this.out.json
  }

  async input(message: string, opts: PromptOptions & {default?: string}): Promise<string> {
    this.require(opts.what ?? message, opts.flag)
    const {input} = await import('@inquirer/prompts')
    return cancellable(input({default: opts.default, message, required: true}, this.context()))
  }

  async password(message: string, opts: PromptOptions): Promise<string> {
    this.require(opts.what ?? message, opts.flag)
    const {password} = await import('@inquirer/prompts')
    return cancellable(password({mask: '*', message}, this.context()))
  }

  async confirm(message: string, opts: PromptOptions & {default?: boolean}): Promise<boolean> {
    this.require(opts.what ?? message, opts.flag)
    const {confirm} = await import('@inquirer/prompts')
    return cancellable(confirm({default: opts.default ?? false, message}, this.context()))
  }

  async checkbox<T>(message: string, choices: Choice<T>[], opts: PromptOptions): Promise<T[]> {
    this.require(opts.what ?? message, opts.flag)
    const {checkbox} = await import('@inquirer/prompts')
    return cancellable(checkbox({choices, message, pageSize: 20}, this.context()))
  }

  private require(what: string, flag: string): void {
    if (!this.canPrompt) throw new PromptUnavailableError(what, flag)
  }

  private context() {
    return {input: this.stdin, output: this.out.stderr}
  }
}

async function cancellable<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError' || (error as Error).name === 'AbortPromptError') throw new CancelledError()
    throw error
  }
}
