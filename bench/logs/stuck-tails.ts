// Memory of the platform process while log tails that never read are open and an app writes a
// flood of lines. Prints figures; asserts nothing.
//   node --import tsx bench/logs/stuck-tails.ts [--tails 4] [--lines 300000]
//
// The platform runs as its own process (src/platform/main.ts); its RSS is read from /proc. One
// web dyno prints --lines lines of ~100 bytes in one go; --tails sessions are open on raw sockets
// that stop reading once the response headers are in.
import {execFileSync, spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {request} from 'node:http'
import {connect, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

import {ensurePlatformOwner} from '../../src/lib/platform/accounts.js'
import {type PlatformProcessState, stateFilePath} from '../../src/platform/process-files.js'

const {values} = parseArgs({options: {tails: {type: 'string', default: '4'}, lines: {type: 'string', default: '300000'}}})
const TAILS = Number(values.tails)
const LINES = Number(values.lines)
const MAIN = fileURLToPath(new URL('../../src/platform/main.ts', import.meta.url))

const SPEW_APP = `require('node:http').createServer((req, res) => {
  const n = Number(new URL(req.url, 'http://x').searchParams.get('n') ?? 0)
  const pad = 'x'.repeat(90)
  for (let i = 0; i < n; i++) console.log('spew ' + i + ' ' + pad)
  console.log('spew done')
  res.end('ok')
}).listen(process.env.PORT)
`

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch {}

    if (Date.now() > deadline) throw new Error('timed out')

    await sleep(100)
  }
}

function memory(pid: number): {peak: number, rss: number} {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024
  return {rss: kb('VmRSS'), peak: kb('VmHWM')}
}

function stuckTail(url: string): Promise<Socket> {
  const {hostname, port, pathname} = new URL(url)
  return new Promise(resolve => {
    const socket = connect(Number(port), hostname)
    let head = ''
    socket.setEncoding('utf8').on('data', function onData(chunk: string) {
      head += chunk
      if (!head.includes('\r\n\r\n')) return
      socket.off('data', onData)
      socket.pause()
      resolve(socket)
    })
    socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`)
  })
}

const dataDir = mkdtempSync(join(tmpdir(), 'bench-tails-'))
const appDir = mkdtempSync(join(tmpdir(), 'bench-spew-'))
writeFileSync(join(appDir, 'server.js'), SPEW_APP)
const owner = await ensurePlatformOwner(dataDir, 'bench@example.com', 'correct horse battery')
const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--data-dir', dataDir, '--port', '0', '--router-port', '0'], {stdio: ['ignore', process.env.BENCH_VERBOSE ? 'inherit' : 'ignore', 'inherit']})
try {
  const state = await until(() => {
    const s = JSON.parse(readFileSync(stateFilePath(dataDir), 'utf8')) as PlatformProcessState
    return s.pid === child.pid ? s : undefined
  })
  const api = async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(state.url + path, {method, body: body === undefined ? undefined : JSON.stringify(body), headers: {Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${owner.token}`, 'Content-Type': 'application/json'}})
    return res.json() as Promise<T>
  }

  await api('POST', '/apps', {name: 'spew'})
  const slug = await api<{blob: {url: string}, id: string}>('POST', '/apps/spew/slugs', {process_types: {web: 'node server.js'}})
  await fetch(slug.blob.url, {method: 'PUT', body: execFileSync('tar', ['-czf', '-', '-C', appDir, '.'])})
  await api('POST', '/apps/spew/releases', {slug: slug.id})
  await until(async () => ((await api<Array<{state: string}>>('GET', '/apps/spew/dynos'))[0]?.state === 'up' ? true : undefined))
  const tails: Socket[] = []
  for (let i = 0; i < TAILS; i++) {
    tails.push(await stuckTail((await api<{logplex_url: string}>('POST', '/apps/spew/log-sessions', {tail: true, lines: 0})).logplex_url))
  }

  await sleep(500)
  const before = memory(child.pid!)
  const started = Date.now()
  // fetch cannot set Host: node:http can
  await new Promise((resolve, reject) => {
    request(`http://127.0.0.1:${state.routerPort}/?n=${LINES}`, {headers: {Host: `spew.localhost:${state.routerPort}`}}, res => res.resume().once('end', resolve)).once('error', reject).end()
  })
  await until(async () => {
    const session = await api<{logplex_url: string}>('POST', '/apps/spew/log-sessions', {lines: 5, source: 'app'})
    return (await (await fetch(session.logplex_url)).text()).includes('spew done') ? true : undefined
  })
  await sleep(1000)
  const after = memory(child.pid!)
  const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`
  console.log(`${TAILS} tails that do not read, ${LINES} lines of ~100 bytes in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  console.log(`platform RSS: ${mb(before.rss)} before, ${mb(after.rss)} after; peak ${mb(after.peak)}`)
  for (const tail of tails) tail.destroy()
} finally {
  child.kill('SIGTERM')
  await new Promise(resolve => child.once('exit', resolve))
  rmSync(dataDir, {recursive: true, force: true})
  rmSync(appDir, {recursive: true, force: true})
}
