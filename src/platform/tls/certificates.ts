// The certificates the platform serves, issued by its local CA (authority.ts):
//   - the default one: localhost, 127.0.0.1, ::1 (and the --host when it is not one of those),
//     for the API/git port and for the router when a client names no app;
//   - one per app, APP.localhost, issued on demand when a TLS client asks for that name (SNI).
// Each is kept on disk (DATA/tls/leaves/NAME.pem, key and certificate, 0600) and in memory, and
// issued again when it comes within 30 days of its end (checked at each use and twice a day).
// Any other name, no name, or a failure to issue gets the default certificate: a handshake never
// fails on the name, and the CA never signs a name a client chose freely.
import {mkdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {createSecureContext, type SecureContext, type Server as TlsServer} from 'node:tls'

import {APP_NAME} from '../names.js'
import {type Authority, issueLeaf, type Leaf, needsReissue, openAuthority, parseLeaf, serializeLeaf, tlsDir, writePrivate} from './authority.js'

export interface TlsCertificatesOptions {
  /** whether an app of that name exists; names of no app get the default certificate */
  appExists?: (name: string) => boolean
  dataDir: string
  /** the interface the platform listens on: in the default certificate when it is not loopback */
  host?: string
  log?: (line: string) => void
  /** the clock (tests) */
  now?: () => Date
}

interface Served {
  context: SecureContext
  leaf: Leaf
}

const LEAVES_DIR = 'leaves'
const DEFAULT = 'default'
/** app certificates kept in memory at most (then the memory cache starts again; disk keeps them) */
const MAX_CACHED = 1000
const RECHECK_MS = 12 * 60 * 60 * 1000
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::'])

/**
 * The names of the default certificate for a platform listening on `host`: the loopback ones,
 * then the host when it is none of them (a name the CA's constraints do not cover: see docs/tls.md).
 * A loopback address other than 127.0.0.1 (127.0.0.2) is covered and named too.
 */
export function defaultNames(host: string | undefined): string[] {
  const names = ['localhost', '127.0.0.1', '::1']
  const bare = host?.replace(/^\[|\]$/g, '').toLowerCase()
  if (bare && !LOOPBACK.has(bare) && !names.includes(bare)) names.push(bare)
  return names
}

/** Whether the CA may vouch for `name` (its nameConstraints: localhost, *.localhost, 127/8, ::1). */
export function withinConstraints(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(name) || name === '::1'
}

/** The app a TLS server name asks for (`APP.localhost`), or undefined for any other name. */
export function appOfServerName(servername: string | undefined): string | undefined {
  if (!servername) return undefined
  const name = servername.toLowerCase()
  if (!name.endsWith('.localhost')) return undefined
  const app = name.slice(0, -'.localhost'.length)
  return APP_NAME.test(app) ? app : undefined
}

export class TlsCertificates {
  private readonly served = new Map<string, Served>()
  private readonly issuing = new Map<string, Promise<Served>>()
  private readonly servers = new Set<TlsServer>()
  private readonly now: () => Date
  private readonly leavesDir: string
  private timer?: NodeJS.Timeout
  private defaultServed!: Served

  private constructor(private readonly o: TlsCertificatesOptions, readonly authority: Authority) {
    this.now = o.now ?? (() => new Date())
    this.leavesDir = join(tlsDir(o.dataDir), LEAVES_DIR)
    mkdirSync(this.leavesDir, {recursive: true, mode: 0o700})
  }

  /** The data dir's CA (made at the first start) and the default certificate, ready to serve. */
  static async open(o: TlsCertificatesOptions): Promise<TlsCertificates> {
    const authority = await openAuthority(o.dataDir, {now: o.now?.(), log: o.log})
    const certificates = new TlsCertificates(o, authority)
    certificates.defaultServed = await certificates.obtain(DEFAULT, defaultNames(o.host))
    return certificates
  }

  /** absolute path of the CA certificate (ca.pem) */
  get caPath(): string {
    return this.authority.certPath
  }

  get caPem(): string {
    return this.authority.certPem
  }

  /** the default certificate and its key (PEM), for a server's options */
  get defaultLeaf(): Leaf {
    return this.defaultServed.leaf
  }

  /**
   * Options for a node:tls / node:https server: the default certificate (for clients that send no
   * SNI, such as those connecting to 127.0.0.1) and, with `perApp`, APP.localhost certificates by SNI.
   * Give the server to track() so that a re-issued default certificate reaches it.
   */
  serverOptions(perApp: boolean): {cert: string, key: string, SNICallback: (servername: string, callback: (error: Error | null, context?: SecureContext) => void) => void} {
    return {key: this.defaultLeaf.keyPem, cert: this.defaultLeaf.certPem, SNICallback: perApp ? this.sniCallback : this.defaultOnly}
  }

  /** `server` gets the default certificate again whenever it is re-issued. */
  track(server: TlsServer): void {
    this.servers.add(server)
    this.timer ??= setInterval(() => {
      void this.renewDefault().catch(error => this.o.log?.(`tls: could not renew the default certificate: ${(error as Error).message}`))
    }, RECHECK_MS).unref()
  }

  close(): void {
    clearInterval(this.timer)
    this.timer = undefined
    this.servers.clear()
  }

  /** node:tls SNICallback: never an error, at worst the default certificate */
  readonly sniCallback = (servername: string, callback: (error: Error | null, context?: SecureContext) => void): void => {
    this.contextFor(servername).then(context => callback(null, context), () => callback(null, this.defaultServed.context))
  }

  private readonly defaultOnly = (_servername: string, callback: (error: Error | null, context?: SecureContext) => void): void => {
    this.renewDefault().then(() => callback(null, this.defaultServed.context), () => callback(null, this.defaultServed.context))
  }

  /** The context a handshake naming `servername` gets. */
  async contextFor(servername: string | undefined): Promise<SecureContext> {
    const app = appOfServerName(servername)
    if (app === undefined || (this.o.appExists && !this.o.appExists(app))) {
      await this.renewDefault()
      return this.defaultServed.context
    }

    const host = `${app}.localhost`
    const known = this.served.get(host)
    if (known && !needsReissue(known.leaf, this.authority, [host], this.now())) return known.context
    try {
      return (await this.obtain(host, [host])).context
    } catch (error) {
      this.o.log?.(`tls: could not issue a certificate for ${host}: ${(error as Error).message}`)
      return this.defaultServed.context
    }
  }

  /** The default certificate issued again when it is due, and given to every server that serves it. */
  async renewDefault(): Promise<void> {
    if (!needsReissue(this.defaultServed.leaf, this.authority, this.defaultServed.leaf.names, this.now())) return
    this.defaultServed = await this.obtain(DEFAULT, defaultNames(this.o.host))
    for (const server of this.servers) server.setSecureContext({key: this.defaultLeaf.keyPem, cert: this.defaultLeaf.certPem})
  }

  /** From memory, from disk, or issued now (and written to disk); one issuing per name at a time. */
  private obtain(file: string, names: string[]): Promise<Served> {
    const pending = this.issuing.get(file)
    if (pending) return pending
    const work = (async () => {
      const path = join(this.leavesDir, `${file}.pem`)
      let leaf: Leaf | undefined
      try {
        leaf = parseLeaf(readFileSync(path, 'utf8'), this.authority)
      } catch {
        leaf = undefined
      }

      if (!leaf || needsReissue(leaf, this.authority, names, this.now())) {
        leaf = await issueLeaf(this.authority, names, this.now())
        writePrivate(path, serializeLeaf(leaf))
        this.o.log?.(`tls: issued a certificate for ${names.join(', ')} (until ${leaf.notAfter.toISOString().slice(0, 10)})`)
      }

      const served = {leaf, context: createSecureContext({key: leaf.keyPem, cert: leaf.certPem})}
      if (file !== DEFAULT) {
        if (this.served.size >= MAX_CACHED) this.served.clear()
        this.served.set(file, served)
      }

      return served
    })()
    this.issuing.set(file, work)
    return work.finally(() => this.issuing.delete(file))
  }
}
