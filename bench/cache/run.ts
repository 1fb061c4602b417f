// The router's HTTP cache, measured side by side in one run (prints figures, asserts nothing;
// loopback only; stops by itself):
//   node --expose-gc --import tsx bench/cache/run.ts [--duration 5] [--connections 64] [--rounds 3]
// Rows compared with each other are measured in turns, `rounds` times, and the median shown:
// on a small machine wrk, the router and the dyno share the CPUs and one run alone drifts.
//
//  1. hits/s of one cacheable URL (Cache-Control: public, max-age=60): our router vs Varnish
//     (Debian's varnishd, default VCL, in front of the same dyno) vs the router with the cache
//     off (targets: ≥ 2× the uncached router, ≥ ½ Varnish)
//  2. the seed's figure: a single-threaded dyno spending 10 ms of CPU a request, without caching
//     headers (~100 req/s) and with `public, max-age=1` (hits/s, and what the dyno still sees)
//  3. coalescing: 64 concurrent clients on a cold key → requests the dyno received
//  4. memory: 10,000 small entries (bytes the cache counts, heap growth of this process)
//  5. the uncached path: router hello world ÷ direct, the router before the cache (from git)
//     and now, cache on (an uncacheable response) and cache off
// Needs wrk and varnish (apt-get install -y wrk varnish); without varnishd that row is skipped.
import {type ChildProcess, execFileSync, spawn} from 'node:child_process'
import {copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {request} from 'node:http'
import {createServer as createNetServer} from 'node:net'
import {cpus, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {parseArgs} from 'node:util'

import type {WebPool} from '../../src/platform/dynos/web-pool.js'

import {createUser} from '../../src/platform/bootstrap.js'
import {PlatformEvents} from '../../src/platform/events.js'
import {HttpRouter} from '../../src/platform/router/router.js'
import {insertApp} from '../../src/platform/store/apps.js'
import {openStore} from '../../src/platform/store/database.js'
import {wrk, type WrkResult} from '../wrk.js'

const {values} = parseArgs({options: {duration: {type: 'string', default: '5'}, connections: {type: 'string', default: '64'}, rounds: {type: 'string', default: '3'}}})
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')
const FIXTURE = join(ROOT, 'test/platform/fixtures/runtime/app/server.js')
const seconds = Number(values.duration)
const connections = Number(values.connections)
const rounds = Number(values.rounds)

/** Each target once per round, in turns; the median run of each (by req/s). */
async function turns(targets: {host?: string, url: string}[], c: number, s: number): Promise<WrkResult[]> {
  const runs: WrkResult[][] = targets.map(() => [])
  for (let round = 0; round < rounds; round++) {
    for (const [i, t] of targets.entries()) runs[i].push(await wrk(t.url, c, s, t.host))
  }

  return runs.map(list => list.sort((a, b) => a.rps - b.rps)[Math.floor(list.length / 2)])
}

const fmt = (r: WrkResult) => `${r.rps.toFixed(0).padStart(7)} req/s  p99 ${r.p99.toFixed(2).padStart(7)} ms${r.errors ? `  (${r.errors})` : ''}`

async function freePort(): Promise<number> {
  // only to hand a port to varnishd, which takes no port 0: a race with another binder is harmless here
  const server = createNetServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const {port} = (server.address() as {port: number})
  await new Promise(resolve => server.close(resolve))
  return port
}

function get(port: number, path: string, host?: string): Promise<{body: string, status: number}> {
  return new Promise((resolve, reject) => {
    const req = request({host: '127.0.0.1', port, path, agent: false, headers: host ? {Host: host} : {}}, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({status: res.statusCode!, body}))
    })
    req.on('error', reject)
    req.end()
  })
}

async function waitUntil(probe: () => Promise<boolean>, what: string, limitMs = 10_000): Promise<void> {
  const until = Date.now() + limitMs
  for (;;) {
    if (await probe().catch(() => false)) return
    if (Date.now() > until) throw new Error(`${what} did not come up`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** The fixture app as a dyno of its own: a single-threaded node process. */
async function startDyno(tmp: string): Promise<{child: ChildProcess, port: number}> {
  const port = await freePort()
  // CommonJS, as in a slug (here, inside this "type": "module" package, it needs its own name)
  const script = join(tmp, 'server.cjs')
  copyFileSync(FIXTURE, script)
  const child = spawn(process.execPath, [script], {env: {...process.env, PORT: String(port), DYNO: 'web.1'}, stdio: 'ignore'})
  try {
    await waitUntil(async () => (await get(port, '/')).status === 200, 'the dyno')
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }

  return {port, child}
}

/** The router as it was before the cache (git), loaded beside today's for the same run. */
async function routerBefore(tmp: string): Promise<typeof HttpRouter | undefined> {
  try {
    const added = execFileSync('git', ['log', '-1', '--format=%H', '--diff-filter=A', '--', 'src/platform/router/cache/router-cache.ts'], {cwd: ROOT, encoding: 'utf8'}).trim()
    const source = execFileSync('git', ['show', `${added}^:src/platform/router/router.ts`], {cwd: ROOT, encoding: 'utf8'})
      .replace("from './error-pages.js'", `from '${pathToFileURL(join(ROOT, 'src/platform/router/error-pages.ts')).href}'`)
      .replace("from 'undici'", `from '${pathToFileURL(join(ROOT, 'node_modules/undici/index.js')).href}'`)
    const file = join(tmp, 'router-before.ts')
    writeFileSync(file, source)
    return (await import(pathToFileURL(file).href) as {HttpRouter: typeof HttpRouter}).HttpRouter
  } catch (error) {
    console.log(`(the router before the cache could not be loaded from git: ${(error as Error).message.split('\n')[0]})`)
    return undefined
  }
}

async function startVarnish(tmp: string, dynoPort: number): Promise<undefined | {port: number, stop: () => Promise<void>}> {
  if (!existsSync('/usr/sbin/varnishd')) return undefined
  const port = await freePort()
  const workDir = join(tmp, 'varnish')
  const child = spawn('/usr/sbin/varnishd', ['-F', '-a', `127.0.0.1:${port}`, '-b', `127.0.0.1:${dynoPort}`, '-n', workDir, '-s', 'malloc,256m'], {stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr!.on('data', chunk => {
    stderr += chunk
  })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  try {
    await waitUntil(async () => (await get(port, '/')).status === 200, 'varnishd')
  } catch {
    child.kill('SIGTERM')
    console.log(`(varnishd did not start: ${stderr.trim().split('\n').at(-1) ?? ''})`)
    return undefined
  }

  return {
    port, async stop() {
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 5000))])
      if (child.exitCode === null) child.kill('SIGKILL')
    },
  }
}

const gc = () => (globalThis as {gc?: () => void}).gc?.()

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-cache-'))
  const store = openStore(tmp)
  const owner = await createUser(store, {email: 'bench@example.com', password: 'bench password'})
  const appId = insertApp(store, {name: 'bench', ownerId: owner.account.id}).id
  const dyno = await startDyno(tmp)
  const pool: WebPool = {up: [{name: 'web.1', port: dyno.port, inflight: 0}], starting: 0, crashed: 0, wanted: 1, pending: 0}
  const pools = {poolChanged: () => new Promise<void>(resolve => setTimeout(resolve, 20)), webPool: (id: string) => (id === appId ? pool : undefined)}
  const routerOptions = {store, events: new PlatformEvents(), port: 0, logs: {write() {}}, pools}
  const cached = new HttpRouter(routerOptions)
  const uncached = new HttpRouter({...routerOptions, cache: false})
  const Before = await routerBefore(tmp)
  const before = Before ? new Before(routerOptions) : undefined
  const routers = [cached, uncached, ...(before ? [before] : [])]
  for (const r of routers) await r.listen()
  const varnish = await startVarnish(tmp, dyno.port)
  const host = (r: HttpRouter) => `bench.localhost:${r.port}`
  const at = (r: HttpRouter, path: string) => `http://127.0.0.1:${r.port}${path}`
  const count = async (path: string) => Number((await get(dyno.port, `/cacheable-count?url=${encodeURIComponent(path)}`)).body)
  try {
    console.log(`node ${process.version}, ${cpus().length} CPUs; wrk -t1 -c${connections}, ${seconds} s runs; dyno :${dyno.port}${varnish ? `, varnishd :${varnish.port}` : ', no varnishd'}`)

    // 1. hits
    const hot = '/cacheable?cc=public,max-age=60&k=hot'
    await wrk(at(cached, hot), connections, 1, host(cached))
    if (varnish) await wrk(`http://127.0.0.1:${varnish.port}${hot}`, connections, 1)
    const [ours, off, theirs] = await turns([
      {url: at(cached, hot), host: host(cached)}, {url: at(uncached, hot), host: host(uncached)},
      ...(varnish ? [{url: `http://127.0.0.1:${varnish.port}${hot}`}] : []),
    ], connections, seconds)
    console.log(`\n1. one cacheable URL (public, max-age=60), hits (median of ${rounds})`)
    console.log(`  router, cache on   ${fmt(ours)}`)
    if (theirs) console.log(`  varnish            ${fmt(theirs)}`)
    console.log(`  router, cache off  ${fmt(off)}`)
    console.log(`  ours ÷ cache off: ${(ours.rps / off.rps).toFixed(2)}× (target ≥ 2×)${theirs ? `; ours ÷ varnish: ${(ours.rps / theirs.rps).toFixed(2)}× (target ≥ 0.5×)` : ''}`)

    // 2. the seed's 10 ms dyno
    const busy = '/cacheable?cpu=10&k=busy'
    const busyCached = '/cacheable?cpu=10&cc=public,max-age=1&k=busy'
    const plain = await wrk(at(cached, busy), connections, seconds, host(cached))
    const seen = await count(busyCached)
    const hits = await wrk(at(cached, busyCached), connections, seconds, host(cached))
    const dynoSaw = (await count(busyCached)) - seen
    console.log('\n2. a single-threaded dyno spending 10 ms of CPU a request')
    console.log(`  no caching headers      ${fmt(plain)}`)
    console.log(`  public, max-age=1       ${fmt(hits)}  — the dyno saw ${dynoSaw} requests in ${seconds} s (${(dynoSaw / seconds).toFixed(1)}/s)`)

    // 3. coalescing
    const cold = '/cacheable?cc=public,max-age=60&delay=100&k=cold'
    const answers = await Promise.all(Array.from({length: 64}, () => get(cached.port, cold, host(cached))))
    console.log('\n3. coalescing: 64 concurrent clients on a cold key (the dyno takes 100 ms)')
    console.log(`  ${answers.filter(a => a.status === 200).length} answered 200; the dyno received ${await count(cold)} request(s)`)

    // 4. memory
    await cached.cache!.purge(appId)
    gc()
    const heapBefore = process.memoryUsage()
    const entries = 10_000
    for (let i = 0; i < entries; i += 100) {
      await Promise.all(Array.from({length: 100}, (_, j) => get(cached.port, `/cacheable?cc=public,max-age=600&m=${i + j}`, host(cached))))
    }

    gc()
    const heapAfter = process.memoryUsage()
    const stats = cached.cache!.stats(appId)
    const grown = (heapAfter.heapUsed + heapAfter.external) - (heapBefore.heapUsed + heapBefore.external)
    console.log(`\n4. memory: ${stats.entries} small entries (body ~20 B, ~10 header fields)`)
    console.log(`  counted by the cache: ${(stats.bytes / 1024 / 1024).toFixed(2)} MB (${Math.round(stats.bytes / stats.entries)} B per entry)`)
    console.log(`  heap + external growth of this process: ${(grown / 1024 / 1024).toFixed(2)} MB (${Math.round(grown / stats.entries)} B per entry)${(globalThis as {gc?: unknown}).gc ? '' : ' (run with --expose-gc for a steadier figure)'}`)

    // 5. the uncached path
    const [direct, now, nowOff, then] = await turns([
      {url: `http://127.0.0.1:${dyno.port}/`}, {url: at(cached, '/'), host: host(cached)}, {url: at(uncached, '/'), host: host(uncached)},
      ...(before ? [{url: at(before, '/'), host: host(before)}] : []),
    ], connections, seconds)
    console.log(`\n5. the uncached path: hello world (no caching headers), median of ${rounds}`)
    console.log(`  direct                   ${fmt(direct)}`)
    if (then) console.log(`  router before the cache  ${fmt(then)}  ${(then.rps / direct.rps).toFixed(2)}× direct`)
    console.log(`  router now, cache on     ${fmt(now)}  ${(now.rps / direct.rps).toFixed(2)}× direct`)
    console.log(`  router now, cache off    ${fmt(nowOff)}  ${(nowOff.rps / direct.rps).toFixed(2)}× direct`)
  } finally {
    await varnish?.stop()
    for (const r of routers) await r.close()
    dyno.child.kill('SIGTERM')
    store.close()
    rmSync(tmp, {recursive: true, force: true})
  }
}

await main()
