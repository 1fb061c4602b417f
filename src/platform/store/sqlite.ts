// The SQLite binding, behind the part of better-sqlite3's API the store uses (prepare → get/all/
// run, exec, pragma, IMMEDIATE transactions, SqliteError codes). The binding is libsql: it ships
// its compiled SQLite per platform as npm packages (@libsql/linux-x64-gnu, …) on N-API, so an
// install needs neither a C/C++ toolchain nor a download from outside the npm registry, and one
// build runs on every Node.js version (better-sqlite3 downloads its prebuilt binary from GitHub,
// else compiles; README "Install" has the figures).
//
// libsql's own API differs from better-sqlite3's where it matters here, and this module makes up
// for it: its get() adds a `_metadata` property to the row; a boolean parameter panics its Rust
// code and aborts the whole process; a wrong number of parameters binds NULL instead of failing;
// a second statement in prepare() is silently ignored; a lone null or object argument is taken
// for named parameters. Parameters are therefore checked here and always passed as one array. And
// any use of a closed database panics it (aborting the process): here it throws better-sqlite3's TypeError.
import Libsql from 'libsql'

export type SqlValue = bigint | Buffer | null | number | string | undefined

export interface RunResult {
  changes: number
  lastInsertRowid: bigint | number
}

/** A SQLite error (constraint, I/O, syntax…); `code` is SQLite's extended code name, e.g. SQLITE_CONSTRAINT_UNIQUE. */
export const SqliteError = Libsql.SqliteError as unknown as new (message: string, code: string) => Error & {code: string}
export type SqliteError = InstanceType<typeof SqliteError>

export function isSqliteError(error: unknown): error is SqliteError {
  return error instanceof SqliteError
}

type LibsqlStatement = ReturnType<Libsql.Database['prepare']>

export class Statement {
  private readonly parameters: number | undefined

  constructor(private readonly statement: LibsqlStatement, readonly source: string, private readonly owner: SqliteDatabase) {
    this.parameters = placeholders(source)
  }

  get<T = unknown>(...params: unknown[]): T | undefined {
    this.owner.assertOpen()
    const row = this.statement.get(this.bind(params)) as (Record<string, unknown> & {_metadata?: unknown}) | undefined
    if (row !== undefined) delete row._metadata // libsql's timing, not a column
    return row as T | undefined
  }

  all<T = unknown>(...params: unknown[]): T[] {
    this.owner.assertOpen()
    return this.statement.all(this.bind(params)) as T[]
  }

  run(...params: unknown[]): RunResult {
    this.owner.assertOpen()
    const {changes, lastInsertRowid} = this.statement.run(this.bind(params))
    return {changes, lastInsertRowid}
  }

  /** better-sqlite3's checks, which libsql leaves out: a mistake here fails, never stores NULL or aborts. */
  private bind(params: unknown[]): unknown[] {
    for (const value of params) {
      if (!(value === null || value === undefined || typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint' || Buffer.isBuffer(value))) {
        throw new TypeError('SQLite3 can only bind numbers, strings, bigints, buffers, and null')
      }
    }

    if (this.parameters !== undefined && params.length !== this.parameters) {
      throw new RangeError(`Too ${params.length > this.parameters ? 'many' : 'few'} parameter values were provided`)
    }

    return params
  }
}

export class SqliteDatabase {
  private readonly db: Libsql.Database
  private open = true

  constructor(file: string) {
    this.db = new Libsql(file)
  }

  get inTransaction(): boolean {
    return this.open && this.db.inTransaction
  }

  /** A late caller (a timer, a provider's callback) after close() gets an error, not a process abort. */
  assertOpen(): void {
    if (!this.open) throw new TypeError('The database connection is not open')
  }

  prepare(sql: string): Statement {
    this.assertOpen()
    if (hasSecondStatement(sql)) throw new RangeError('The supplied SQL string contains more than one statement')
    return new Statement(this.db.prepare(sql), sql, this)
  }

  exec(sql: string): void {
    this.assertOpen()
    this.db.exec(sql)
  }

  /** `PRAGMA source`: its rows; with simple, the first column of the first row. */
  pragma(source: string, options: {simple?: boolean} = {}): unknown {
    const rows = this.prepare(`PRAGMA ${source}`).all<Record<string, unknown>>()
    return options.simple ? (rows[0] === undefined ? undefined : Object.values(rows[0])[0]) : rows
  }

  /**
   * Runs `work` in one IMMEDIATE transaction: all of it commits, or none of it. Inside another
   * transaction it is a savepoint, as in better-sqlite3: its failure undoes only its own part.
   */
  transaction<T>(work: () => T): T {
    this.assertOpen()
    const nested = this.db.inTransaction
    const [begin, commit, rollback] = nested
      ? ['SAVEPOINT store_nested', 'RELEASE store_nested', 'ROLLBACK TO store_nested; RELEASE store_nested']
      : ['BEGIN IMMEDIATE', 'COMMIT', 'ROLLBACK']
    this.db.exec(begin)
    let result: T
    try {
      result = work()
    } catch (error) {
      // SQLite may have rolled back already (SQLITE_FULL, SQLITE_IOERR…): the work's error is the one to see
      if (this.inTransaction) this.db.exec(rollback)
      throw error
    }

    this.assertOpen() // the work may have closed it
    this.db.exec(commit)
    return result
  }

  close(): void {
    if (!this.open) return
    this.open = false
    this.db.close()
  }
}

/**
 * How many `?` parameters the SQL has, outside string literals, quoted names and comments;
 * undefined when it uses numbered or named ones (?1, :name, @name, $name), which are not counted.
 */
function placeholders(sql: string): number | undefined {
  let count = 0
  for (const token of tokens(sql)) {
    if (token === '?') count++
    else if (/^(\?\d|[:@$][A-Za-z_])/.test(token)) return undefined
  }

  return count
}

/** Whether anything but blanks and comments follows the first statement's `;`. */
function hasSecondStatement(sql: string): boolean {
  let ended = false
  for (const token of tokens(sql)) {
    if (ended && !/^\s|^--|^\/\*/.test(token)) return true
    if (token === ';') ended = true
  }

  return false
}

/** SQL cut into literals, quoted names, comments, blanks, parameters and single other characters. */
function tokens(sql: string): string[] {
  return sql.match(/'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|--[^\n]*|\/\*[\s\S]*?\*\/|\s+|\?\d*|[:@$][A-Za-z_]\w*|[\s\S]/g) ?? []
}
