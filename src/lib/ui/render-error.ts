import type {Output} from './output.js'

import {ApiError} from '../api/api-error.js'
import {CancelledError, ExitCode, UserError} from '../errors.js'

interface OclifError {
  code?: string
  oclif?: {exit?: number}
}

/**
 * The one error path: a message a person can act on (the server's message, request id, hint),
 * a JSON object on stderr in --json mode, a stack only with HEROKU_DEBUG=1. Returns the exit code.
 * A UserError (or an oclif parse error) is expected: its message, its exit code. Anything else
 * — a BugError or whatever a bug threw — is "Unexpected error", exit 1, with a request to report it.
 */
export function renderError(out: Output, error: unknown, opts: {debug: boolean}): number {
  const err = error instanceof Error ? error : new Error(String(error))
  const oclifExit = (err as OclifError).oclif?.exit
  const expected = err instanceof UserError || oclifExit !== undefined
  const exitCode = err instanceof UserError ? err.exitCode : (oclifExit ?? ExitCode.error)

  if (err instanceof CancelledError) return exitCode

  const hint = err instanceof UserError
    ? err.hint
    : (oclifExit === ExitCode.usage && !err.message.includes('--help') ? 'See more help with --help.' : undefined)
  const requestId = err instanceof ApiError ? err.requestId : undefined
  const message = expected ? err.message : `Unexpected error: ${err.message}`

  if (out.json) {
    const body: Record<string, unknown> = {id: err instanceof UserError ? err.code : (expected ? 'usage' : 'internal_error'), message}
    if (err instanceof ApiError) body.status = err.status
    if (hint) body.hint = hint
    if (requestId) body.request_id = requestId
    out.stderr.write(JSON.stringify({error: body}) + '\n')
  } else {
    const lines = [`${out.color.red(' ›   Error:')} ${message.replaceAll('\n', '\n ›   ')}`]
    if (requestId) lines.push(` ›   Request ID: ${requestId}`)
    if (hint) lines.push(` ›   ${hint}`)
    if (!expected && !opts.debug) lines.push(' ›   This is a bug. Run again with HEROKU_DEBUG=1 for details, and report it.')
    out.stderr.write(lines.join('\n') + '\n')
  }

  if (opts.debug && err.stack) out.stderr.write(err.stack + '\n')
  return exitCode
}
