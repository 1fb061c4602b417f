// Zero downtime: what clients see while an app changes under load. A real platform (its own
// process, src/platform/main.ts, ephemeral ports, a temp data dir) runs two apps deployed by
// `git push`: one that exits at once on SIGTERM, one that drains (stops accepting, finishes
// what is in flight, then exits). Each request takes about 5 ms in the dyno. For every change
// — config:set, a new deploy, ps:restart, scale web 1→2 and 2→1 — 64 kept-alive connections
// send requests through the router, from a second before the change until a second after it
// has completed (the dynos listed by the API are the new ones, all up), at most 20 s.
//   node --import tsx bench/zero-downtime/run.ts [--connections 64] [--max-seconds 20] [--post]
// --post sends POSTs with a small body (the router retries only a refused one) instead of GETs.
// Goal (with preboot): nothing lost by the draining app in any change; the app that exits at
// once loses at most the unsafe requests it had in flight.
// Prints per change and app: requests, 2xx, non-2xx by status and router error code (from the
// router's error page), connection errors, p50/p99/max latency. Asserts nothing. Talks to the
// platform only over its API, git and the router (the owner account is made in the data dir
// first, as `heroku platform:start` does), so it measures whatever the supervisor does.
import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {cpus, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {Pool} from 'undici'

import {createUser, openStore} from '../../src/platform/bootstrap.js'
import {type PlatformProcessState, stateFilePath} from '../../src/platform/process-files.js'
import {authedUrl, commitAll, createAppRepo, runGit, tempHome, writeFiles} from '../../test/platform/fixtures/deploy/git.js'

const {values} = parseArgs({
  options: {
    connections: {type: 'string', default: '64'},
    'max-seconds': {type: 'string', default: '20'},
    post: {type: 'boolean', default: false},
  },
})
const CONNECTIONS = Number(values.connections)
const MAX_MS = Number(values['max-seconds']) * 1000
const METHOD = values.post ? 'POST' : 'GET'
const BEFORE_MS = 1000
const AFTER_MS = 1000
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')

// --- the apps ------------------------------------------------------------------------------

const serverSource = (mark: string) => `const http = require('node:http')
let draining = false
const server = http.createServer((req, res) => {
  req.resume()
  // a few ms of work, so that requests are in flight when the dyno is told to stop
  setTimeout(() => {
    if (draining) res.setHeader('Connection', 'close')
    res.end(process.env.DYNO + ' ${mark} ' + (process.env.MARK || ''))
  }, 5)
})
server.listen(Number(process.env.PORT))
`
const APPS = {
  'zd-exit': {
    label: 'exits at once',
    server: (mark: string) => `${serverSource(mark)}process.on('SIGTERM', () => process.exit(0))\n`,
  },
  'zd-drain': {
    label: 'drains',
    server: (mark: string) => `${serverSource(mark)}process.on('SIGTERM', () => {
  draining = true
  server.close(() => process.exit(0))
  server.closeIdleConnections()
})
`,
  },
} as const
type AppName = keyof typeof APPS

// --- the platform, in its own process --------------------------------------------------------

interface Platform {
  child: ChildProcess
  output: string[]
  routerPort: number
  routerUrl: string
  token: string
  url: string
}

async function startPlatform(dataDir: string): Promise<Platform> {
  const store = openStore(dataDir)
  const {token} = await createUser(store, {email: 'bench@example.com', password: 'bench password'})
  store.close()
  const output: string[] = []
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/platform/main.ts'), '--data-dir', dataDir, '--port', '0', '--router-port', '0'], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      output.push(...chunk.split('\n').filter(Boolean))
      if (output.length > 2000) output.splice(0, output.length - 1000)
    })
  }

  const deadline = Date.now() + 30_000
  while (!existsSync(stateFilePath(dataDir))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the platform did not start:\n${output.slice(-30).join('\n')}`)
    await sleep(50)
  }

  const state = JSON.parse(readFileSync(stateFilePath(dataDir), 'utf8')) as PlatformProcessState
  return {url: state.url, routerUrl: `http://127.0.0.1:${state.routerPort}`, routerPort: state.routerPort, token, child, output}
}

async function stopPlatform(p: Platform): Promise<void> {
  if (p.child.exitCode !== null) return
  const exited = new Promise(resolve => p.child.once('exit', resolve))
  p.child.kill('SIGTERM')
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 20_000)
  await exited
  clearTimeout(timer)
}

// --- the API --------------------------------------------------------------------------------

interface Dyno {
  created_at: string
  name: string
  release: null | {version: number}
  state: string
  type: string
  updated_at: string
}

let platform!: Platform

async function api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(platform.url + path, {
    method,
    headers: {Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${platform.token}`, 'Content-Type': 'application/json', ...headers},
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  if (res.status >= 300 && res.status !== 206) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return (text ? JSON.parse(text) : undefined) as T
}

const webDynos = async (app: string) => (await api<Dyno[]>('GET', `/apps/${app}/dynos`)).filter(d => d.type === 'web')
const latestVersion = async (app: string) => Math.max(...(await api<{version: number}[]>('GET', `/apps/${app}/releases`, undefined, {Range: 'version ..; max=1000'})).map(r => r.version))
const allUp = (dynos: Dyno[], quantity: number) => dynos.length === quantity && dynos.every(d => d.state === 'up')

async function until(what: string, probe: () => Promise<boolean>, deadline: number): Promise<boolean> {
  for (;;) {
    if (await probe().catch(() => false)) return true
    if (Date.now() > deadline) {
      console.log(`    (${what}: not complete in time)`)
      return false
    }

    await sleep(100)
  }
}

// --- load -----------------------------------------------------------------------------------

interface Stats {
  /** connection errors by code */
  errors: Map<string, number>
  latencies: number[]
  ok: number
  sent: number
  /** "503 H13" → count */
  statuses: Map<string, number>
}

/** CONNECTIONS loops, each one request after another on its kept-alive connection, until stopped. */
function startLoad(app: string): {stop(): Promise<Stats>} {
  const pool = new Pool(platform.routerUrl, {connections: CONNECTIONS, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 10_000, bodyTimeout: 10_000})
  const host = `${app}.localhost:${platform.routerPort}`
  const stats: Stats = {sent: 0, ok: 0, statuses: new Map(), errors: new Map(), latencies: []}
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1)
  let stopped = false
  const loop = async () => {
    // eslint-disable-next-line no-unmodified-loop-condition -- stop() sets it while these loops await
    while (!stopped) {
      const started = performance.now()
      stats.sent++
      try {
        const res = await pool.request({path: '/', method: METHOD, headers: {host}, body: METHOD === 'POST' ? 'a small body' : undefined})
        const text = await res.body.text()
        stats.latencies.push(performance.now() - started)
        if (res.statusCode >= 200 && res.statusCode < 300) stats.ok++
        else bump(stats.statuses, `${res.statusCode} ${/<small>(H\d+) /.exec(text)?.[1] ?? ''}`.trim())
      } catch (error) {
        stats.latencies.push(performance.now() - started)
        bump(stats.errors, (error as {code?: string}).code ?? (error as Error).message)
        await sleep(1) // a refusing router would otherwise spin
      }
    }
  }

  const loops = Array.from({length: CONNECTIONS}, loop)
  return {
    async stop() {
      stopped = true
      await Promise.all(loops)
      await pool.close()
      return stats
    },
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

function report(scenario: string, app: AppName, stats: Stats, changeMs: number | undefined, seconds: number): void {
  const sorted = stats.latencies.sort((a, b) => a - b)
  const by = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ')
  const non2xx = [...stats.statuses.values()].reduce((a, b) => a + b, 0)
  const errors = [...stats.errors.values()].reduce((a, b) => a + b, 0)
  console.log(`  ${scenario.padEnd(22)} ${APPS[app].label.padEnd(14)} sent ${String(stats.sent).padStart(6)}  2xx ${String(stats.ok).padStart(6)}  non-2xx ${String(non2xx).padStart(4)}${non2xx ? ` (${by(stats.statuses)})` : ''}  errors ${errors}${errors ? ` (${by(stats.errors)})` : ''}  p50 ${quantile(sorted, 0.5).toFixed(1)} ms  p99 ${quantile(sorted, 0.99).toFixed(1)} ms  max ${(sorted.at(-1) ?? Number.NaN).toFixed(0)} ms  change ${changeMs === undefined ? 'incomplete' : `${(changeMs / 1000).toFixed(1)} s`}  (${seconds.toFixed(1)} s of load)`)
}

// --- the changes ----------------------------------------------------------------------------

interface Scenario {
  /** makes the change; resolves with a probe that says when it has completed */
  change(app: AppName): Promise<() => Promise<boolean>>
  name: string
}

const home = tempHome()
const repos = new Map<AppName, {dir: string, pushes: number, url: string}>()

async function push(app: AppName): Promise<void> {
  const repo = repos.get(app)!
  const result = await runGit(['push', '--quiet', repo.url, 'main'], {cwd: repo.dir, home})
  if (result.code !== 0) throw new Error(`git push ${app} failed:\n${result.output}`)
}

async function releaseOnline(app: AppName, quantity: number): Promise<() => Promise<boolean>> {
  const version = await latestVersion(app)
  return async () => {
    const dynos = await webDynos(app)
    return allUp(dynos, quantity) && dynos.every(d => d.release?.version === version)
  }
}

const SCENARIOS: Scenario[] = [
  {
    name: 'config:set (restart)',
    async change(app) {
      await api('PATCH', `/apps/${app}/config-vars`, {MARK: String(Date.now())})
      return releaseOnline(app, 1)
    },
  },
  {
    name: 'deploy (git push)',
    async change(app) {
      const repo = repos.get(app)!
      repo.pushes++
      writeFiles(repo.dir, {'server.js': APPS[app].server(`v${repo.pushes}`)})
      await commitAll(repo.dir, home, `v${repo.pushes}`)
      await push(app)
      return releaseOnline(app, 1)
    },
  },
  {
    name: 'ps:restart',
    async change(app) {
      const asked = Date.now()
      await api('DELETE', `/apps/${app}/dynos`)
      // restarted dynos are new ones, or the same ones that have changed state since
      return async () => {
        const dynos = await webDynos(app)
        return allUp(dynos, 1) && dynos.every(d => Date.parse(d.created_at) >= asked || Date.parse(d.updated_at) >= asked)
      }
    },
  },
  {
    name: 'scale web 1→2',
    async change(app) {
      await api('PATCH', `/apps/${app}/formation`, {updates: [{type: 'web', quantity: 2}]})
      return async () => allUp(await webDynos(app), 2)
    },
  },
  {
    name: 'scale web 2→1',
    async change(app) {
      await api('PATCH', `/apps/${app}/formation`, {updates: [{type: 'web', quantity: 1}]})
      return async () => allUp(await webDynos(app), 1)
    },
  },
]

async function runScenario(scenario: Scenario, app: AppName): Promise<void> {
  const started = Date.now()
  const deadline = started + MAX_MS
  const load = startLoad(app)
  await sleep(BEFORE_MS)
  const asked = Date.now()
  let changeMs: number | undefined
  try {
    const done = await scenario.change(app)
    if (await until(`${scenario.name} on ${app}`, done, deadline - AFTER_MS)) changeMs = Date.now() - asked
    await sleep(Math.max(0, Math.min(AFTER_MS, deadline - Date.now())))
  } finally {
    const stats = await load.stop()
    report(scenario.name, app, stats, changeMs, (Date.now() - started) / 1000)
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

// --- main -----------------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'bench-zero-downtime-'))
try {
  platform = await startPlatform(join(work, 'data'))
  console.log(`node ${process.version}, ${cpus().length} CPUs; platform ${platform.url}, router ${platform.routerUrl}; ${CONNECTIONS} connections, ${METHOD} /, about 5 ms a request in the dyno`)
  for (const app of Object.keys(APPS) as AppName[]) {
    const created = await api<{git_url: string}>('POST', '/apps', {name: app})
    const dir = await createAppRepo(home, {Procfile: 'web: node server.js\n', 'server.js': APPS[app].server('v0')}, work)
    repos.set(app, {dir, url: authedUrl(created.git_url, platform.token), pushes: 0})
    await push(app)
    await api('PATCH', `/apps/${app}/formation`, {updates: [{type: 'web', quantity: 1}]})
    if (!await until(`${app} up`, async () => allUp(await webDynos(app), 1), Date.now() + 30_000)) throw new Error(`${app} never came up`)
  }

  for (const scenario of SCENARIOS) {
    console.log(`\n${scenario.name}`)
    for (const app of Object.keys(APPS) as AppName[]) await runScenario(scenario, app)
  }
} catch (error) {
  console.error(`bench failed: ${(error as Error).message}`)
  if (platform) console.error(`platform output (last lines):\n${platform.output.slice(-30).join('\n')}`)
  process.exitCode = 1
} finally {
  if (platform) await stopPlatform(platform)
  rmSync(work, {recursive: true, force: true})
  rmSync(home, {recursive: true, force: true})
}
