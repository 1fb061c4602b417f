import {readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

/**
 * Reads the password for a machine from ~/.netrc, where the Heroku CLI keeps its token, so that
 * its users are not logged out. Never written.
 */
export function netrcPassword(machine: string, path = join(homedir(), '.netrc')): string | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return undefined
  }

  const tokens = text.split('\n').filter(line => !line.trimStart().startsWith('#')).join(' ').split(/\s+/).filter(Boolean)
  let current: string | undefined
  for (let i = 0; i < tokens.length; i++) {
    const word = tokens[i]
    if (word === 'machine') {
      current = tokens[++i]
    } else if (word === 'default') {
      current = undefined
    } else if (word === 'password' && current === machine) {
      return tokens[i + 1]
    } else if (word === 'macdef') {
      break // macros run to a blank line; nothing after them is ours to read
    }
  }

  return undefined
}
