// .env files: dotenv's rules (quotes, `#` comments, `export`, multi-line quoted values). dotenv
// skips a line it cannot read without a word, so each line is checked first and a bad one is
// reported with its number.

import {parse} from 'dotenv'
import {readFileSync} from 'node:fs'
import {resolve} from 'node:path'

import {UserError} from '../errors.js'

const ASSIGNMENT = /^\s*(?:export\s+)?([\w.-]+)(?:\s*=|:\s)/
const BLANK_OR_COMMENT = /^\s*(?:#.*)?$/
const QUOTES = new Set(['"', "'", '`'])

export class EnvFileError extends UserError {
  constructor(message: string) {
    super(message, {hint: 'Each line is KEY=VALUE (or a # comment); quote a value that spans lines: KEY="one\ntwo".'})
    this.name = 'EnvFileError'
  }
}

/** Whether `text` holds the closing `quote` (one not escaped with a backslash). */
function closes(text: string, quote: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === quote) return true
  }

  return false
}

/** A KEY=VALUE of a .env file and the lines it spans (0-based, end exclusive). */
export interface EnvEntry {
  end: number
  key: string
  start: number
}

/** The entries of a .env text; throws EnvFileError naming the first line that is not KEY=VALUE, a comment or blank. */
export function envEntries(text: string, file: string): EnvEntry[] {
  const lines = text.replaceAll(/\r\n?/g, '\n').split('\n')
  const entries: EnvEntry[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (BLANK_OR_COMMENT.test(line)) continue
    const match = ASSIGNMENT.exec(line)
    if (!match) throw new EnvFileError(`${file} line ${i + 1} is not KEY=VALUE: ${JSON.stringify(line.trim())}`)
    const start = i
    const value = line.slice(match[0].length).trimStart()
    const quote = value[0]
    if (QUOTES.has(quote)) {
      // a quoted value may run over several lines: carry on after its closing quote
      let rest = value.slice(1)
      while (!closes(rest, quote)) {
        i++
        if (i >= lines.length) throw new EnvFileError(`${file} line ${start + 1}: the ${quote} that opens the value of ${match[1]} is never closed`)
        rest = lines[i]
      }
    }

    entries.push({end: i + 1, key: match[1], start})
  }

  return entries
}

export function checkEnvLines(text: string, file: string): void {
  envEntries(text, file)
}

/**
 * `KEY='value'`, quoted so that dotenv reads back exactly the value: single quotes or backticks
 * keep everything literal (newlines too); double quotes only when neither fits, as dotenv turns
 * \n inside them into a newline.
 */
export function envLine(key: string, value: string): string {
  for (const quote of ["'", '`']) if (!value.includes(quote)) return `${key}=${quote}${value}${quote}`
  if (!value.includes('"') && !/\\[nr]/.test(value) && !value.includes('\r')) return `${key}="${value}"`
  throw new UserError(`The value of ${key} cannot be written to a .env file: it holds ', \` and " (dotenv has no escape for them).`)
}

/** Parses the text of a .env file; `file` names it in errors. */
export function parseEnv(text: string, file: string): Record<string, string> {
  checkEnvLines(text, file)
  return parse(text)
}

/** Reads and parses a .env file (relative to cwd). */
export function readEnvFile(cwd: string, file: string): Record<string, string> {
  let text: string
  try {
    text = readFileSync(resolve(cwd, file), 'utf8')
  } catch (error) {
    const {code} = (error as NodeJS.ErrnoException)
    if (code === 'ENOENT') throw new UserError(`No env file ${file}.`, {hint: 'Pass -e FILE with a file that exists, or leave -e out to read .env if there is one.'})
    throw new UserError(`Cannot read ${file}: ${(error as Error).message}`)
  }

  return parseEnv(text, file)
}
