// Files the foreground platform process (main.ts) keeps in its data dir, for the CLI to find it.
import {join} from 'node:path'

import {isSameProcess} from './process-identity.js'

/** the running process's pid, one line */
export const PID_FILE = 'platform.pid'
/** JSON PlatformProcessState, written once listening */
export const STATE_FILE = 'platform.json'
/** the API's and the router's default ports */
export const DEFAULT_API_PORT = 5400
export const DEFAULT_ROUTER_PORT = 5000

export interface PlatformProcessState {
  /** with tls: absolute path of the local CA's certificate (PEM) that the platform's certificates chain to */
  caPath?: string
  host: string
  pid: number
  port: number
  /** the process's start time as the kernel has it (process-identity.ts); absent where unknown */
  processStart?: string
  routerPort: number
  /** how dynos and builds are confined (sandbox/sandbox.ts); absent from older platforms */
  sandbox?: {enabled: boolean, reason?: string, separateUsers: boolean, tool?: string}
  startedAt: string
  /** whether the API/git port speaks HTTPS (started with --tls); absent from older platforms: false */
  tls?: boolean
  url: string
}

export const pidFilePath = (dataDir: string): string => join(dataDir, PID_FILE)
export const stateFilePath = (dataDir: string): string => join(dataDir, STATE_FILE)

/** Whether the recorded process is still running as the platform (not dead, a zombie or a reused pid). */
export const isRecordedPlatform = (state: Pick<PlatformProcessState, 'pid' | 'processStart'>): boolean =>
  isSameProcess(state.pid, state.processStart, 'platform/main.')
