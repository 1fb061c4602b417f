// Deploy speed: real `git push` over smart HTTP to a real platform (temp data dir, no dynos),
// timed from starting `git push` until it exits — the build has then released.
//   node --import tsx bench/deploy/run.ts [--pushes 7]
// Prints figures; asserts nothing. Goals: a no-dependency Node app's one-line change < 2 s
// push-to-release; a one-line change of an app whose node_modules is cached < 5 s.
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {request} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {parseArgs} from 'node:util'

import {createUser} from '../../src/platform/bootstrap.js'
import {startPlatform} from '../../src/platform/server.js'
import {authedUrl, commitAll, createAppRepo, runGit, tempHome, writeFiles} from '../../test/platform/fixtures/deploy/git.js'

const {values} = parseArgs({options: {pushes: {type: 'string', default: '7'}}})
const pushes = Number(values.pushes)

const work = mkdtempSync(join(tmpdir(), 'bench-deploy-'))
const serverLog: string[] = []
const platform = await startPlatform({port: 0, routerPort: 5999, dataDir: join(work, 'data'), addonProviders: [], dynos: false, router: false, log: line => serverLog.push(line)})
const user = await createUser(platform.store, {email: 'bench@example.com', password: 'bench password'})
const home = tempHome()

async function createApp(name: string): Promise<string> {
  const res = await fetch(`${platform.url}/apps`, {
    method: 'POST',
    headers: {Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${user.token}`, 'Content-Type': 'application/json'},
    body: JSON.stringify({name}),
  })
  return authedUrl(((await res.json()) as {git_url: string}).git_url, user.token)
}

async function timePush(dir: string, url: string): Promise<number> {
  const started = performance.now()
  const result = await runGit(['push', '--quiet', url, 'main'], {cwd: dir, home})
  const elapsed = performance.now() - started
  if (result.code !== 0) throw new Error(`push failed:\n${result.output}`)
  return elapsed
}

/** median of `n` pushes of one-line changes (after a first push that is reported on its own) */
async function series(label: string, dir: string, url: string): Promise<void> {
  const first = await timePush(dir, url)
  const times: number[] = []
  for (let i = 0; i < pushes; i++) {
    writeFiles(dir, {'server.js': `console.log('hello ${i}')\n`})
    await commitAll(dir, home, `change ${i}`)
    times.push(await timePush(dir, url))
  }

  times.sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)]
  console.log(`${label.padEnd(52)} first ${first.toFixed(0).padStart(5)} ms   median ${median.toFixed(0).padStart(5)} ms   min ${times[0].toFixed(0)} / max ${times.at(-1)!.toFixed(0)} ms  (${pushes} one-line changes)`)
}

/** GET / through the router with Host: APP.localhost (fetch cannot set Host) */
function viaRouter(routerUrl: string, app: string): Promise<string> {
  const url = new URL(routerUrl)
  return new Promise((resolve, reject) => {
    const req = request({host: url.hostname, port: url.port, path: '/', headers: {Host: `${app}.localhost:${url.port}`}, agent: false}, res => {
      let body = ''
      res.setEncoding('utf8').on('data', (c: string) => {
        body += c
      }).on('end', () => resolve(body))
    })
    req.on('error', reject)
    req.end()
  })
}

/** push → the router serves the new code, on a second platform with dynos and the router on */
async function routed(): Promise<void> {
  const rtWork = mkdtempSync(join(tmpdir(), 'bench-deploy-rt-'))
  const base = 10_000 + Math.floor(Math.random() * 200) * 100
  const rt = await startPlatform({port: 0, routerPort: 0, dataDir: rtWork, addonProviders: [], dynos: {portRange: [base, base + 99], bootPollMs: 10}, router: {}})
  try {
    const rtUser = await createUser(rt.store, {email: 'bench@example.com', password: 'bench password'})
    const res = await fetch(`${rt.url}/apps`, {
      method: 'POST',
      headers: {Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${rtUser.token}`, 'Content-Type': 'application/json'},
      body: JSON.stringify({name: 'routed'}),
    })
    const url = authedUrl(((await res.json()) as {git_url: string}).git_url, rtUser.token)
    const server = (n: number) => `require('node:http').createServer((q, r) => r.end('v${n}')).listen(process.env.PORT)\n`
    const dir = await createAppRepo(home, {Procfile: 'web: node server.js\n', 'server.js': server(0)}, rtWork)
    const times: number[] = []
    for (let i = 0; i <= Math.min(pushes, 5); i++) {
      if (i > 0) {
        writeFiles(dir, {'server.js': server(i)})
        await commitAll(dir, home, `v${i}`)
      }

      const started = performance.now()
      const result = await runGit(['push', '--quiet', url, 'main'], {cwd: dir, home})
      if (result.code !== 0) throw new Error(`push failed:\n${result.output}`)
      for (let tries = 0; ; tries++) {
        const body = await viaRouter(rt.routerUrl!, 'routed').catch(() => '')
        if (body === `v${i}`) break
        if (tries > 2000) throw new Error(`the router never served v${i} (last: ${body})`)
        await new Promise(r => setTimeout(r, 5))
      }

      if (i > 0) times.push(performance.now() - started)
    }

    times.sort((a, b) => a - b)
    console.log(`${'Procfile Node app: push → router serves new code'.padEnd(52)} median ${times[Math.floor(times.length / 2)].toFixed(0).padStart(5)} ms   min ${times[0].toFixed(0)} / max ${times.at(-1)!.toFixed(0)} ms  (${times.length} one-line changes)`)
  } finally {
    await rt.close()
    rmSync(rtWork, {recursive: true, force: true})
  }
}

try {
  // reference: the smart-HTTP round trips alone (no build): ls-remote of an app's repository
  const refUrl = await createApp('reference')
  const lsTimes: number[] = []
  for (let i = 0; i < 7; i++) {
    const started = performance.now()
    await runGit(['ls-remote', refUrl], {home})
    lsTimes.push(performance.now() - started)
  }

  lsTimes.sort((a, b) => a - b)
  console.log(`${'git ls-remote (auth + http-backend, no build)'.padEnd(52)} median ${lsTimes[3].toFixed(0).padStart(5)} ms`)

  const plain = await createAppRepo(home, {'package.json': JSON.stringify({name: 'hello', scripts: {start: 'node server.js'}}), 'server.js': "console.log('hello')\n"}, work)
  await series('Node.js app, no dependencies: push → released', plain, await createApp('no-deps'))

  const procfile = await createAppRepo(home, {Procfile: 'web: node server.js\n', 'server.js': "console.log('hello')\n"}, work)
  await series('Procfile-only app (no compile): push → released', procfile, await createApp('procfile-only'))

  const dep = join(work, 'dep')
  writeFiles(dep, {'package.json': JSON.stringify({name: 'local-dep', version: '1.0.0'}), 'index.js': 'module.exports = 1\n'})
  const npmEnv = {...process.env, npm_config_cache: join(work, 'npm-cache')}
  // the dependency's tarball is part of the app: a (sandboxed) build sees only the app
  const withDeps = await createAppRepo(home, {
    'package.json': JSON.stringify({name: 'with-deps', scripts: {start: 'node server.js'}, dependencies: {'local-dep': 'file:vendor/local-dep-1.0.0.tgz'}}),
    'server.js': "console.log('hello')\n",
    '.gitignore': 'node_modules\n',
  }, work)
  mkdirSync(join(withDeps, 'vendor'))
  execFileSync('npm', ['pack', '--silent', '--pack-destination', join(withDeps, 'vendor')], {cwd: dep, env: npmEnv})
  execFileSync('npm', ['install', '--package-lock-only', '--offline'], {cwd: withDeps, env: npmEnv, stdio: 'ignore'})
  await commitAll(withDeps, home, 'lockfile')
  await series('Node.js app, cached node_modules: push → released', withDeps, await createApp('with-deps'))

  await routed()

  console.log('\nstage timings of the last builds (platform log):')
  for (const line of serverLog.filter(l => l.startsWith('build ')).slice(-3)) console.log(`  ${line}`)
} finally {
  await platform.close()
  rmSync(work, {recursive: true, force: true})
  rmSync(home, {recursive: true, force: true})
}
