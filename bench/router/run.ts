// HTTP router throughput and latency: the same dyno measured directly and through the router,
// in one run, with wrk. Prints figures and ratios; asserts nothing.
//   node --import tsx bench/router/run.ts [--duration 5] [--connections 32] [--skip-cpu]
//
//  1. hello world, wrk -t1 -c32: requests/s direct vs router (goal: router ≥ 0.35× direct)
//  2. hello world, wrk -t1 -c1: p50 direct vs router (goal: < 0.2 ms added)
//  3. a dyno spending 10 ms of CPU a request, wrk -c16: web=1 and web=2 through the router
//     (goal ≥ 90 and ≥ 180 req/s, p99 at web=2 no worse than nginx round robin's 550 ms)

import type {AddressInfo} from 'node:net'

import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {Agent, createServer, request} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

import {createUser} from '../../src/platform/bootstrap.js'
import {startPlatform} from '../../src/platform/server.js'
import {wrk, type WrkResult} from '../wrk.js'

const {values} = parseArgs({options: {duration: {type: 'string', default: '5'}, connections: {type: 'string', default: '32'}, 'skip-cpu': {type: 'boolean', default: false}}})
const FIXTURE = fileURLToPath(new URL('../../test/platform/fixtures/runtime/app', import.meta.url))

const fmt = (r: WrkResult) => `${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2).padStart(7)} ms  p99 ${r.p99.toFixed(2).padStart(8)} ms${r.errors ? `  (${r.errors})` : ''}`

async function main(): Promise<void> {
  const seconds = Number(values.duration)
  const connections = Number(values.connections)
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-router-'))
  const platform = await startPlatform({port: 0, routerPort: 0, dataDir, addonProviders: [], dynos: {stopGraceMs: 2000}})
  try {
    const user = await createUser(platform.store, {email: 'bench@example.com', password: 'bench password'})
    const api = async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(platform.url + path, {method, headers: {Authorization: `Bearer ${user.token}`, Accept: 'application/vnd.heroku+json; version=3', 'Content-Type': 'application/json'}, body: body === undefined ? undefined : JSON.stringify(body)})
      return res.json() as Promise<T>
    }

    await api('POST', '/apps', {name: 'bench'})
    const slug = await api<{blob: {url: string}, id: string}>('POST', '/apps/bench/slugs', {process_types: {web: 'node server.js'}})
    await fetch(slug.blob.url, {method: 'PUT', body: execFileSync('tar', ['-czf', '-', '-C', FIXTURE, '.'])})
    await api('POST', '/apps/bench/releases', {slug: slug.id})
    const upCount = async () => (await api<Array<{state: string}>>('GET', '/apps/bench/dynos')).filter(d => d.state === 'up').length
    while (await upCount() < 1) await new Promise(resolve => setTimeout(resolve, 100))
    const dynoPort = platform.dynos!.webPool((await api<{id: string}>('GET', '/apps/bench')).id)!.up[0].port
    const direct = `http://127.0.0.1:${dynoPort}/`
    const routed = `${platform.routerUrl}/`
    const host = `bench.localhost:${platform.routerPort}`
    // the cheapest Node proxy there is (http.request + keep-alive agent, no headers added, no
    // logs, no balancing): what Node's http modules cost, for comparison
    const agent = new Agent({keepAlive: true, maxSockets: Infinity})
    const minimal = createServer((req, res) => {
      request({host: '127.0.0.1', port: dynoPort, method: req.method, path: req.url, headers: req.headers, agent}, up => {
        res.writeHead(up.statusCode!, up.headers)
        up.pipe(res)
      }).end()
    })
    await new Promise<void>(resolve => minimal.listen(0, '127.0.0.1', resolve))
    const minimalUrl = `http://127.0.0.1:${(minimal.address() as AddressInfo).port}/`
    console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} CPUs; wrk -t1, ${seconds} s runs; dyno :${dynoPort}, router ${platform.routerUrl}`)

    await wrk(direct, connections, 1)
    await wrk(routed, connections, 1, host)
    const d32 = await wrk(direct, connections, seconds)
    const r32 = await wrk(routed, connections, seconds, host)
    const m32 = await wrk(minimalUrl, connections, seconds, host)
    console.log(`\nhello world, ${connections} connections`)
    console.log(`  direct         ${fmt(d32)}`)
    console.log(`  router         ${fmt(r32)}`)
    console.log(`  minimal proxy  ${fmt(m32)}`)
    console.log(`  router/direct throughput: ${(r32.rps / d32.rps).toFixed(2)}×  (goal ≥ 0.35×); minimal Node proxy/direct: ${(m32.rps / d32.rps).toFixed(2)}×`)

    const d1 = await wrk(direct, 1, seconds)
    const r1 = await wrk(routed, 1, seconds, host)
    const m1 = await wrk(minimalUrl, 1, seconds, host)
    console.log('\nhello world, 1 connection')
    console.log(`  direct         ${fmt(d1)}`)
    console.log(`  router         ${fmt(r1)}`)
    console.log(`  minimal proxy  ${fmt(m1)}`)
    console.log(`  added p50: ${(r1.p50 - d1.p50).toFixed(3)} ms  (goal < 0.2 ms)`)

    if (!values['skip-cpu']) {
      const cpu = `${platform.routerUrl}/cpu?ms=10`
      const c1 = await wrk(cpu, 16, seconds, host)
      await api('PATCH', '/apps/bench/formation/web', {quantity: 2})
      while (await upCount() < 2) await new Promise(resolve => setTimeout(resolve, 100))
      await wrk(cpu, 16, 1, host)
      const c2 = await wrk(cpu, 16, seconds, host)
      console.log('\n10 ms of CPU a request, 16 connections, through the router')
      console.log(`  web=1   ${fmt(c1)}  (goal ≥ 90 req/s)`)
      console.log(`  web=2   ${fmt(c2)}  (goal ≥ 180 req/s, p99 ≤ 550 ms)`)
    }

    minimal.close()
    agent.destroy()
  } finally {
    await platform.close()
    rmSync(dataDir, {recursive: true, force: true})
  }
}

await main()
