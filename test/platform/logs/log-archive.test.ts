// Logs that last: each app's recent log on disk (logs/log-archive.ts) — a platform restart keeps
// what `heroku logs` shows, the bounds per app hold, damaged segments do not stop a start.
import {expect} from 'chai'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {LogArchive} from '../../../src/platform/logs/log-archive.js'
import {LogRouter} from '../../../src/platform/logs/log-router.js'
import {startTestPlatform} from '../helpers.js'

const APP = '0a1b2c3d-0000-4000-8000-000000000001'

function segmentsOf(dataDir: string, appId = APP): string[] {
  try {
    return readdirSync(join(dataDir, 'logs', appId)).sort()
  } catch {
    return []
  }
}

function bytesOf(dataDir: string, appId = APP): number {
  return segmentsOf(dataDir, appId).reduce((sum, name) => sum + statSync(join(dataDir, 'logs', appId, name)).size, 0)
}

describe('logs that last (the log on disk)', function () {
  this.timeout(60_000)
  const dirs: string[] = []
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'log-archive-test-'))
    dirs.push(dir)
    return dir
  }

  after(() => {
    for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
  })

  it('a platform restart: the lines from before it are in a log session, newer ones after them', async () => {
    const first = await startTestPlatform()
    const {dataDir} = first
    const app = (await first.client.post('/apps', {name: 'lasting'})).body
    for (let i = 1; i <= 2000; i++) first.platform.logs.write({appId: app.id, source: 'app', dyno: 'web.1', message: `before the restart ${i}`})
    await first.client.patch('/apps/lasting/config-vars', {FOO: 'bar'}) // heroku[api]: Release v1 created …
    await first.close({keepData: true})

    const second = await startTestPlatform({dataDir})
    try {
      second.platform.logs.write({appId: app.id, source: 'app', dyno: 'web.1', message: 'after the restart'})
      const session = await second.client.withToken(first.owner.token).post('/apps/lasting/log-sessions', {lines: 1500})
      expect(session.status).to.equal(201)
      const lines = (await (await fetch(session.body.logplex_url)).text()).trimEnd().split('\n')
      // the 1,500-line view: the newest lines from before, then the new one
      expect(lines).to.have.length(1500)
      expect(lines.at(-1)).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 app\[web\.1\]: after the restart$/)
      expect(lines.at(-2)).to.match(/ heroku\[api\]: Release v\d+ created by user /)
      expect(lines.at(-3)).to.match(/ app\[web\.1\]: before the restart 2000$/)
      expect(lines[0]).to.match(/ app\[web\.1\]: before the restart 503$/)
      // a filter applies to what came from disk too; and the platform's own lines were kept
      const api = await second.client.withToken(first.owner.token).post('/apps/lasting/log-sessions', {lines: 10, source: 'heroku'})
      const apiLines = (await (await fetch(api.body.logplex_url)).text()).trimEnd().split('\n')
      expect(apiLines.some(l => / heroku\[api\]: Release v\d+ created by user /.test(l))).to.equal(true)
    } finally {
      await second.close()
    }
  })

  it('a deleted app\'s log is deleted with it', async () => {
    const t = await startTestPlatform()
    try {
      const app = (await t.client.post('/apps', {name: 'short-lived'})).body
      t.platform.logs.write({appId: app.id, source: 'app', dyno: 'web.1', message: 'soon gone'})
      t.platform.logs.flush()
      expect(segmentsOf(t.dataDir, app.id)).to.have.length(1)
      expect((await t.client.delete('/apps/short-lived')).status).to.equal(200)
      expect(segmentsOf(t.dataDir, app.id)).to.have.length(0)
      // a line that still comes for it (a dyno stopping) makes no new log
      t.platform.logs.write({appId: app.id, source: 'heroku', dyno: 'web.1', message: 'State changed from up to down'})
      t.platform.logs.flush()
      expect(segmentsOf(t.dataDir, app.id)).to.have.length(0)
    } finally {
      await t.close()
    }
  })

  it('bounds per app: bytes (oldest segments go first) and age', () => {
    const dataDir = tempDir()
    const limits = {maxBytes: 16 * 1024, segmentBytes: 4 * 1024, flushMs: 10_000}
    const logs = new LogRouter({dataDir, archive: limits})
    for (let i = 1; i <= 3000; i++) {
      logs.write({appId: APP, source: 'app', dyno: 'worker.1', message: `line ${i} ${'x'.repeat(40)}`})
      if (i % 100 === 0) logs.flush()
    }

    logs.closeStorage()
    const total = bytesOf(dataDir)
    expect(total).to.be.at.most(limits.maxBytes + limits.segmentBytes)
    expect(total).to.be.at.least(limits.maxBytes - limits.segmentBytes)
    for (const name of segmentsOf(dataDir)) expect(statSync(join(dataDir, 'logs', APP, name)).size).to.be.at.most(limits.segmentBytes)
    // what is left is the newest lines, whole, in order
    const again = new LogRouter({dataDir, archive: limits})
    const kept = again.recent(APP, 1500).map(l => l.text)
    expect(kept.at(-1)).to.match(/ app\[worker\.1\]: line 3000 x+$/)
    const numbers = kept.map(l => Number(/line (\d+) /.exec(l)![1]))
    expect(numbers).to.deep.equal(numbers.map((_, i) => numbers[0] + i))
    expect(numbers[0]).to.be.above(2500)
    again.closeStorage()

    // age: a segment whose newest line is older than maxAgeMs goes when the app's log is opened
    const old = join(dataDir, 'logs', APP, 'segment-0000000000001-000000.log')
    writeFileSync(old, '2020-01-01T00:00:00.000000+00:00 app[web.1]: from long ago\n')
    const longAgo = new Date('2020-01-01T00:00:00Z')
    utimesSync(old, longAgo, longAgo)
    const aged = new LogArchive(dataDir, {maxAgeMs: 7 * 24 * 3_600_000})
    expect(aged.tail(APP, 5000).some(l => l.text.includes('from long ago'))).to.equal(false)
    expect(segmentsOf(dataDir)).to.not.include('segment-0000000000001-000000.log')
    aged.close()
  })

  it('writes in batches, not a write per line; close writes what is pending', () => {
    const dataDir = tempDir()
    const logs = new LogRouter({dataDir, archive: {flushMs: 60_000}})
    for (let i = 0; i < 100; i++) logs.write({appId: APP, source: 'app', dyno: 'web.1', message: `pending ${i}`})
    // nothing on disk before the batch is due
    expect(bytesOf(dataDir)).to.equal(0)
    logs.closeStorage()
    const text = readFileSync(join(dataDir, 'logs', APP, segmentsOf(dataDir)[0]), 'utf8')
    expect(text.trimEnd().split('\n')).to.have.length(100)
    expect(text).to.match(/ app\[web\.1\]: pending 99\n$/)
  })

  it('a corrupt or truncated segment does not stop the start: good lines are kept, the rest skipped', () => {
    const dataDir = tempDir()
    const dir = join(dataDir, 'logs', APP)
    mkdirSync(dir, {recursive: true})
    writeFileSync(join(dir, 'segment-1700000000000-000000.log'), [
      '2026-11-28T12:00:00.000001+00:00 app[web.1]: good one',
      '\u0000\u0000\u00FF garbage that is no log line',
      '2026-11-28T12:00:00.000002+00:00 heroku[router]: at=info good two',
      '2026-11-28T12:00:00.000003+00:00 app[web.1]: cut off in the mid',
    ].join('\n')) // no final newline: a torn write
    writeFileSync(join(dir, 'segment-1600000000000-000000.log'), Buffer.from([0xDE, 0xAD, 0xBE, 0xEF, 0x0A]))
    mkdirSync(join(dir, 'segment-1650000000000-000000.log')) // not even a file
    const logs = new LogRouter({dataDir})
    expect(logs.recent(APP, 100).map(l => l.text)).to.deep.equal([
      '2026-11-28T12:00:00.000001+00:00 app[web.1]: good one',
      '2026-11-28T12:00:00.000002+00:00 heroku[router]: at=info good two',
    ])
    expect(logs.recent(APP, 100, {source: 'heroku'})).to.have.length(1)
    // new lines go to a new segment, never glued to the torn line
    logs.write({appId: APP, source: 'app', dyno: 'web.1', message: 'after the damage'})
    logs.closeStorage()
    const again = new LogRouter({dataDir})
    expect(again.recent(APP, 100).map(l => l.text.replace(/^\S+ /, ''))).to.deep.equal(['app[web.1]: good one', 'heroku[router]: at=info good two', 'app[web.1]: after the damage'])
    again.closeStorage()
  })

  it('reads only the tail at start: a full 2 MB log loads its 1,500 lines quickly', () => {
    const dataDir = tempDir()
    const logs = new LogRouter({dataDir, archive: {flushMs: 60_000}})
    for (let i = 0; i < 20_000; i++) logs.write({appId: APP, source: 'app', dyno: 'web.1', message: `${i} ${'y'.repeat(100)}`})
    logs.closeStorage()
    expect(bytesOf(dataDir)).to.be.above(1.5 * 1024 * 1024)
    const started = process.hrtime.bigint()
    const again = new LogRouter({dataDir})
    const recent = again.recent(APP, 1500)
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    expect(recent).to.have.length(1500)
    expect(recent.at(-1)!.text).to.match(/ app\[web\.1\]: 19999 y+$/)
    expect(ms).to.be.below(250)
    again.closeStorage()
  })
})
