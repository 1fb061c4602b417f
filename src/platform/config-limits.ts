// Config var rules shared by the config-vars API and add-on attachments.
import {invalidParams} from './http/errors.js'
import type {ConfigVars} from './store/apps.js'

export const CONFIG_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/
/** Heroku bounds an app's config at 32 kB (keys plus values). */
export const MAX_CONFIG_BYTES = 32 * 1024

export function assertConfigFits(config: ConfigVars): void {
  let size = 0
  for (const [key, value] of Object.entries(config)) size += Buffer.byteLength(key) + Buffer.byteLength(value)
  if (size > MAX_CONFIG_BYTES) {
    throw invalidParams(`Config vars would take ${size} bytes; an app's config is limited to ${MAX_CONFIG_BYTES} bytes.`)
  }
}
