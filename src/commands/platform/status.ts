import {resolve} from 'node:path'

import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {dataDirFlag} from '../../lib/command/platform-flags.js'
import {countApps} from '../../lib/platform/accounts.js'
import {platformCaPath} from '../../lib/platform/local-ca.js'
import {routerUrl, runningPlatform} from '../../lib/platform/local-process.js'

export interface StatusResult {
  app_count?: number
  /** the certificate authority of an HTTPS platform (DATA/tls/ca.pem); null for a plain-HTTP one */
  ca_path?: null | string
  data_dir: string
  pid?: number
  router_url?: string
  running: boolean
  /** how dynos and builds are confined */
  sandbox?: {enabled: boolean, reason?: string, separate_users: boolean, tool?: string}
  uptime_seconds?: number
  url?: string
}

export default class PlatformStatus extends BaseCommand<typeof PlatformStatus> {
  static override description = 'whether the local platform runs, where, and for how long'
  static override examples = ['<%= config.bin %> platform:status', '<%= config.bin %> platform:status --json']
  static override flags = {
    json: jsonFlag('the platform\'s state ({running, url, router_url, pid, data_dir, uptime_seconds, app_count, ca_path, sandbox}; not an API object)'),
    'data-dir': dataDirFlag,
  }

  async run(): Promise<StatusResult> {
    const dataDir = resolve(this.flags['data-dir'])
    const state = runningPlatform(dataDir)
    if (!state) {
      this.out.log(`The platform is not running (data dir ${dataDir}).`)
      return {data_dir: dataDir, running: false}
    }

    const result: StatusResult = {
      app_count: countApps(dataDir),
      ca_path: platformCaPath(state) ?? null,
      data_dir: dataDir,
      pid: state.pid,
      router_url: routerUrl(state),
      running: true,
      uptime_seconds: Math.round((Date.now() - Date.parse(state.startedAt)) / 1000),
      url: state.url,
      ...(state.sandbox ? {sandbox: {enabled: state.sandbox.enabled, separate_users: state.sandbox.separateUsers, tool: state.sandbox.tool, reason: state.sandbox.reason}} : {}),
    }
    this.out.keyValues([
      ['Status', 'running'],
      ['API', result.url],
      ['Router', routerUrl(state, 'APP')],
      ['PID', result.pid],
      ['Uptime', formatUptime(result.uptime_seconds!)],
      ['Apps', result.app_count],
      ['CA', result.ca_path ?? 'none: plain HTTP (restart the platform for HTTPS)'],
      ['Sandbox', describeSandbox(result.sandbox)],
      ['Data dir', dataDir],
    ])
    return result
  }
}

function describeSandbox(sandbox: StatusResult['sandbox']): string {
  if (!sandbox) return 'unknown (restart the platform to find out)'
  if (!sandbox.enabled) return `off: ${sandbox.reason}`
  return `${sandbox.tool ?? 'bubblewrap'}: dynos and builds confined${sandbox.separate_users ? ', each app as a user of its own' : ''}`
}

function formatUptime(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  return h > 0 ? `${h}h ${m}m` : (m > 0 ? `${m}m ${seconds % 60}s` : `${seconds}s`)
}
