import {AssertionError} from 'node:assert'

import type {Choice, Prompter, PromptOptions} from '../../src/lib/ui/prompter.js'

type Message = RegExp | string
type Kind = 'checkbox' | 'confirm' | 'input' | 'password'

/**
 * One expected question and the person's answer, keyed by the kind of prompt: the message is
 * matched exactly (a string) or by a RegExp; `flag`, when given, must be the flag the prompt
 * names for use off a TTY. A checkbox answer is the names of the choices picked.
 */
export type ScriptedAnswer = {flag?: string} & (
  | {answer: boolean, confirm: Message}
  | {answer: string, input: Message}
  | {answer: string, password: Message}
  | {answer: string[], checkbox: Message}
)

/** A question as it was asked. */
export interface AskedQuestion {
  choices?: string[]
  default?: boolean | string
  flag: string
  kind: Kind
  message: string
}

/** Prompters made in the running test; the root afterEach hook (setup.ts) checks each one. */
const live = new Set<ScriptedPrompter>()

/**
 * A Prompter for tests, as a person who answers `script` in order would be: a prompt that is
 * not the next one in the script (another kind, another message, or none left) is an assertion
 * error thrown from the prompt and reported again after the test, in case the code under test
 * swallowed it; an answer left unused fails the test too.
 */
export class ScriptedPrompter implements Prompter {
  readonly canPrompt = true
  readonly asked: AskedQuestion[] = []
  private readonly script: ScriptedAnswer[]
  private readonly failures: string[] = []

  constructor(script: ScriptedAnswer[]) {
    this.script = [...script]
    live.add(this)
  }

  async input(message: string, opts: PromptOptions & {default?: string}): Promise<string> {
    return this.next('input', message, opts) as string
  }

  async password(message: string, opts: PromptOptions): Promise<string> {
    return this.next('password', message, opts) as string
  }

  async confirm(message: string, opts: PromptOptions & {default?: boolean}): Promise<boolean> {
    return this.next('confirm', message, opts) as boolean
  }

  async checkbox<T>(message: string, choices: Choice<T>[], opts: PromptOptions): Promise<T[]> {
    const names = this.next('checkbox', message, opts, choices.map(c => c.name)) as string[]
    return names.map(name => {
      const choice = choices.find(c => c.name === name)
      if (!choice) this.fail(`checkbox "${message}": the script picks "${name}", which is not among the choices ${JSON.stringify(choices.map(c => c.name))}`)
      return choice!.value
    })
  }

  /** Throws when a prompt was unexpected or an answer is left; the prompter is then checked. */
  assertDone(): void {
    live.delete(this)
    if (this.failures.length > 0) throw new AssertionError({message: this.failures.join('\n')})
    if (this.script.length > 0) {
      throw new AssertionError({message: `the scripted prompter was not asked ${this.script.map(s => describeStep(s)).join(', ')}; it was asked ${this.describeAsked()}`})
    }
  }

  private next(kind: Kind, message: string, opts: PromptOptions & {default?: boolean | string}, choices?: string[]): boolean | string | string[] {
    this.asked.push({choices, default: opts.default, flag: opts.flag, kind, message})
    const step = this.script.shift()
    if (!step) return this.fail(`unexpected ${kind} prompt "${message}" (${opts.flag}): the script has no more answers`)
    const expected = expectationOf(step)
    if (expected.kind !== kind || !matches(expected.message, message)) {
      return this.fail(`unexpected ${kind} prompt "${message}": the script expected ${describeStep(step)}`)
    }

    if (step.flag !== undefined && step.flag !== opts.flag) {
      return this.fail(`${kind} prompt "${message}" names the flag ${opts.flag}; the script expected ${step.flag}`)
    }

    return step.answer
  }

  private fail(message: string): never {
    this.failures.push(message)
    throw new AssertionError({message})
  }

  private describeAsked(): string {
    return this.asked.length === 0 ? 'nothing' : this.asked.map(a => `${a.kind} "${a.message}"`).join(', ')
  }
}

export function scriptedPrompter(script: ScriptedAnswer[] = []): ScriptedPrompter {
  return new ScriptedPrompter(script)
}

/** What the prompters of the test that just ran left wrong; forgets them all. */
export function scriptedPrompterProblems(): string[] {
  const problems: string[] = []
  for (const prompter of live) {
    try {
      prompter.assertDone()
    } catch (error) {
      problems.push((error as Error).message)
    }
  }

  live.clear()
  return problems
}

function expectationOf(step: ScriptedAnswer): {kind: Kind, message: Message} {
  if ('checkbox' in step) return {kind: 'checkbox', message: step.checkbox}
  if ('confirm' in step) return {kind: 'confirm', message: step.confirm}
  if ('input' in step) return {kind: 'input', message: step.input}
  return {kind: 'password', message: step.password}
}

function matches(expected: Message, message: string): boolean {
  return typeof expected === 'string' ? expected === message : expected.test(message)
}

function describeStep(step: ScriptedAnswer): string {
  const {kind, message} = expectationOf(step)
  return `${kind} ${typeof message === 'string' ? `"${message}"` : String(message)}`
}
