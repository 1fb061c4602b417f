#!/usr/bin/env node
// The store's typical queries against a SQLite binding, on a file database with the store's
// pragmas (WAL, synchronous=FULL) and its real schema (the migrations): to compare bindings.
// Prints figures; asserts nothing.
//   node --import tsx bench/sqlite.mjs --binding store|better-sqlite3|libsql|node-sqlite3-wasm [--from DIR] [--apps 200] [--reads 20000] [--writes 300]
// store: src/platform/store/sqlite.ts (libsql behind better-sqlite3's checks), what the platform runs.
// --from: a directory whose node_modules holds the binding (e.g. an `npm install --prefix DIR`);
// default: this checkout's.
import {mkdtempSync, rmSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {performance} from 'node:perf_hooks'
import {parseArgs} from 'node:util'

import {MIGRATIONS} from '../src/platform/store/migrations.ts'

const {values} = parseArgs({
  options: {
    binding: {type: 'string', default: 'store'},
    from: {type: 'string'},
    apps: {type: 'string', default: '200'},
    reads: {type: 'string', default: '20000'},
    writes: {type: 'string', default: '300'},
  },
})
const require = createRequire(join(resolve(values.from ?? '.'), 'noop.js'))

/** One interface over the bindings: prepare(sql) → {get, all, run}, exec, pragma, close. */
async function open(binding, file) {
  if (binding === 'store') {
    // the store's own module (libsql with better-sqlite3's checks): what the platform runs
    const {SqliteDatabase} = await import('../src/platform/store/sqlite.ts')
    const db = new SqliteDatabase(file)
    return {exec: sql => db.exec(sql), pragma: p => db.pragma(p), prepare: sql => db.prepare(sql), close: () => db.close()}
  }

  if (binding === 'node-sqlite3-wasm') {
    const {Database} = require('node-sqlite3-wasm')
    const db = new Database(file)
    return {
      exec: sql => db.exec(sql),
      pragma: p => db.all(`PRAGMA ${p}`),
      prepare(sql) {
        const s = db.prepare(sql)
        return {get: (...p) => s.get(p) ?? undefined, all: (...p) => s.all(p), run: (...p) => s.run(p)}
      },
      close: () => db.close(),
    }
  }

  const Database = require(binding)
  const db = new Database(file)
  return {
    exec: sql => db.exec(sql),
    pragma: p => db.pragma(p),
    prepare: sql => db.prepare(sql),
    close: () => db.close(),
  }
}

const dir = mkdtempSync(join(tmpdir(), 'heroku-bench-sqlite-'))
try {
  const db = await open(values.binding, join(dir, 'platform.sqlite3'))
  for (const p of ['journal_mode = WAL', 'synchronous = FULL', 'foreign_keys = ON', 'busy_timeout = 5000']) db.pragma(p)
  const honoured = {journal_mode: db.pragma('journal_mode'), synchronous: db.pragma('synchronous'), foreign_keys: db.pragma('foreign_keys')}
  for (const m of MIGRATIONS) db.exec(m.sql)

  const statements = new Map()
  const q = sql => {
    let s = statements.get(sql)
    if (!s) statements.set(sql, s = db.prepare(sql))
    return s
  }

  const usable = '(SELECT id FROM apps WHERE owner_id = ? UNION SELECT app_id FROM collaborators WHERE account_id = ?)'
  const now = new Date().toISOString()
  q('INSERT INTO accounts (id, email, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run('acct-1', 'jane@example.com', 'x', now, now)
  const apps = Number(values.apps)
  const started = performance.now()
  db.exec('BEGIN IMMEDIATE')
  for (let i = 0; i < apps; i++) {
    q('INSERT INTO apps (id, name, owner_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(`app-${i}`, `app-${String(i).padStart(4, '0')}`, 'acct-1', now, now)
  }

  db.exec('COMMIT')
  const seed = performance.now() - started

  const timed = (label, n, fn) => {
    for (let i = 0; i < Math.min(200, n); i++) fn(i) // warm-up: JIT, statement cache
    const t = performance.now()
    for (let i = 0; i < n; i++) fn(i)
    const ms = performance.now() - t
    console.log(`${label.padEnd(44)} ${(ms * 1000 / n).toFixed(1).padStart(8)} µs/op  (${n} in ${ms.toFixed(0)} ms)`)
  }

  console.log(`${values.binding}: pragmas ${JSON.stringify(honoured)}; ${apps} apps seeded in ${seed.toFixed(0)} ms`)
  const reads = Number(values.reads)
  timed('get: findUsableApp (by name, subquery)', reads, i => {
    const row = q(`SELECT * FROM apps WHERE name = ? AND id IN ${usable}`).get(`app-${String(i % apps).padStart(4, '0')}`, 'acct-1', 'acct-1')
    if (!row) throw new Error('missing app')
  })
  timed('all: listUsableApps (every app, by name)', Math.max(1, reads / 50), () => {
    if (q(`SELECT * FROM apps WHERE id IN ${usable} ORDER BY name`).all('acct-1', 'acct-1').length !== apps) throw new Error('wrong count')
  })
  const writes = Number(values.writes)
  let version = 0
  timed('write txn: config set (release + app, fsync)', writes, i => {
    const appId = `app-${i % apps}`
    db.exec('BEGIN IMMEDIATE')
    try {
      const v = (q('SELECT max(version) AS v FROM releases WHERE app_id = ?').get(appId)?.v ?? 0) + 1
      q('SELECT DISTINCT a.plan FROM addons a JOIN addon_attachments t ON t.addon_id = a.id WHERE t.app_id = ? ORDER BY a.plan').all(appId)
      const config = JSON.stringify({RELEASE: String(++version)})
      q(`INSERT INTO releases (id, app_id, version, description, status, config, user_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(`rel-${version}`, appId, v, 'Set RELEASE config var', 'succeeded', config, 'acct-1', now, now)
      q('UPDATE apps SET config = ?, released_at = ?, updated_at = ? WHERE id = ?').run(config, now, now, appId)
      db.exec('COMMIT')
    } catch (error) {
      db.exec('ROLLBACK')
      throw error
    }
  })
  db.close()
} finally {
  rmSync(dir, {force: true, recursive: true})
}
