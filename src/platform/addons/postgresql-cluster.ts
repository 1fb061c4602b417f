// The PostgreSQL cluster the platform runs itself for heroku-postgresql (when no external server
// is configured): Debian's server binaries, one cluster under the provider's directory, its
// server run only through the platform's supervisor for servers (ServiceProcesses: sandboxed, as
// a uid of its own when the platform is root, recorded, restarted with backoff, stopped with the
// platform).
//
//   DATA/addons/heroku-postgresql/
//     cluster.json          the port chosen once (DATABASE_URLs stay valid across restarts), the version
//     superuser-password    the superuser's password (0600, the platform's alone)
//     data/                 PGDATA (the server's uid's, 0700)
//
// The server listens on 127.0.0.1 only, with no Unix socket, password (SCRAM) authentication for
// every connection, and logs to stderr with the database name first on each line ("[db] …"), so
// the provider can route a line to the apps of that database's add-on.
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, readdirSync} from 'node:fs'
import {mkdir, readFile, rename, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import type {SandboxStatus} from '../sandbox/sandbox.js'

import {accepts} from '../dynos/ports.js'
import {SERVICE_UIDS, type ServiceProcesses, type ServiceSpec} from '../dynos/service-processes.js'

export const POSTGRES_SERVICE_KEY = 'postgres'
/** where the cluster's port is chosen (once, at initdb) */
export const CLUSTER_PORT_RANGE: readonly [number, number] = [15_432, 15_999]
const SUPERUSER = 'postgres'
/** the server's max_connections: room for the plans' limits of several add-ons and the platform's own */
const MAX_CONNECTIONS = 200

export interface PostgresBinaries {
  bindir: string
  /** major version, e.g. 15 */
  version: number
}

/**
 * Debian's PostgreSQL server binaries: `pg_config --bindir` when it names a dir with postgres and
 * initdb in it, else the newest /usr/lib/postgresql/<version>/bin; `version` pins one major
 * version (the one an existing cluster was made with).
 */
export function findPostgresBinaries(version?: number): PostgresBinaries | undefined {
  // asked at every provision: looked up once a minute at most (an install shows up without a restart)
  const key = version ?? 0
  const cached = found.get(key)
  if (cached !== undefined && Date.now() - cached.at < 60_000) return cached.binaries
  const binaries = lookUpBinaries(version)
  found.set(key, {at: Date.now(), binaries})
  return binaries
}

const found = new Map<number, {at: number, binaries: PostgresBinaries | undefined}>()

function lookUpBinaries(version?: number): PostgresBinaries | undefined {
  const usable = (bindir: string): boolean => existsSync(join(bindir, 'postgres')) && existsSync(join(bindir, 'initdb'))
  const versionOf = (bindir: string): number | undefined => {
    const match = /\/postgresql\/(\d+)\/bin\/?$/.exec(bindir)
    if (match) return Number(match[1])
    try {
      const out = execFileSync(join(bindir, 'postgres'), ['--version'], {encoding: 'utf8', timeout: 5000})
      const m = /(\d+)(?:\.\d+)?/.exec(out)
      return m ? Number(m[1]) : undefined
    } catch {
      return undefined
    }
  }

  const candidates: string[] = []
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], {encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore']}).trim())
  } catch {}

  try {
    const versions = readdirSync('/usr/lib/postgresql').filter(v => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
    candidates.push(...versions.map(v => `/usr/lib/postgresql/${v}/bin`))
  } catch {}

  for (const bindir of candidates) {
    if (!bindir || !usable(bindir)) continue
    const major = versionOf(bindir)
    if (major === undefined) continue
    if (version === undefined || major === version) return {bindir, version: major}
  }

  return undefined
}

/** Why this platform cannot run its own cluster, or undefined when it can. */
export function clusterUnavailableReason(services: ServiceProcesses | undefined, sandbox: SandboxStatus): string | undefined {
  const external = 'or start the platform with HEROKU_PLATFORM_POSTGRES_URL=postgres://ADMIN:PASSWORD@HOST:PORT/postgres to use a PostgreSQL server of your own'
  if (services === undefined) return `heroku-postgresql is unavailable on this platform: it runs its own PostgreSQL server, and this platform runs no processes (dynos are off). Turn dynos on, ${external}.`
  if (findPostgresBinaries() === undefined) return `heroku-postgresql is unavailable on this platform: PostgreSQL's server is not installed (no postgres and initdb under pg_config --bindir or /usr/lib/postgresql/*/bin). Install it (apt-get install postgresql) and restart the platform, ${external}.`
  if (process.getuid?.() === 0 && !(sandbox.enabled && sandbox.separateUsers)) {
    return `heroku-postgresql is unavailable on this platform: it runs as root without the sandbox${sandbox.reason ? ` (${sandbox.reason})` : ''}, and PostgreSQL refuses to run as root. Install bubblewrap (apt-get install bubblewrap) so that the server runs as a user of its own, run the platform as an unprivileged user, ${external}.`
  }

  return undefined
}

interface ClusterState {
  port: number
  /** the major version initdb made the data with */
  version: number
}

export interface PostgresClusterOptions {
  /** the provider's directory (runtime.dir) */
  dir: string
  /** the platform's log: never a password */
  log(line: string): void
  /** each line the server logs: `database` the one of the connection, '' for the server itself */
  onLine(line: ServerLogLine): void
  portRange?: readonly [number, number]
  services: ServiceProcesses
}

export interface ServerLogLine {
  /** the connection's database; '' for the server's own lines (start, checkpoints …) */
  database: string
  message: string
}

/** What the platform connects with: the superuser on the cluster's port. */
export interface ClusterConnection {
  database: string
  host: string
  password: string
  port: number
  user: string
}

export class PostgresCluster {
  private state?: ClusterState
  private password?: string
  private initializing?: Promise<void>
  /** the first start of this run: removes a stale postmaster.pid first */
  private firstStart?: Promise<void>
  /**
   * in every line's prefix after the database name: a client chooses the name it connects to, and
   * one such as `addon_x] FATAL: …` must not pass for a line of addon_x (the token is not in the
   * lines routed to apps, and the server's command line is not visible from a dyno's sandbox)
   */
  private readonly token = randomBytes(6).toString('hex')
  /** the database of the last line that named one: a message's continuation lines name none */
  private lastDatabase: string | undefined

  constructor(private readonly o: PostgresClusterOptions) {}

  get dataDir(): string {
    return join(this.o.dir, 'data')
  }

  private get stateFile(): string {
    return join(this.o.dir, 'cluster.json')
  }

  private get passwordFile(): string {
    return join(this.o.dir, 'superuser-password')
  }

  /** The port the cluster listens on (known once it is initialised). */
  get port(): number | undefined {
    return this.state?.port
  }

  get version(): number | undefined {
    return this.state?.version
  }

  /** Makes the cluster unless it exists, starts its server unless it runs; resolves once it serves. */
  async ensure(): Promise<ClusterConnection> {
    if (this.state === undefined) {
      this.initializing ??= this.initialize().finally(() => {
        this.initializing = undefined
      })
      await this.initializing
    }

    const spec = this.spec()
    if (this.firstStart === undefined) {
      const start = (async () => {
        // the supervisor killed every leftover of an earlier run before providers started: a
        // postmaster.pid still there is stale, and postgres might take its pid (reused) for a live one
        if (!this.o.services.isUp(POSTGRES_SERVICE_KEY)) await rm(join(this.dataDir, 'postmaster.pid'), {force: true})
        await this.o.services.ensure(spec)
        await this.secureTemplates()
      })()
      this.firstStart = start
      start.catch(() => {
        if (this.firstStart === start) this.firstStart = undefined
      })
      await start
    } else {
      await this.firstStart
      await this.o.services.ensure(spec)
    }

    return this.connection()
  }

  connection(): ClusterConnection {
    if (this.state === undefined || this.password === undefined) throw new Error('the PostgreSQL cluster is not initialised')
    return {host: '127.0.0.1', port: this.state.port, user: SUPERUSER, password: this.password, database: 'postgres'}
  }

  private async initialize(): Promise<void> {
    if (this.state !== undefined) return
    await mkdir(this.o.dir, {recursive: true, mode: 0o700})
    let state: ClusterState | undefined
    try {
      state = JSON.parse(await readFile(this.stateFile, 'utf8')) as ClusterState
    } catch {}

    if (state !== undefined && existsSync(join(this.dataDir, 'PG_VERSION'))) {
      this.password = (await readFile(this.passwordFile, 'utf8')).trim()
      this.state = state
      return
    }

    // no cluster yet, or one whose initdb never finished (the platform died during it): anew
    const binaries = findPostgresBinaries()
    if (binaries === undefined) throw new Error('PostgreSQL\'s server is not installed (apt-get install postgresql)')
    await rm(this.dataDir, {recursive: true, force: true})
    const password = randomBytes(24).toString('hex')
    await writeFile(`${this.passwordFile}.partial`, `${password}\n`, {mode: 0o600})
    await rename(`${this.passwordFile}.partial`, this.passwordFile)
    // initdb reads the password from a file of its own (as the server's uid), removed right after
    const initDir = join(this.o.dir, 'initdb')
    await rm(initDir, {recursive: true, force: true})
    await mkdir(initDir, {mode: 0o700})
    const pwfile = join(initDir, 'pwfile')
    await writeFile(pwfile, `${password}\n`, {mode: 0o600})
    this.o.log(`making its PostgreSQL ${binaries.version} cluster in ${this.dataDir}`)
    let result
    try {
      result = await this.o.services.runOnce({
        key: 'postgres-initdb', label: 'postgres', uid: SERVICE_UIDS.postgres,
        file: join(binaries.bindir, 'initdb'),
        // eslint-disable-next-line unicorn/text-encoding-identifier-case -- initdb's -E takes a PostgreSQL encoding name, spelt UTF8 as its docs write it, not a Node encoding
        args: ['-D', this.dataDir, '-U', SUPERUSER, '-A', 'scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions'],
        writable: [this.dataDir, initDir],
        timeoutMs: 180_000,
      })
    } finally {
      await rm(initDir, {recursive: true, force: true})
    }

    if (result.code !== 0) {
      await rm(this.dataDir, {recursive: true, force: true})
      throw new Error(`initdb failed (${result.signal ? `signal ${result.signal}` : `status ${result.code}`}): ${result.output.slice(-6).join(' / ')}`)
    }

    const port = await choosePort(this.o.portRange ?? CLUSTER_PORT_RANGE)
    state = {port, version: binaries.version}
    await writeFile(`${this.stateFile}.partial`, `${JSON.stringify(state)}\n`, {mode: 0o600})
    await rename(`${this.stateFile}.partial`, this.stateFile)
    this.password = password
    this.state = state
    this.o.log(`cluster made, listening on 127.0.0.1:${port} from now on`)
  }

  private spec(): ServiceSpec {
    const state = this.state!
    const binaries = findPostgresBinaries(state.version)
    if (binaries === undefined) {
      throw new Error(`the cluster's data is PostgreSQL ${state.version}, whose server is not installed (apt-get install postgresql-${state.version}, or pg_upgrade the data in ${this.dataDir})`)
    }

    return {
      key: POSTGRES_SERVICE_KEY, label: 'postgres', uid: SERVICE_UIDS.postgres,
      file: join(binaries.bindir, 'postgres'),
      args: [
        '-D', this.dataDir, '-p', String(state.port),
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=',
        '-c', 'log_destination=stderr',
        '-c', 'logging_collector=off',
        '-c', `log_line_prefix=[%d] ${this.token} `,
        '-c', `max_connections=${MAX_CONNECTIONS}`,
        '-c', 'password_encryption=scram-sha-256',
      ],
      writable: [this.dataDir],
      stopSignal: 'SIGINT',
      stopGraceMs: 20_000,
      readyTimeoutMs: 60_000,
      ready: () => this.serves(),
      onLine: line => this.serverLine(line),
    }
  }

  /**
   * "[db] TOKEN message": a line of that database's connection. PostgreSQL starts each further line
   * of a multi-line message (a statement over several lines) with a tab: it belongs where the line
   * before it went. Anything else (what the server printed before its logging settings applied, or
   * a line a client's odd database name made) is nobody's.
   */
  private serverLine(line: string): void {
    const mark = `] ${this.token} `
    const at = line.startsWith('[') ? line.indexOf(mark) : -1
    if (at !== -1) {
      this.lastDatabase = line.slice(1, at)
      this.o.onLine({database: this.lastDatabase, message: line.slice(at + mark.length)})
    } else if (line.startsWith('\t') && this.lastDatabase !== undefined) {
      this.o.onLine({database: this.lastDatabase, message: line})
    } else {
      this.lastDatabase = undefined
    }
  }

  /** A real connection as the superuser: the server accepts logins. */
  private async serves(): Promise<boolean> {
    const {default: pg} = await import('pg')
    const client = new pg.Client({...this.connection(), connectionTimeoutMillis: 2000})
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query('SELECT 1')
      return true
    } catch {
      return false
    } finally {
      await client.end().catch(() => {})
    }
  }

  /** No add-on role connects to the maintenance databases (each add-on's own is revoked at provision). */
  private async secureTemplates(): Promise<void> {
    const {default: pg} = await import('pg')
    const client = new pg.Client({...this.connection(), connectionTimeoutMillis: 5000})
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query('REVOKE CONNECT ON DATABASE postgres FROM PUBLIC')
      await client.query('REVOKE CONNECT ON DATABASE template1 FROM PUBLIC')
    } finally {
      await client.end().catch(() => {})
    }
  }
}

/**
 * A port in the range where nothing accepts connections (a connect probe: never bind-and-close),
 * from a random place in the range so that platforms made side by side rarely probe alike.
 */
async function choosePort(range: readonly [number, number]): Promise<number> {
  const [min, max] = range
  const span = max - min + 1
  const offset = Math.floor(Math.random() * span)
  for (let i = 0; i < span; i++) {
    const port = min + ((offset + i) % span)

    if (!(await accepts(port))) return port
  }

  throw new Error(`no free port for PostgreSQL in ${min}-${max}`)
}
