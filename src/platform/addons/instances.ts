// What the add-on providers that run one server per add-on (heroku-redis, memcachier) share:
// where an add-on's files are, its state file (port and credentials, chosen once and kept so
// that the config var URLs stay valid across platform restarts), choosing a free port, and
// writing files the server (another uid when the platform runs as root) can read.
//
// Layout under the service's directory (runtime.dir = DATA/addons/<service>, 0700):
//   <addonId>.json   the add-on's state (0600, the platform's: the server never sees it)
//   <addonId>/       the server's own directory (its config, data), writable in its sandbox

import {chown, mkdir, open, readdir, readFile, rename, rm, writeFile} from 'node:fs/promises'
import {connect} from 'node:net'
import {join} from 'node:path'

import type {ServiceProcesses} from '../dynos/service-processes.js'

import {ProviderError, type ProviderRuntime} from './provider.js'

/** add-on ids are UUIDs: anything else is not a name this module makes paths from */
const ADDON_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export function isAddonId(id: string): boolean {
  return ADDON_ID.test(id)
}

export class InstanceFiles<State extends {port: number}> {
  /** ports handed out by choosePort whose state file may not be written yet */
  private readonly reserved = new Set<number>()
  private choosing: Promise<unknown> = Promise.resolve()

  constructor(readonly root: string) {}

  serverDir(addonId: string): string {
    return join(this.root, checked(addonId))
  }

  private statePath(addonId: string): string {
    return join(this.root, `${checked(addonId)}.json`)
  }

  async read(addonId: string): Promise<State | undefined> {
    try {
      return JSON.parse(await readFile(this.statePath(addonId), 'utf8')) as State
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
  }

  async write(addonId: string, state: State): Promise<void> {
    await mkdir(this.root, {recursive: true, mode: 0o700})
    const path = this.statePath(addonId)
    const partial = `${path}.partial`
    await writeFile(partial, `${JSON.stringify(state, null, 2)}\n`, {mode: 0o600})
    await rename(partial, path)
    this.reserved.delete(state.port)
  }

  /** The add-on's state file and server directory gone (either or both may be gone already). */
  async remove(addonId: string): Promise<void> {
    await rm(this.serverDir(addonId), {recursive: true, force: true})
    await rm(this.statePath(addonId), {force: true})
  }

  /** The add-on ids that have a state file or a server directory here. */
  async ids(): Promise<string[]> {
    let names: string[]
    try {
      names = await readdir(this.root)
    } catch {
      return []
    }

    return [...new Set(names.map(name => name.replace(/\.json$/, '')).filter(name => isAddonId(name)))]
  }

  /**
   * A port of the range that no add-on of this service has and nothing accepts connections on
   * (probed with a connect: binding and closing a port would say nothing about the moment the
   * server binds it, and would take it from whoever listens on it between). One at a time, so that
   * two add-ons provisioned together do not get the same one.
   */
  choosePort(range: readonly [number, number]): Promise<number> {
    const next = this.choosing.then(async () => {
      const taken = new Set(this.reserved)
      for (const id of await this.ids()) {
        const state = await this.read(id).catch(() => undefined)
        if (state) taken.add(state.port)
      }

      const [from, to] = range
      const span = to - from + 1
      // start somewhere in the range, so that platforms on one machine rarely probe the same port first
      const offset = Math.floor(Math.random() * span)
      for (let i = 0; i < span; i++) {
        const port = from + ((offset + i) % span)
        if (taken.has(port)) continue

        if (await accepts(port)) continue
        this.reserved.add(port)
        return port
      }

      throw new Error(`no free port in ${from}–${to}`)
    })
    this.choosing = next.catch(() => {})
    return next
  }

  /** Gives back a port choosePort handed out that no state file will hold (a provision that failed). */
  release(port: number): void {
    this.reserved.delete(port)
  }
}

/**
 * Writes a file only its owner may read (0600), owned by `uid` when that is someone else (the
 * server's own user): written aside and renamed over, so that a restarting server never reads
 * half of it. The directory is the server's: whatever it put there under the temporary name (a
 * symbolic link to a file of the platform's) is removed first, and the new file is made
 * exclusively (O_EXCL, which follows no link) and given away through its descriptor.
 */
export async function writePrivateFile(path: string, content: string, uid: number | undefined): Promise<void> {
  const partial = `${path}.partial`
  await rm(partial, {force: true})
  const handle = await open(partial, 'wx', 0o600)
  try {
    if (uid !== undefined) await handle.chown(uid, uid)
    await handle.writeFile(content)
  } finally {
    await handle.close()
  }

  await rename(partial, path)
}

/** Makes the server's directory (0700), its user's when the platform switches users. */
export async function makeServerDir(dir: string, uid: number | undefined): Promise<void> {
  await mkdir(dir, {recursive: true, mode: 0o700})
  if (uid !== undefined) await chown(dir, uid, uid)
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function accepts(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({host: '127.0.0.1', port})
    const done = (result: boolean): void => {
      socket.destroy()
      resolve(result)
    }

    socket.setTimeout(timeoutMs, () => done(true))
    socket.once('connect', () => done(true))
    socket.once('error', error => done((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED'))
  })
}

function checked(addonId: string): string {
  if (!isAddonId(addonId)) throw new Error(`not an add-on id: ${JSON.stringify(addonId)}`)
  return addonId
}

/** Where a program is on PATH, if it is. */
export async function onPath(program: string, path = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'): Promise<string | undefined> {
  const {access, constants} = await import('node:fs/promises')
  for (const dir of [...path.split(':'), '/usr/sbin', '/sbin']) {
    if (dir === '') continue
    const candidate = join(dir, program)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {}
  }

  return undefined
}

/**
 * At the platform's start: removes what a deprovision cut short left behind (files of add-ons the
 * store no longer has, their server if it runs), then starts the server of every add-on that has
 * a state (one whose provisioning was cut short before it had one gets provision() again).
 */
export async function resumeInstances<State extends {port: number}>(o: {
  files: InstanceFiles<State>
  key: (addonId: string) => string
  run: (addonId: string, state: State) => Promise<void>
  runtime: ProviderRuntime
  service: string
  services: ServiceProcesses
}): Promise<void> {
  const addons = o.runtime.addons()
  const known = new Set(addons.map(addon => addon.addonId))
  for (const id of await o.files.ids()) {
    if (known.has(id)) continue
    await o.services.stop(o.key(id))
    await o.files.remove(id)
    o.runtime.log(`${o.service}: removed the files of add-on ${id}, which no longer exists`)
  }

  await Promise.all(addons.map(async addon => {
    const state = await o.files.read(addon.addonId)
    if (state === undefined) return
    try {
      await o.run(addon.addonId, state)
    } catch (error) {
      o.runtime.log(`${o.service}: the server of ${addon.addonName} did not start: ${(error as Error).message}`)
    }
  }))
}

/**
 * provision() of a one-server-per-add-on provider: the add-on's state as written before (a
 * provision repeated after a restart finds it), or a new one on a port of its own; then its
 * server, started. A new instance whose server does not start is undone (no files, no server).
 * `server` names it in errors: "the redis-server".
 */
export async function provisionInstance<State extends {port: number}>(o: {
  addonId: string
  addonName: string
  create: (port: number) => State
  files: InstanceFiles<State>
  key: (addonId: string) => string
  ports: readonly [number, number]
  run: (state: State) => Promise<void>
  server: string
  service: string
  services: ServiceProcesses
}): Promise<State> {
  let state = await o.files.read(o.addonId)
  const fresh = state === undefined
  if (state === undefined) {
    const port = await o.files.choosePort(o.ports).catch(error => {
      throw new ProviderError(`${o.service} cannot provision: ${(error as Error).message}`)
    })
    state = o.create(port)
    try {
      await o.files.write(o.addonId, state)
    } catch (error) {
      o.files.release(port)
      throw error
    }
  }

  try {
    await o.run(state)
  } catch (error) {
    if (fresh) await removeInstance(o.files, o.services, o.key, o.addonId)
    throw new ProviderError(`The ${o.server} of ${o.addonName} did not start: ${(error as Error).message}`)
  }

  return state
}

/** deprovision(): the add-on's server stopped, its files gone (nothing there is fine). */
export async function removeInstance<State extends {port: number}>(
  files: InstanceFiles<State>,
  services: ServiceProcesses | undefined,
  key: (addonId: string) => string,
  addonId: string,
): Promise<void> {
  await services?.stop(key(addonId))
  await files.remove(addonId)
}
