// How a push reaches the build, and how the build's output reaches the pusher.
//
//   git push ──smart HTTP──▶ platform ──spawn──▶ git http-backend ──▶ git receive-pack
//                                                                        │ runs hooks/pre-receive
//   pre-receive (sh) ─exec─▶ node pre-receive-client.mjs ──POST /git-hooks/<secret>──▶ platform
//                                                                        │ builds and releases,
//   "remote: …" lines ◀── hook stdout ◀── streamed response body ◀────────┘ streaming the output
//
// - When an authenticated POST git-receive-pack arrives, the platform opens a push session: a
//   random secret bound to that app and account, valid while that http-backend process runs. Its
//   callback URL goes to http-backend (and so to receive-pack and the hook) in the environment
//   (HEROKU_PLATFORM_HOOK_URL); the secret is never on a command line.
// - The hook client posts the ref updates from its stdin plus git's quarantine variables (during
//   pre-receive the pushed objects sit in a quarantine directory that only the hook's environment
//   names), and copies the streamed response to stdout, which git relays as `remote:` lines.
// - The response ends with a trailer `Hook-Exit: <code>`; the client exits with it. Non-zero
//   makes receive-pack refuse the push: the refs do not move and `git push` fails.
// - A repository used outside the platform (no HEROKU_PLATFORM_HOOK_URL) refuses every push.
import {randomBytes} from 'node:crypto'

export const HOOK_CLIENT_FILE = 'pre-receive-client.mjs'
export const HOOK_EXIT_TRAILER = 'Hook-Exit'

export const preReceiveScript = `#!/bin/sh
# Installed by the local platform (src/platform/git/hook.ts): hands the push to the platform.
if [ -z "$HEROKU_PLATFORM_HOOK_URL" ] || [ -z "$HEROKU_PLATFORM_NODE" ]; then
  echo "Push through the app's git URL (heroku git:remote); this repository only accepts pushes from the platform." >&2
  exit 1
fi
exec "$HEROKU_PLATFORM_NODE" "$(dirname "$0")/${HOOK_CLIENT_FILE}"
`

/**
 * The hook client: plain JavaScript with node:http only (node:https when the platform speaks TLS,
 * trusting the local CA named by HEROKU_PLATFORM_HOOK_CA), so that it starts in a few ms.
 */
export const hookClientSource = `// Installed by the local platform (src/platform/git/hook.ts). Do not edit: rewritten at start-up.
import {readFileSync} from 'node:fs'

const secure = process.env.HEROKU_PLATFORM_HOOK_URL.startsWith('https:')
const {request} = secure ? await import('node:https') : await import('node:http')
const tls = secure && process.env.HEROKU_PLATFORM_HOOK_CA ? {ca: readFileSync(process.env.HEROKU_PLATFORM_HOOK_CA)} : {}

const refs = readFileSync(0, 'utf8').split('\\n').filter(Boolean).map(line => {
  const [oldSha, newSha, ref] = line.split(' ')
  return {oldSha, newSha, ref}
})
const quarantine = {}
for (const name of ['GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_QUARANTINE_PATH']) {
  if (process.env[name]) quarantine[name] = process.env[name]
}
const body = JSON.stringify({refs, quarantine})
const req = request(process.env.HEROKU_PLATFORM_HOOK_URL, {...tls, method: 'POST', headers: {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body)}}, res => {
  res.on('data', chunk => process.stdout.write(chunk))
  res.on('end', () => {
    const code = Number(res.trailers['${HOOK_EXIT_TRAILER.toLowerCase()}'])
    if (!Number.isInteger(code)) process.stdout.write('\\n !     The platform stopped answering before the deploy finished.\\n')
    process.exitCode = Number.isInteger(code) ? code : 1
  })
  res.on('error', () => {
    process.stdout.write('\\n !     Lost the connection to the platform during the deploy.\\n')
    process.exitCode = 1
  })
})
req.on('error', error => {
  process.stdout.write(' !     Cannot reach the platform: ' + error.message + '\\n')
  process.exitCode = 1
})
req.end(body)
`

export interface RefUpdate {
  newSha: string
  oldSha: string
  ref: string
}

export interface HookRequest {
  quarantine: Record<string, string>
  refs: RefUpdate[]
}

export interface PushSession {
  accountId: string
  appId: string
  repoDir: string
}

/** Push sessions by secret; each lives as long as its git-receive-pack request. */
export class PushSessions {
  private readonly sessions = new Map<string, PushSession>()

  open(session: PushSession): {close: () => void, secret: string} {
    const secret = randomBytes(32).toString('base64url')
    this.sessions.set(secret, session)
    return {secret, close: () => this.sessions.delete(secret)}
  }

  get(secret: string): PushSession | undefined {
    return this.sessions.get(secret)
  }
}

const SHA = /^[0-9a-f]{40}$/

/** Parses and checks the hook's request body; undefined if malformed. */
export function parseHookRequest(body: unknown): HookRequest | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const {refs, quarantine} = body as {quarantine?: unknown, refs?: unknown}
  if (!Array.isArray(refs) || typeof quarantine !== 'object' || quarantine === null) return undefined
  const parsed: RefUpdate[] = []
  for (const item of refs) {
    const {oldSha, newSha, ref} = (item ?? {}) as Record<string, unknown>
    if (typeof oldSha !== 'string' || typeof newSha !== 'string' || typeof ref !== 'string') return undefined
    if (!SHA.test(oldSha) || !SHA.test(newSha) || !ref.startsWith('refs/')) return undefined
    parsed.push({oldSha, newSha, ref})
  }

  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(quarantine)) {
    if (!['GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_OBJECT_DIRECTORY', 'GIT_QUARANTINE_PATH'].includes(name) || typeof value !== 'string') return undefined
    env[name] = value
  }

  return {refs: parsed, quarantine: env}
}
