// State survives restarts and crashes: a write the API acknowledged is on disk.
import {expect} from 'chai'
import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {createUser, openStore} from '../../../src/platform/bootstrap.js'
import {pidFilePath, type PlatformProcessState, stateFilePath} from '../../../src/platform/process-files.js'
import {startPlatform} from '../../../src/platform/server.js'
import {MIGRATIONS} from '../../../src/platform/store/migrations.js'
import {ApiClient, LATER_PARTS_OFF, startTestPlatform} from '../helpers.js'

const MAIN = fileURLToPath(new URL('../../../src/platform/main.ts', import.meta.url))

function spawnPlatform(dataDir: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--router-port', '0', '--data-dir', dataDir], {stdio: ['ignore', 'pipe', 'pipe']})
  child.stdout?.resume()
  return child
}

async function waitForState(dataDir: string, child: ChildProcess): Promise<PlatformProcessState> {
  let stderr = ''
  child.stderr?.on('data', chunk => {
    stderr += String(chunk)
  })
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`platform exited with ${child.exitCode}: ${stderr}`)
    if (existsSync(stateFilePath(dataDir))) {
      const state = JSON.parse(readFileSync(stateFilePath(dataDir), 'utf8')) as PlatformProcessState
      if (state.pid === child.pid) return state
    }

    await new Promise(resolve => setTimeout(resolve, 50))
  }

  throw new Error(`platform did not start: ${stderr}`)
}

const exited = (child: ChildProcess): Promise<null | number> => new Promise(resolve => {
  if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode)
  else child.once('exit', code => resolve(code))
})

describe('platform durability', function () {
  this.timeout(60_000)

  it('keeps everything across a restart on the same data dir', async () => {
    const first = await startTestPlatform()
    await first.client.post('/apps', {name: 'persistent'})
    await first.client.patch('/apps/persistent/config-vars', {A: '1', B: '2'})
    await first.client.post('/apps/persistent/domains', {hostname: 'persist.example.com', sni_endpoint: null})
    const slug = await first.client.post('/apps/persistent/slugs', {process_types: {web: 'web-cmd'}})
    await first.client.post('/apps/persistent/releases', {slug: slug.body.id})
    await first.client.patch('/apps/persistent/formation/web', {quantity: 2})
    await first.close({keepData: true})

    const second = await startPlatform({...LATER_PARTS_OFF, port: 0, routerPort: 5999, dataDir: first.dataDir, addonProviders: []})
    try {
      const client = new ApiClient(second.url, first.owner.token)
      expect((await client.get('/apps/persistent/config-vars')).body).to.deep.equal({A: '1', B: '2'})
      expect((await client.get('/apps/persistent/releases')).body.map((r: {version: number}) => r.version)).to.deep.equal([1, 2, 3])
      expect((await client.get('/apps/persistent/formation/web')).body.quantity).to.equal(2)
      expect((await client.get('/apps/persistent/domains')).body).to.have.length(2)
      const migrations = second.store.all<{version: number}>('SELECT version FROM schema_migrations')
      expect(migrations.map(m => m.version)).to.deep.equal(MIGRATIONS.map(m => m.version))
    } finally {
      await second.close()
      rmSync(first.dataDir, {recursive: true, force: true})
    }
  })

  it('loses no acknowledged write when the server is killed with SIGKILL mid-burst', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'platform-kill-'))
    const store = openStore(dataDir)
    const {token} = await createUser(store, {email: 'crash@example.com', password: 'crash test password'})
    store.close()
    let child = spawnPlatform(dataDir)
    try {
      const state = await waitForState(dataDir, child)
      expect(readFileSync(pidFilePath(dataDir), 'utf8').trim()).to.equal(String(child.pid))
      const client = new ApiClient(state.url, token)
      expect((await client.post('/apps', {name: 'crashy'})).status).to.equal(201)

      const acknowledged: string[] = []
      let stop = false
      const writer = async (w: number): Promise<void> => {
        // eslint-disable-next-line no-unmodified-loop-condition -- the test sets stop once the platform is killed; the loop awaits between checks
        for (let i = 0; !stop; i++) {
          const key = `W${w}_${i}`
          try {
            const res = await client.patch('/apps/crashy/config-vars', {[key]: `value-${i}`})
            if (res.status === 200) acknowledged.push(key)
          } catch {
            return // the connection died with the server
          }
        }
      }

      const writers = Array.from({length: 6}, (_, w) => writer(w))
      while (acknowledged.length < 60) await new Promise(resolve => setTimeout(resolve, 5))
      child.kill('SIGKILL')
      await exited(child)
      stop = true
      await Promise.all(writers)
      expect(acknowledged.length).to.be.at.least(60)

      child = spawnPlatform(dataDir)
      const restarted = await waitForState(dataDir, child)
      const after = new ApiClient(restarted.url, token)
      const config = (await after.get('/apps/crashy/config-vars')).body as Record<string, string>
      const lost = acknowledged.filter(key => !(key in config))
      expect(lost, 'acknowledged writes missing after the crash').to.deep.equal([])
      // each acknowledged change has its release
      const releases = (await after.get('/apps/crashy/releases')).body as {description: string}[]
      const released = new Set(releases.flatMap(r => /^Set (\S+) config vars$/.exec(r.description)?.[1] ?? []))
      expect(acknowledged.filter(key => !released.has(key))).to.deep.equal([])

      // SIGTERM closes cleanly and removes the pid and state files
      child.kill('SIGTERM')
      expect(await exited(child)).to.equal(0)
      expect(existsSync(pidFilePath(dataDir))).to.equal(false)
      expect(existsSync(stateFilePath(dataDir))).to.equal(false)
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      rmSync(dataDir, {recursive: true, force: true})
    }
  })
})
