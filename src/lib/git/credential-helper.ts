/**
 * git's credential-helper protocol (gitcredentials(7)): git writes `key=value` lines ending
 * with a blank line; for `get` we answer `username=` and `password=` lines, or nothing at all.
 */
import {UserError} from '../errors.js'

export interface CredentialRequest {
  host?: string
  path?: string
  protocol?: string
  username?: string
}

export function parseCredentialRequest(text: string): CredentialRequest {
  const req: Record<string, string> = {}
  for (const line of text.split('\n')) {
    if (line === '') continue
    const eq = line.indexOf('=')
    if (eq > 0) req[line.slice(0, eq)] = line.slice(eq + 1).replace(/\r$/, '')
  }

  return {host: req.host?.toLowerCase(), path: req.path, protocol: req.protocol, username: req.username}
}

/** Whether git asks about the platform's git host (host[:port] as git sends it). */
export function isPlatformGitHost(req: CredentialRequest, gitHost: string): boolean {
  if (!req.host) return false
  if (req.protocol && req.protocol !== 'https' && req.protocol !== 'http') return false
  return req.host === gitHost.toLowerCase()
}

export function formatCredentialAnswer(token: string, username = 'heroku'): string {
  // git's credential protocol is line-based: such a token (a damaged credentials file) cannot be passed
  if (/[\n\0]/.test(token)) throw new UserError('The stored token contains a line break, so git cannot be given it.', {hint: 'Log in again: heroku login.'})
  return `username=${username}\npassword=${token}\n`
}
