#!/usr/bin/env node
// Start-up time of the built CLI (bin/run.js), beside `node -e 0`: median wall time of N runs.
// `whoami` runs against a local HTTP server answering GET /account, so the network is not measured.
// Prints figures; asserts nothing. Usage: npm run build && node bench/startup.mjs [runs]
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const runs = Number(process.argv[2] ?? 21)
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(root, 'bin', 'run.js')

const server = createServer((req, res) => {
  res.writeHead(200, {'content-type': 'application/json'})
  res.end(JSON.stringify({email: 'bench@example.com', id: '01234567-89ab-cdef-0123-456789abcdef'}))
})
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
const home = mkdtempSync(join(tmpdir(), 'bench-startup-'))
const env = {
  ...process.env,
  HEROKU_API_KEY: 'bench-token',
  HEROKU_API_URL: `http://127.0.0.1:${server.address().port}`,
  HOME: home,
  XDG_CACHE_HOME: join(home, 'cache'),
  XDG_CONFIG_HOME: join(home, 'config'),
  XDG_DATA_HOME: join(home, 'data'),
}

function once(args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, args, {env, stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', d => {
      stderr += d
    })
    child.on('exit', code => {
      if (code === 0) {
        resolve(Number(process.hrtime.bigint() - started) / 1e6)
      } else {
        reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`))
      }
    })
  })
}

async function median(args) {
  await once(args) // warm the file cache
  const times = []
  for (let i = 0; i < runs; i++) times.push(await once(args)) // sequential: no contention between runs
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

const cases = [
  ['node -e 0', ['-e', '0']],
  ['heroku --version', [bin, '--version']],
  ['heroku help', [bin, 'help']],
  ['heroku whoami', [bin, 'whoami']],
]
const results = []
for (const [name, args] of cases) results.push([name, await median(args)])
const base = results[0][1]
console.log(`start-up, median of ${runs} runs (ms), ratio to node -e 0`)
for (const [name, ms] of results) console.log(`${name.padEnd(18)} ${ms.toFixed(1).padStart(7)}  ${(ms / base).toFixed(2)}x`)
server.close()
rmSync(home, {force: true, recursive: true})
