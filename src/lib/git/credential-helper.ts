/**
 * git's credential-helper protocol (gitcredentials(7)): git writes `key=value` lines ending
 * with a blank line; for `get` we answer `username=` and `password=` lines, or nothing at all.
 */
export interface CredentialRequest {
  protocol?: string
  host?: string
  path?: string
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
  if (/[\n\0]/.test(token)) throw new TypeError('a token cannot contain newlines')
  return `username=${username}\npassword=${token}\n`
}
