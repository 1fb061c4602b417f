// What the supervisor knows of a dyno and of an app's runtime; shared by the formation
// reconciler (formation.ts), a dyno's process lifecycle (dyno-process.ts) and one-off attach
// sessions (attach.ts).
import type {ChildProcess} from 'node:child_process'

import type {ReleaseRow} from '../store/releases.js'
import type {ReleaseLease} from './release-dir.js'
import type {Backend, WebPool} from './web-pool.js'

export type DynoState = 'crashed' | 'down' | 'starting' | 'up'

export interface DynoSnapshot {
  attachUrl: null | string
  command: string
  createdAt: string
  id: string
  name: string
  release: null | {id: string, version: number}
  size: string
  state: DynoState
  type: string
  updatedAt: string
}

export interface OneOff {
  attach: boolean
  env: Record<string, string>
  /** its time to live ran out and it was stopped */
  expired?: boolean
  onExit?: (status: number) => void
  /** each line it prints (besides the logs), and its exit status: the release phase follows these */
  onLine?: (line: string) => void
  secret?: string
  ttlMs: number
  tty: boolean
}

export interface Dyno {
  readonly appId: string
  backend?: Backend
  child?: ChildProcess
  command: string
  crashes: number
  createdAt: string
  /** out of the router's pool (being stopped): requests in flight finish, no new ones come */
  draining: boolean
  exited?: Promise<void>
  /** bumped on every spawn: a late callback of an earlier spawn sees it changed */
  generation: number
  /** ps:stop: stays down until the next restart or release */
  held: boolean
  readonly id: string
  /** the marker value the current process carries (DYNO_MARKER_VAR) */
  instance?: string
  /** this dyno's hold on its release's directory (null: nothing to run) */
  lease: null | ReleaseLease
  readonly name: string
  oneOff?: OneOff
  pgid?: number
  port?: number
  /** started to replace a running dyno (preboot): a crash fails the preboot instead of restarting */
  preboot: boolean
  release: null | ReleaseRow
  size: string
  state: DynoState
  /** stopped on purpose: not restarted when it exits */
  stopping: boolean
  timers: Set<NodeJS.Timeout>
  readonly type: string
  /** the app's uid when apps run as users of their own */
  uid?: number
  updatedAt: string
  upSince?: number
  /** the process's own copy of the app (dyno-dir.ts), while it runs */
  workDir?: string
}

/**
 * An app's dynos by name, telling `watch` of each dyno that joins (a new one, or one that replaces
 * another under its name) and each that leaves. `clear` (the app gone, the platform stopping) tells nothing.
 */
export class DynoTable extends Map<string, Dyno> {
  constructor(private readonly watch: {added(d: Dyno): void, removed(d: Dyno): void}) {
    super()
  }

  override delete(name: string): boolean {
    const before = super.get(name)
    const deleted = super.delete(name)
    if (before) this.watch.removed(before)
    return deleted
  }

  override set(name: string, dyno: Dyno): this {
    const before = super.get(name)
    super.set(name, dyno)
    if (before === dyno) return this
    if (before) this.watch.removed(before)
    this.watch.added(dyno)
    return this
  }
}

export interface AppRuntime {
  appId: string
  appName: string
  /** by name: the formation's dynos and one-offs (what ps shows and the router uses) */
  dynos: Map<string, Dyno>
  lease: null | ReleaseLease
  /** every dyno object with a process or a port: the above, prebooting and retiring ones */
  live: Set<Dyno>
  nextRun: number
  pool: WebPool
  queue: Promise<void>
  /** the release the formation runs, and the app's hold on its directory */
  release: null | ReleaseRow
  uid?: number
}
