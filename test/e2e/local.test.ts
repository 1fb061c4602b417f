import {expect} from 'chai'
import {type ChildProcess, spawn} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {inGroups} from '../helpers/process-groups.js'

// heroku local as a user runs it: the CLI in its own process (the sources through tsx, so no
// build is needed), a real Procfile app, signals sent to the CLI's pid.
const CLI = join(process.cwd(), 'test', 'helpers', 'source-cli.ts')
const TSX = import.meta.resolve('tsx')

interface Running {
  child: ChildProcess
  exited: Promise<number>
  output: () => string
}

function heroku(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, ['--import', TSX, '--no-warnings', CLI, ...args], {cwd, env: {...process.env, CI: 'true', NODE_ENV: 'test', ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  let text = ''
  child.stdout!.on('data', d => {
    text += d
  })
  child.stderr!.on('data', d => {
    text += d
  })
  const exited = new Promise<number>(resolve => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : 0)))
  })
  return {child, exited, output: () => text}
}

async function waitFor(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)

    await new Promise(r => setTimeout(r, 50))
  }
}

const startedPids = (text: string) => [...text.matchAll(/started \(pid (\d+)/g)].map(m => Number(m[1]))

const SERVER = `
const http = require('node:http')
http.createServer((req, res) => res.end(process.env.PORT + ' ' + process.env.GREETING + ' ' + JSON.stringify(process.env.MULTI)))
  .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT))
`

describe('heroku local (a real Procfile app)', function () {
  this.timeout(40_000)
  let dir: string
  const port = 20_000 + Math.floor(Math.random() * 20_000)
  let running: Running | undefined

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'heroku-local-'))
    writeFileSync(join(dir, 'server.js'), SERVER)
    // the worker leaves a grandchild in its group: stopping must reach it too
    writeFileSync(join(dir, 'Procfile'), 'web: node server.js\nworker: sleep 300 & echo "worker on $PORT with $GREETING"; wait\nrelease: echo must not run > released\n')
    writeFileSync(join(dir, '.env'), '# local settings\nexport GREETING="hello world" # greeting\nMULTI="line one\nline two"\n')
  })

  afterEach(() => {
    running?.child.kill('SIGKILL')
    rmSync(dir, {force: true, recursive: true})
  })

  it('runs web=2 and a worker with .env and PORTs, prefixed and aligned; Ctrl-C leaves no process behind', async () => {
    running = heroku(['local', 'web=2', 'worker', '-p', String(port)], dir)
    await waitFor('three processes up', () => (running!.output().match(/\| (listening on|worker on) \d/g) ?? []).length === 3)
    const out = running.output()
    expect(out).to.match(new RegExp(`^\\d\\d:\\d\\d:\\d\\d web\\.1    \\| listening on ${port}$`, 'm'))
    expect(out).to.match(new RegExp(`^\\d\\d:\\d\\d:\\d\\d web\\.2    \\| listening on ${port + 100}$`, 'm'))
    expect(out).to.match(new RegExp(`^\\d\\d:\\d\\d:\\d\\d worker\\.1 \\| worker on ${port + 200} with hello world$`, 'm'))
    expect(out).not.to.contain('\u001B[') // no colour off a terminal
    for (const p of [port, port + 100]) {
      const body = await (await fetch(`http://127.0.0.1:${p}/`)).text()
      expect(body).to.equal(`${p} hello world "line one\\nline two"`)
    }

    const pids = startedPids(out)
    expect(pids).to.have.length(3)
    expect(inGroups(pids).length).to.be.greaterThan(3) // the worker's shell and its sleep, at least

    running.child.kill('SIGINT')
    expect(await running.exited).to.equal(130)
    expect(running.output()).to.include('SIGINT received, stopping all processes')
    expect(inGroups(pids)).to.deep.equal([])
    expect(readdirSync(dir)).not.to.include('released')
  })

  it('SIGTERM stops every process group too', async () => {
    running = heroku(['local', '-p', String(port)], dir)
    await waitFor('both processes up', () => (running!.output().match(/\| (listening on|worker on) \d/g) ?? []).length === 2)
    const pids = startedPids(running.output())
    running.child.kill('SIGTERM')
    expect(await running.exited).to.equal(143)
    expect(inGroups(pids)).to.deep.equal([])
  })

  it('a process that exits stops the others, and its exit code is heroku local\'s', async () => {
    writeFileSync(join(dir, 'Procfile'), 'web: node server.js\ncrasher: sleep 0.5; echo giving up; exit 7\n')
    running = heroku(['local', '-p', String(port)], dir)
    expect(await running.exited).to.equal(7)
    const out = running.output()
    expect(out).to.match(/crasher\.1 \| giving up/)
    expect(out).to.include('crasher.1 exited with code 7, stopping all processes')
    expect(inGroups(startedPids(out))).to.deep.equal([])
  })

  it('local:run runs one command with .env and PORT, and passes its exit code on', async () => {
    running = heroku(['local:run', '-p', '4321', 'echo "$PORT $GREETING"; exit 3'], dir)
    expect(await running.exited).to.equal(3)
    expect(running.output()).to.equal('4321 hello world\n')
  })

  it('without a Procfile, a Node.js app runs the buildpack\'s default web command', async () => {
    rmSync(join(dir, 'Procfile'))
    writeFileSync(join(dir, 'package.json'), JSON.stringify({main: 'server.js', name: 'app'}))
    running = heroku(['local', '-p', String(port)], dir)
    await waitFor('web up', () => running!.output().includes('listening on'))
    expect(running.output()).to.include('No Procfile: running web: node "server.js" (the Node.js buildpack\'s default)')
    running.child.kill('SIGINT')
    expect(await running.exited).to.equal(130)
  })

  it('without a Procfile or package.json: a clear error', async () => {
    rmSync(join(dir, 'Procfile'))
    running = heroku(['local'], dir)
    expect(await running.exited).to.equal(1)
    expect(running.output()).to.include(`No Procfile in ${dir}.`)
    expect(running.output()).not.to.match(/\n\s+at /) // no stack trace
  })

  it('a bad .env line is reported with its number', async () => {
    writeFileSync(join(dir, '.env'), 'A=1\nB="two\nlines"\nthis is not an assignment\n')
    running = heroku(['local'], dir)
    expect(await running.exited).to.equal(1)
    expect(running.output()).to.include('.env line 4 is not KEY=VALUE: "this is not an assignment"')
  })
})

describe('heroku local --build', function () {
  this.timeout(60_000)
  let dir: string
  let cache: string
  let running: Running | undefined
  const port = 20_000 + Math.floor(Math.random() * 20_000)

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'heroku-local-build-'))
    cache = mkdtempSync(join(tmpdir(), 'heroku-local-cache-'))
    writeFileSync(join(dir, 'server.js'), SERVER)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({name: 'app', scripts: {start: 'node server.js'}, version: '1.0.0'}))
    // no web line: the Node.js buildpack's default (npm start) comes from its bin/release
    writeFileSync(join(dir, 'Procfile'), 'worker: echo "worker in $PWD with $GREETING"; sleep 300\n')
    writeFileSync(join(dir, '.env'), 'GREETING=hi\n')
  })

  afterEach(() => {
    running?.child.kill('SIGKILL')
    rmSync(dir, {force: true, recursive: true})
    rmSync(cache, {force: true, recursive: true})
  })

  it('compiles with the platform\'s buildpacks outside the tree and runs the result with the buildpack\'s defaults', async () => {
    const before = readdirSync(dir).sort()
    running = heroku(['local', '--build', '-p', String(port)], dir, {XDG_CACHE_HOME: cache})
    await waitFor('both processes up', () => (running!.output().match(/\| (listening on|worker in) /g) ?? []).length === 2, 40_000)
    const out = running.output()
    expect(out).to.include('-----> Node.js app detected')
    expect(out).to.match(new RegExp(`web\\.1 started \\(pid \\d+, PORT ${port}\\): npm start`))
    const built = /Built \(Node\.js\) in (\S+)/.exec(out)![1]
    expect(built.startsWith(cache)).to.equal(true)
    expect(out).to.include(`worker in ${built} with hi`)
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).to.equal(`${port} hi undefined`)
    const pids = startedPids(out)
    running.child.kill('SIGINT')
    expect(await running.exited).to.equal(130)
    expect(inGroups(pids)).to.deep.equal([])
    expect(readdirSync(dir).sort()).to.deep.equal(before) // the working tree is not written to
  })

  it('a build that fails: the buildpack\'s reason, exit 1, nothing started', async () => {
    for (const f of ['package.json', 'Procfile', 'server.js']) rmSync(join(dir, f))
    running = heroku(['local', '--build'], dir, {XDG_CACHE_HOME: cache})
    expect(await running.exited).to.equal(1)
    expect(running.output()).to.include('The build failed: No default language could be detected for this app.')
    expect(running.output()).not.to.include('started (pid')
  })
})
