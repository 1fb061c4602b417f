// Which extra certificate authority this CLI trusts for a URL: the local platform's own CA, for
// that platform's origin only (scheme, host and port exactly), as recorded in the settings by
// `heroku platform:start` and `heroku login --api-url`. Every place that connects (the API client,
// log streams, build and release output, `heroku run` attach, git clone) asks here; nothing ever
// turns certificate checks off. The CA file is read on the first connection that needs it, never
// at start-up.
import {readFileSync} from 'node:fs'

import {UserError} from '../errors.js'
import {readSettings, writeSettings} from '../settings.js'

type Env = NodeJS.ProcessEnv

/** `https://host:port` as URL.origin has it (lowercase host, default port dropped); undefined for a bad URL. */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url)
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined
    return parsed.origin
  } catch {
    return undefined
  }
}

/** The CA file recorded for this URL's origin, if it is an https URL we were told about. */
export function caFileFor(url: string, env: Env = process.env): string | undefined {
  const origin = originOf(url)
  if (!origin?.startsWith('https:')) return undefined
  const recorded = readSettings(env).trustedCAs ?? {}
  return Object.hasOwn(recorded, origin) ? recorded[origin] : undefined
}

/** A recorded CA file that cannot be read: what to do about it, no stack trace. */
export class CaFileError extends UserError {
  constructor(origin: string, file: string, reason: string) {
    super(`The certificate authority recorded for ${origin} cannot be read: ${file} (${reason}).`, {
      code: 'ca_file_unreadable',
      hint: `If that is the local platform, start it with heroku platform:start (it records its CA again), or log in with heroku login --api-url ${origin}.`,
    })
    this.name = 'CaFileError'
  }
}

const pems = new Map<string, string>()

/** The PEM text of the extra CA trusted for this URL (read once per file), or undefined. */
export function extraCaFor(url: string, env: Env = process.env): string | undefined {
  const file = caFileFor(url, env)
  if (!file) return undefined
  let pem = pems.get(file)
  if (pem === undefined) {
    try {
      pem = readFileSync(file, 'utf8')
    } catch (error) {
      const {code} = (error as NodeJS.ErrnoException)
      throw new CaFileError(originOf(url)!, file, code === 'ENOENT' ? 'no such file' : (code === 'EACCES' ? 'permission denied' : (error as Error).message))
    }

    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new CaFileError(originOf(url)!, file, 'not a PEM certificate')
    pems.set(file, pem)
  }

  return pem
}

/**
 * The certificate authorities to verify this URL's server with: Node's own roots plus the
 * recorded CA for its origin; undefined (the defaults) for any other URL.
 */
export async function certificateAuthoritiesFor(url: string, env: Env = process.env): Promise<string[] | undefined> {
  const pem = extraCaFor(url, env)
  if (pem === undefined) return undefined
  const {rootCertificates} = await import('node:tls')
  return [...rootCertificates, pem]
}

/** TLS options for node:https / node:tls connections to this URL: `{ca}` for a recorded origin, `{}` otherwise. */
export async function tlsOptionsFor(url: string, env: Env = process.env): Promise<{ca?: string[]}> {
  const ca = await certificateAuthoritiesFor(url, env)
  return ca ? {ca} : {}
}

/** `fetch` for this URL: the global one, or undici's with the recorded CA for its origin. */
export async function fetchFor(url: string, env: Env = process.env): Promise<typeof fetch> {
  const ca = await certificateAuthoritiesFor(url, env)
  if (!ca) return fetch
  const undici = await import('undici')
  const dispatcher = new undici.Agent({connect: {ca}})
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undici.fetch(input as Parameters<typeof undici.fetch>[0], {...(init as Parameters<typeof undici.fetch>[1]), dispatcher})) as unknown as typeof fetch
}

/** Trusts `caFile` for `url`'s origin from now on (https only). */
export function rememberCa(url: string, caFile: string, env: Env = process.env): void {
  const origin = originOf(url)
  if (!origin?.startsWith('https:')) return
  const recorded = readSettings(env).trustedCAs ?? {}
  if (recorded[origin] === caFile) return
  writeSettings({trustedCAs: {...recorded, [origin]: caFile}}, env)
}

/** Stops trusting any extra CA for `url`'s origin. */
export function forgetCa(url: string, env: Env = process.env): void {
  const origin = originOf(url)
  if (!origin) return
  const recorded = {...readSettings(env).trustedCAs}
  if (!Object.hasOwn(recorded, origin)) return
  delete recorded[origin]
  writeSettings({trustedCAs: recorded}, env)
}

/** Whether an error is a failed certificate check (self-signed, unknown issuer, wrong name). */
export function isCertificateError(error: unknown): boolean {
  const code = String((error as {code?: unknown})?.code ?? '')
  return /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME/.test(code)
}
