// Files the foreground platform process (main.ts) keeps in its data dir, for the CLI to find it.
import {join} from 'node:path'

/** the running process's pid, one line */
export const PID_FILE = 'platform.pid'
/** JSON PlatformProcessState, written once listening */
export const STATE_FILE = 'platform.json'
/** the API's and the router's default ports */
export const DEFAULT_API_PORT = 5400
export const DEFAULT_ROUTER_PORT = 5000

export interface PlatformProcessState {
  pid: number
  url: string
  port: number
  routerPort: number
  host: string
  startedAt: string
}

export const pidFilePath = (dataDir: string): string => join(dataDir, PID_FILE)
export const stateFilePath = (dataDir: string): string => join(dataDir, STATE_FILE)
