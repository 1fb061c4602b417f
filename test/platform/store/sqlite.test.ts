// The store's SQLite binding keeps better-sqlite3's behaviour where libsql's differs
// (src/platform/store/sqlite.ts): rows without libsql's metadata, mistakes that throw instead of
// storing NULL or aborting the process, savepoints inside a transaction, SQLite's error codes.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {constraintError} from '../../../src/platform/http/constraint-errors.js'
import {openStore, type Store} from '../../../src/platform/store/database.js'
import {isSqliteError, SqliteDatabase} from '../../../src/platform/store/sqlite.js'

describe('the SQLite binding', () => {
  let db: SqliteDatabase

  beforeEach(() => {
    db = new SqliteDatabase(':memory:')
    db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER UNIQUE, note TEXT); CREATE TABLE c (t_id TEXT REFERENCES t(id))')
    db.pragma('foreign_keys = ON')
  })

  afterEach(() => db.close())

  it('get, all and run: plain rows (no binding metadata) and better-sqlite3 run results', () => {
    expect(db.prepare('INSERT INTO t VALUES (?, ?, ?)').run('a', 1, null)).to.deep.equal({changes: 1, lastInsertRowid: 1})
    expect(db.prepare('SELECT * FROM t WHERE id = ?').get('a')).to.deep.equal({id: 'a', n: 1, note: null})
    expect(db.prepare('SELECT * FROM t WHERE id = ?').get('zz')).to.equal(undefined)
    expect(db.prepare('SELECT id FROM t').all()).to.deep.equal([{id: 'a'}])
    // a lone null is a parameter, not named parameters
    expect(db.prepare('SELECT ? AS v').get(null)).to.deep.equal({v: null})
    expect(db.prepare("SELECT '?' AS q, ? AS v -- what?\n").get(2)).to.deep.equal({q: '?', v: 2})
  })

  it('a value SQLite cannot store, a wrong parameter count or two statements: an error, nothing stored', () => {
    const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?)')
    expect(() => insert.run('a', true, null)).to.throw(TypeError, 'SQLite3 can only bind numbers, strings, bigints, buffers, and null')
    expect(() => insert.run('a', {}, null)).to.throw(TypeError)
    expect(() => insert.run('a', 1)).to.throw(RangeError, 'Too few parameter values were provided')
    expect(() => insert.run('a', 1, null, 'x')).to.throw(RangeError, 'Too many parameter values were provided')
    expect(() => db.prepare('SELECT 1; SELECT 2')).to.throw(RangeError, 'more than one statement')
    expect(db.prepare('SELECT 1 AS one; -- done').get()).to.deep.equal({one: 1})
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).to.deep.equal({n: 0})
  })

  it('a closed database throws TypeError instead of aborting the process (in a child: the binding would panic)', () => {
    const script = `import {SqliteDatabase} from './src/platform/store/sqlite.ts'
      const db = new SqliteDatabase(':memory:')
      const statement = db.prepare('SELECT 1 AS one')
      db.close()
      db.close()
      const names = []
      for (const use of [() => statement.get(), () => db.prepare('SELECT 1'), () => db.exec('SELECT 1'), () => db.transaction(() => 1)]) {
        try { use(); names.push('none') } catch (error) { names.push(error.constructor.name + ': ' + error.message) }
      }
      console.log(JSON.stringify({inTransaction: db.inTransaction, names}))`
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {encoding: 'utf8'})
    expect(r.status, r.stderr).to.equal(0)
    expect(JSON.parse(r.stdout)).to.deep.equal({inTransaction: false, names: Array.from({length: 4}, () => 'TypeError: The database connection is not open')})
  })

  it('a boolean parameter fails in a child process too: the binding would abort it, this throws', () => {
    const script = `import {SqliteDatabase} from './src/platform/store/sqlite.ts'
      const db = new SqliteDatabase(':memory:')
      try { db.prepare('SELECT ? AS v').get(true) } catch (error) { console.log(error.constructor.name) }`
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {encoding: 'utf8'})
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stdout.trim()).to.equal('TypeError')
  })

  it('transaction: IMMEDIATE, all or nothing; a nested one is a savepoint', () => {
    const insert = db.prepare('INSERT INTO t (id, n) VALUES (?, ?)')
    db.transaction(() => {
      insert.run('a', 1)
      // eslint-disable-next-line max-nested-callbacks -- a transaction inside a transaction is what this tests
      expect(() => db.transaction(() => {
        insert.run('b', 2)
        insert.run('c', 1) // UNIQUE n
      })).to.throw()
      expect(db.inTransaction).to.equal(true)
      insert.run('d', 4)
    })
    expect(db.prepare('SELECT id FROM t ORDER BY id').all()).to.deep.equal([{id: 'a'}, {id: 'd'}])
    expect(() => db.transaction(() => {
      insert.run('e', 5)
      throw new Error('changed my mind')
    })).to.throw('changed my mind')
    expect(db.inTransaction).to.equal(false)
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).to.deep.equal({n: 2})
  })

  it('constraint violations: SqliteError with SQLite extended codes, which the API turns into 409s', () => {
    db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('a', 1)
    const codeOf = (fn: () => unknown): string => {
      try {
        fn()
      } catch (error) {
        if (isSqliteError(error)) return error.code
        throw error
      }

      throw new Error('no error')
    }

    expect(codeOf(() => db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('b', 1))).to.equal('SQLITE_CONSTRAINT_UNIQUE')
    expect(codeOf(() => db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('a', 2))).to.equal('SQLITE_CONSTRAINT_PRIMARYKEY')
    expect(codeOf(() => db.prepare('INSERT INTO c VALUES (?)').run('zz'))).to.equal('SQLITE_CONSTRAINT_FOREIGNKEY')
    expect(codeOf(() => db.prepare('SELECT * FROM nowhere'))).to.equal('SQLITE_ERROR')
    let thrown: unknown
    try {
      db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('b', 1)
    } catch (error) {
      thrown = error
    }

    expect(constraintError(thrown)?.status).to.equal(409)
    expect(constraintError(new Error('UNIQUE constraint failed: t.n'))).to.equal(undefined)
  })

  describe('the store file', () => {
    let dir: string
    let store: Store

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'heroku-sqlite-binding-'))
      store = openStore(dir)
    })

    after(() => {
      store?.close()
      rmSync(dir, {force: true, recursive: true})
    })

    it('honours the durability pragmas: WAL, synchronous=FULL, foreign keys, busy timeout', () => {
      expect(store.db.pragma('journal_mode', {simple: true})).to.equal('wal')
      expect(store.db.pragma('synchronous', {simple: true})).to.equal(2) // FULL
      expect(store.db.pragma('foreign_keys', {simple: true})).to.equal(1)
      expect(store.db.pragma('busy_timeout', {simple: true})).to.equal(5000)
    })
  })
})
