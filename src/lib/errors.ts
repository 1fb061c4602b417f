/**
 * Error classes shared by the whole CLI. Expected failures (the user can act on them) carry a
 * hint and an exit code; anything else that reaches the top is treated as a bug.
 */

/** Exit codes, documented in the README. Scripts rely on them: change none. */
export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  /** not logged in, or the platform rejected the token */
  auth: 4,
  /** the user cancelled a prompt (Ctrl-C), as a shell reports SIGINT */
  cancelled: 130,
} as const

/** A failure the user can do something about: shown as its message and hint, never a stack. */
export class UserError extends Error {
  readonly hint?: string
  readonly exitCode: number
  /** a stable machine-readable id, printed in --json errors */
  readonly code: string

  constructor(message: string, opts: {cause?: unknown, code?: string, exitCode?: number, hint?: string} = {}) {
    super(message, {cause: opts.cause})
    this.name = 'UserError'
    this.hint = opts.hint
    this.exitCode = opts.exitCode ?? ExitCode.error
    this.code = opts.code ?? 'error'
  }
}

/**
 * Something that should not happen whatever the user does: a broken invariant in this CLI.
 * Shown as "Unexpected error" with a request to report it (the stack under HEROKU_DEBUG=1), exit 1.
 * Anything thrown that is neither a UserError nor a BugError is treated the same way.
 */
export class BugError extends Error {
  constructor(message: string, opts: {cause?: unknown} = {}) {
    super(message, {cause: opts.cause})
    this.name = 'BugError'
  }
}

/** Bad flags or arguments detected by our own checks (oclif's parser has its own). */
export class UsageError extends UserError {
  constructor(message: string, opts: {hint?: string} = {}) {
    super(message, {...opts, exitCode: ExitCode.usage, code: 'usage'})
    this.name = 'UsageError'
  }
}

export class NotLoggedInError extends UserError {
  constructor(message = 'Not logged in.', hint = 'Run heroku login, or set HEROKU_API_KEY.') {
    super(message, {hint, exitCode: ExitCode.auth, code: 'unauthorized'})
    this.name = 'NotLoggedInError'
  }
}

/** The user pressed Ctrl-C at a prompt: leave quietly. */
export class CancelledError extends UserError {
  constructor() {
    super('Cancelled.', {exitCode: ExitCode.cancelled, code: 'cancelled'})
    this.name = 'CancelledError'
  }
}

/** A prompt was needed but nobody can answer it (no TTY, CI, --json). */
export class PromptUnavailableError extends UsageError {
  constructor(what: string, flag: string) {
    super(`Cannot ask for ${what}: not running in an interactive terminal.`, {hint: `Pass ${flag}.`})
    this.name = 'PromptUnavailableError'
  }
}
