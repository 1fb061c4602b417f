// Platform API latency and throughput, measured in-process against a real server on a temp
// data dir: GET and PATCH /apps/{app}/config-vars with N concurrent keep-alive clients.
// Prints figures; asserts nothing.
//   node --import tsx bench/api/run.ts [--requests 4000] [--patch-requests 800] [--concurrency 1,8]
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {Agent, request} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

import {createUser} from '../../src/platform/bootstrap.js'
import {startPlatform} from '../../src/platform/server.js'

const {values} = parseArgs({
  options: {
    requests: {type: 'string', default: '4000'},
    'patch-requests': {type: 'string', default: '800'},
    concurrency: {type: 'string', default: '1,8'},
  },
})

interface Target {
  agent: Agent
  port: number
  token: string
}

function send(target: Target, method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: target.port, method, path, agent: target.agent,
      headers: {
        Accept: 'application/vnd.heroku+json; version=3',
        Authorization: `Bearer ${target.token}`,
        ...(body === undefined ? {} : {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body)}),
      },
    }, res => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(body)
  })
}

interface Result {
  concurrency: number
  failures: number
  label: string
  p50: number
  p99: number
  requests: number
  throughput: number
}

async function measure(label: string, concurrency: number, total: number, makeRequest: (i: number) => Promise<number>): Promise<Result> {
  // warm-up: JIT, prepared statements, sockets
  for (let i = 0; i < 50; i++) await makeRequest(-1 - i)
  const latencies: number[] = []
  let next = 0
  let failures = 0
  const started = performance.now()
  await Promise.all(Array.from({length: concurrency}, async () => {
    while (next < total) {
      const i = next++
      const t0 = performance.now()
      const status = await makeRequest(i)
      latencies.push(performance.now() - t0)
      if (status !== 200) failures++
    }
  }))
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]
  return {label, concurrency, requests: total, p50: at(0.5), p99: at(0.99), throughput: total / elapsed, failures}
}

const CLI_RUNS = 11

/** `heroku config -a APP` as a user runs it (a fresh process each time), beside `node -e 0`. */
async function cliWallTimes(apiUrl: string, token: string): Promise<Array<[string, number]>> {
  const bin = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
  const env = {...process.env, HEROKU_API_KEY: token, HEROKU_API_URL: apiUrl}
  const once = (args: string[]) => new Promise<number>((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, args, {env, stdio: 'ignore'})
    child.once('error', reject)
    child.once('exit', code => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${args.join(' ')} exited ${code}`))))
  })
  const median = async (args: string[]) => {
    await once(args)
    const times: number[] = []
    for (let i = 0; i < CLI_RUNS; i++) times.push(await once(args))
    return times.sort((a, b) => a - b)[Math.floor(CLI_RUNS / 2)]
  }

  return [['node -e 0', await median(['-e', '0'])], ['heroku config -a APP', await median([bin, 'config', '-a', 'bench-app'])]]
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'platform-bench-'))
  // The default budget (4500/hour) would turn most of the load into 429s: lift it for the bench.
  const platform = await startPlatform({port: 0, routerPort: 0, dataDir, addonProviders: [], rateLimit: {budget: 1e9, refillMs: 1000}})
  try {
    const {token} = await createUser(platform.store, {email: 'bench@example.com', password: 'bench password'})
    const concurrencies = values.concurrency.split(',').map(Number)
    const target: Target = {port: platform.port, token, agent: new Agent({keepAlive: true, maxSockets: Math.max(...concurrencies)})}
    await send(target, 'POST', '/apps', JSON.stringify({name: 'bench-app'}))
    const initial: Record<string, string> = {}
    for (let i = 0; i < 20; i++) initial[`VAR_${i}`] = `value-${i}-${'x'.repeat(40)}`
    await send(target, 'PATCH', '/apps/bench-app/config-vars', JSON.stringify(initial))

    const results: Result[] = []
    for (const concurrency of concurrencies) {
      results.push(await measure('GET   /apps/{app}/config-vars', concurrency, Number(values.requests), () => send(target, 'GET', '/apps/bench-app/config-vars')))
    }

    for (const concurrency of concurrencies) {
      // every PATCH changes a value, so each one commits a release (with fsync: synchronous=FULL)
      results.push(await measure('PATCH /apps/{app}/config-vars', concurrency, Number(values['patch-requests']), i => send(target, 'PATCH', '/apps/bench-app/config-vars', JSON.stringify({BENCH: `c${concurrency}-${i}`}))))
    }

    target.agent.destroy()
    const cli = await cliWallTimes(platform.url, token)

    console.log(`Platform API, in-process, keep-alive clients (node ${process.version}, data dir on ${tmpdir()})`)
    console.log('endpoint                        conc  requests   p50 ms   p99 ms      req/s  failures')
    for (const r of results) {
      console.log(`${r.label.padEnd(31)} ${String(r.concurrency).padStart(4)} ${String(r.requests).padStart(9)} ${r.p50.toFixed(3).padStart(8)} ${r.p99.toFixed(3).padStart(8)} ${r.throughput.toFixed(0).padStart(10)} ${String(r.failures).padStart(9)}`)
    }

    console.log(`\nwall time of the built CLI against it (median of ${CLI_RUNS} runs; npm run build first)`)
    for (const [name, ms] of cli) console.log(`${name.padEnd(24)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / cli[0][1]).toFixed(2)}x node -e 0`)
  } finally {
    await platform.close()
    rmSync(dataDir, {recursive: true, force: true})
  }
}

await main()
