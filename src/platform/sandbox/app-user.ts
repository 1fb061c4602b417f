// Which uid an app's dynos and builds run as: one per app when the sandbox can switch users
// (the platform runs as root), from the app's row number in the store; else the platform's own.

import type {Store} from '../store/database.js'

import {appRowNumber} from '../store/apps.js'
import {appUid, type SandboxStatus} from './sandbox.js'

export function appUser(store: Store, appId: string, status: SandboxStatus): number | undefined {
  if (!status.enabled || !status.separateUsers) return undefined
  const row = appRowNumber(store, appId)
  return row === undefined ? undefined : appUid(row)
}
