import {UsageError} from '../errors.js'

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/

/** A config var name as a shell would accept it: letters, digits, _, not starting with a digit. */
export function validateKey(key: string): string {
  if (!KEY.test(key)) {
    throw new UsageError(key === '' ? 'A config var name cannot be empty.' : `${JSON.stringify(key)} is not a valid config var name.`, {
      hint: 'Names use letters, digits and _, and do not start with a digit (e.g. DATABASE_URL).',
    })
  }

  return key
}

/** `KEY=VALUE` pairs; the value is everything after the first `=`, and may itself contain `=`. */
export function parseAssignments(args: string[]): Record<string, string> {
  if (args.length === 0) throw new UsageError('Give at least one KEY=VALUE.', {hint: 'e.g. heroku config:set RAILS_ENV=production'})
  const vars: Record<string, string> = {}
  for (const arg of args) {
    const eq = arg.indexOf('=')
    if (eq === -1) throw new UsageError(`${arg} is not KEY=VALUE.`, {hint: 'To set an empty value, write KEY= .'})
    vars[validateKey(arg.slice(0, eq))] = arg.slice(eq + 1)
  }

  return vars
}

/** A value quoted for POSIX sh: safe inside eval, whatever it contains. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", String.raw`'\''`)}'`
}

/** `KEY='value'` lines that sh can eval back to the exact values. */
export function shellLines(vars: Record<string, string>): string {
  return Object.entries(vars).map(([k, v]) => `${k}=${shellQuote(v)}`).join('\n')
}
