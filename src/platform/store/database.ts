// The platform's durable state: one SQLite database in WAL mode under the data dir.
//
// Durability: every API write runs in a transaction that commits before the HTTP response is
// written. WAL with synchronous=FULL fsyncs the WAL on every commit, so an acknowledged write
// survives kill -9 *and* a power cut. (NORMAL would survive kill -9 too — the WAL is already in
// the OS page cache — but could lose the last commits on power loss; writes here are rare and
// small, so the fsync is worth it.)
import {closeSync, mkdirSync, openSync} from 'node:fs'
import {join} from 'node:path'

import {type Migration, MIGRATIONS} from './migrations.js'
import {type RunResult, SqliteDatabase, type Statement} from './sqlite.js'

export type {SqliteDatabase} from './sqlite.js'
export type SqlParams = Record<string, unknown> | unknown[]

export class Store {
  private readonly statements = new Map<string, Statement>()

  constructor(readonly db: SqliteDatabase) {}

  /** Prepared statements are cached: preparing is the costly part of a small query. */
  private statement(sql: string): Statement {
    let statement = this.statements.get(sql)
    if (statement === undefined) {
      statement = this.db.prepare(sql)
      this.statements.set(sql, statement)
    }

    return statement
  }

  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.statement(sql).get<T>(...params)
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.statement(sql).all<T>(...params)
  }

  run(sql: string, ...params: unknown[]): RunResult {
    return this.statement(sql).run(...params)
  }

  /** Runs `work` in one IMMEDIATE transaction: all of it commits, or none of it. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)
  }

  close(): void {
    this.statements.clear()
    this.db.close()
  }
}

export const DATABASE_FILE = 'platform.sqlite3'

export function openStore(dataDir: string): Store {
  mkdirSync(dataDir, {recursive: true, mode: 0o700})
  const file = join(dataDir, DATABASE_FILE)
  // SQLite would create the file 0644 (less the umask) and gives -wal/-shm the file's mode:
  // a new store starts as an empty file of the owner's alone (an empty file is an empty database)
  closeSync(openSync(file, 'a', 0o600))
  const db = new SqliteDatabase(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  migrate(db, MIGRATIONS)
  return new Store(db)
}

export function migrate(db: SqliteDatabase, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)')
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').all<{version: number}>().map(r => r.version))
  const newest = Math.max(0, ...applied)
  const known = Math.max(0, ...migrations.map(m => m.version))
  if (newest > known) {
    throw new Error(`The data dir was written by a newer platform (schema v${newest}; this one knows up to v${known}).`)
  }

  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue
    db.transaction(() => {
      db.exec(migration.sql)
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, new Date().toISOString())
    })
  }
}
