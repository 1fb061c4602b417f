// What the supervisor knows of a dyno and of an app's runtime; shared by the formation
// reconciler (formation.ts), a dyno's process lifecycle (dyno-process.ts) and one-off attach
// sessions (attach.ts).
import type {ChildProcess} from 'node:child_process'

import type {ReleaseRow} from '../store/releases.js'
import type {ReleaseLease} from './release-dir.js'
import type {Backend, WebPool} from './web-pool.js'

export type DynoState = 'starting' | 'up' | 'crashed' | 'down'

export interface DynoSnapshot {
  id: string
  name: string
  type: string
  command: string
  size: string
  state: DynoState
  createdAt: string
  updatedAt: string
  release: {id: string, version: number} | null
  attachUrl: string | null
}

export interface OneOff {
  env: Record<string, string>
  attach: boolean
  tty: boolean
  secret?: string
  ttlMs: number
  /** its time to live ran out and it was stopped */
  expired?: boolean
  /** each line it prints (besides the logs), and its exit status: the release phase follows these */
  onLine?: (line: string) => void
  onExit?: (status: number) => void
}

export interface Dyno {
  readonly appId: string
  readonly id: string
  readonly name: string
  readonly type: string
  command: string
  size: string
  state: DynoState
  createdAt: string
  updatedAt: string
  release: ReleaseRow | null
  /** this dyno's hold on its release's directory (null: nothing to run) */
  lease: ReleaseLease | null
  /** the app's uid when apps run as users of their own */
  uid?: number
  /** the process's own copy of the app (dyno-dir.ts), while it runs */
  workDir?: string
  port?: number
  child?: ChildProcess
  pgid?: number
  backend?: Backend
  crashes: number
  /** bumped on every spawn: a late callback of an earlier spawn sees it changed */
  generation: number
  /** the marker value the current process carries (DYNO_MARKER_VAR) */
  instance?: string
  upSince?: number
  /** stopped on purpose: not restarted when it exits */
  stopping: boolean
  /** out of the router's pool (being stopped): requests in flight finish, no new ones come */
  draining: boolean
  /** ps:stop: stays down until the next restart or release */
  held: boolean
  /** started to replace a running dyno (preboot): a crash fails the preboot instead of restarting */
  preboot: boolean
  exited?: Promise<void>
  timers: Set<NodeJS.Timeout>
  oneOff?: OneOff
}

export interface AppRuntime {
  appId: string
  appName: string
  uid?: number
  /** the release the formation runs, and the app's hold on its directory */
  release: ReleaseRow | null
  lease: ReleaseLease | null
  /** by name: the formation's dynos and one-offs (what ps shows and the router uses) */
  dynos: Map<string, Dyno>
  /** every dyno object with a process or a port: the above, prebooting and retiring ones */
  live: Set<Dyno>
  pool: WebPool
  nextRun: number
  queue: Promise<void>
}
