#!/usr/bin/env node
// `npm run demo`: the whole story on the local platform, with the built CLI, real git and real
// processes. Starts the platform (or uses the one running), creates an app from
// examples/addons-app with real add-ons (PostgreSQL, Redis, mail), deploys it, scales it, requests
// it through the router (each request uses all three), and shows ps, releases and logs. Leaves the platform running
// with what to try next; with CI=true it stops the platform at the end.
import {spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdtempSync, readFileSync} from 'node:fs'
import {request as httpRequest} from 'node:http'
import {request as httpsRequest} from 'node:https'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = join(root, 'bin', 'run.js')
const ci = Boolean(process.env.CI) && process.env.CI !== 'false'
const bold = s => (process.stdout.isTTY && !process.env.NO_COLOR ? `\u001B[1m${s}\u001B[22m` : s)

function step(text) {
  console.log(`\n${bold(`▸ ${text}`)}`)
}

/** Runs a command for the audience to see; fails the demo if it fails. */
function show(cmd, args, opts = {}) {
  console.log(`$ ${[cmd === process.execPath ? 'heroku' : cmd, ...(cmd === process.execPath ? args.slice(1) : args)].join(' ')}`)
  const r = spawnSync(cmd, args, {cwd: opts.cwd ?? root, env: opts.env ?? process.env, stdio: ['ignore', 'inherit', 'inherit']})
  if (r.status !== 0) {
    console.error(`\nThe demo stopped: that command exited ${r.status}.`)
    process.exit(1)
  }
}

const heroku = (args, opts) => show(process.execPath, [bin, ...args], opts)

function capture(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {cwd: opts.cwd ?? root, encoding: 'utf8', env: process.env})
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout
}

const herokuJson = (args, opts) => JSON.parse(capture(process.execPath, [bin, ...args, '--json'], opts))

/**
 * GET through the router with the app's Host header (browsers resolve *.localhost by themselves);
 * an https web_url over TLS, verified with the platform's CA (platform:status --json's ca_path)
 * and the app's name as SNI, as a browser that trusts that CA would.
 */
function get(webUrl, path = '/') {
  const url = new URL(path, webUrl)
  const tls = url.protocol === 'https:'
  const request = tls ? httpsRequest : httpRequest
  const extra = tls ? {ca: platformCa(), servername: url.hostname} : {}
  return new Promise((resolve, reject) => {
    const req = request({headers: {host: url.host}, host: '127.0.0.1', path: url.pathname, port: url.port, ...extra}, res => {
      let body = ''
      res.on('data', d => {
        body += d
      })
      res.on('end', () => resolve({body, status: res.statusCode}))
    })
    req.on('error', reject)
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')))
    req.end()
  })
}

let caPem
function platformCa() {
  if (caPem === undefined) {
    if (!status.ca_path) throw new Error('the platform serves https but platform:status names no CA')
    caPem = readFileSync(status.ca_path, 'utf8')
  }

  return caPem
}

async function waitForServing(webUrl, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    try {
      const res = await get(webUrl)
      if (res.status === 200) return
      last = `HTTP ${res.status}`
    } catch (error) {
      last = error.message
    }

    await new Promise(resolve => {
      setTimeout(resolve, 200)
    })
  }

  throw new Error(`the app did not answer through the router within ${timeoutMs / 1000} s (${last})`)
}

/** Until `count` web dynos are up, as `heroku ps --json` reports them. */
async function waitForDynos(cwd, count, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const dynos = herokuJson(['ps'], {cwd})
    if (dynos.filter(d => d.type === 'web' && d.state === 'up').length >= count) return

    await new Promise(resolve => {
      setTimeout(resolve, 250)
    })
  }

  throw new Error(`${count} web dynos did not come up within ${timeoutMs / 1000} s`)
}

if (!existsSync(join(root, 'dist', 'commands'))) {
  console.error('The CLI is not built: run npm ci (or npm run build) first.')
  process.exit(1)
}

const gitEmail = spawnSync('git', ['config', 'user.email'], {encoding: 'utf8'}).stdout.trim()
const email = gitEmail || 'demo@example.com'

step('Start the local platform (the Platform API and git on :5400, the router on :5000)')
heroku(['platform:start', '--detach', '--email', email, '--git-setup'])
const status = herokuJson(['platform:status'])

step('Create an app from examples/addons-app, in a fresh git repository')
const workdir = mkdtempSync(join(tmpdir(), 'heroku-demo-'))
cpSync(join(root, 'examples', 'addons-app'), workdir, {recursive: true})
// GIT_SSL_CAINFO (a machine-wide bundle some environments force) would override the
// http.<platform URL>.sslCAInfo that --git-setup set: git gets the platform's own setting
const gitEnv = {...process.env, GIT_SSL_CAINFO: undefined}
const git = args => show('git', args, {cwd: workdir, env: gitEnv})
git(['init', '-q', '-b', 'main'])
git(['add', '.'])
git(['-c', `user.email=${email}`, '-c', 'user.name=Demo', 'commit', '-q', '-m', 'Hello from the demo'])
heroku(['apps:create'], {cwd: workdir})
const app = herokuJson(['apps:info'], {cwd: workdir})
const appName = app.app?.name ?? app.name
const webUrl = app.app?.web_url ?? app.web_url

step('Add services: a Postgres database, a Redis, mail — real servers the platform runs')
heroku(['addons:create', 'heroku-postgresql'], {cwd: workdir})
heroku(['addons:create', 'heroku-redis'], {cwd: workdir})
heroku(['addons:create', 'sendgrid'], {cwd: workdir})
heroku(['addons'], {cwd: workdir})

step('Add config; the add-ons\' endpoints are config vars too')
heroku(['config:set', 'GREETING=Hello'], {cwd: workdir})
heroku(['config'], {cwd: workdir})

step('Deploy with git push (build output streams back)')
const pushStarted = Date.now()
git(['push', 'heroku', 'main'])
console.log(`(pushed and released in ${((Date.now() - pushStarted) / 1000).toFixed(1)} s)`)

step('Run two web dynos')
heroku(['ps:scale', 'web=2'], {cwd: workdir})
await waitForDynos(workdir, 2)
await waitForServing(webUrl)

step(`Request it through the router: ${webUrl}`)
const served = new Set()
for (let i = 0; i < 4; i++) {
  const res = await get(webUrl)
  console.log(`  ${res.status} ${res.body.trimEnd().replaceAll('\n', '\n      ')}`)
  if (res.status !== 200 || /failed:/.test(res.body)) {
    console.error('\nThe demo stopped: the app could not use its add-ons.')
    process.exit(1)
  }

  served.add(res.body.split('\n')[0])
}

step('The dynos, the releases, the logs')
heroku(['ps'], {cwd: workdir})
heroku(['releases'], {cwd: workdir})
heroku(['logs', '-n', '15'], {cwd: workdir})

if (ci) {
  step('CI: clean up')
  heroku(['apps:destroy', appName, '--confirm', appName], {cwd: workdir})
  heroku(['platform:stop'])
} else {
  // the demo ran ./bin/run.js: `heroku` itself is on PATH only after npm link or an install
  const onPath = herokuOnPath()
  const h = onPath ? 'heroku' : bin
  const pathNote = onPath
    ? ''
    : `
(\`heroku\` is not on your PATH: run \`npm link\` once in ${root}, or install it — README, "Install".
Until then ${bin} is the command, as below.)
`
  console.log(`
${bold('The platform is still running')} at ${status.url} (apps at ${new URL(webUrl).protocol}//APP.localhost:${new URL(webUrl).port}/).${status.ca_path
  ? `
Its certificate authority: ${status.ca_path} (this CLI and git trust it for ${status.url} only;
NODE_EXTRA_CA_CERTS=${status.ca_path} for other Node clients, docs/tls.md for a browser).`
  : ''}
Your app ${appName} lives in ${workdir}.${pathNote} Try next:

  cd ${workdir}
  ${h} open                      # in a browser: ${webUrl}
  ${h} logs --tail               # router and app lines as they happen
  ${h} config:set GREETING=Hi    # a new release; the dynos restart with it
  ${h} ps:scale web=3
  ${h} run node -e "console.log(process.env.GREETING)"
  ${h} platform:stop             # when you are done
`)
}

/** Whether `heroku` on PATH is this very CLI (npm link, or an install of it). */
function herokuOnPath() {
  const found = spawnSync('sh', ['-c', 'command -v heroku'], {encoding: 'utf8'}).stdout.trim()
  if (!found) return false
  const r = spawnSync(found, ['--version'], {encoding: 'utf8'})
  return r.status === 0 && r.stdout.startsWith('heroku-toolbelt/')
}

