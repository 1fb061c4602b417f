// What a dyno's process is given — config vars (its environment, and a build's ENV_DIR files)
// and commands — checked before anything is stored: accepted once, a bad value would break every
// dyno start or every build after it. Shared by config vars, add-ons, one-off dynos and slugs.

import type {ConfigVars} from './store/apps.js'

import {assertText} from './http/body.js'
import {invalidParams} from './http/errors.js'

/** Names any shell can export: no NUL, no '=', nothing to quote (Heroku itself takes more). */
export const CONFIG_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/
/** A config var is a file named after it in a build's ENV_DIR: 255 bytes is a file name's limit. */
export const MAX_CONFIG_KEY_LENGTH = 255
/** Heroku bounds an app's config at 32 kB (keys plus values). */
export const MAX_CONFIG_BYTES = 32 * 1024
/** A command is one execve argument (bash -c), which Linux caps at 128 kB; a script, not a payload. */
export const MAX_COMMAND_LENGTH = 32 * 1024

/** `what` is "config var" or "environment variable", as the caller's client calls it. */
export function assertConfigVarName(name: string, what = 'config var'): void {
  // ASCII by CONFIG_KEY, so characters are bytes; checked first so the message quotes a short name
  if (name.length > MAX_CONFIG_KEY_LENGTH) {
    throw invalidParams(`The ${what} name ${JSON.stringify(name.slice(0, 32))}… is too long: ${name.length} bytes, at most ${MAX_CONFIG_KEY_LENGTH}.`)
  }

  if (!CONFIG_KEY.test(name)) throw invalidParams(`Invalid ${what} name ${JSON.stringify(name)}: use letters, digits and underscores, not starting with a digit.`)
}

export function assertConfigVarValue(name: string, value: string, what = 'config var'): void {
  assertText(value, `The ${what} ${name}`, MAX_CONFIG_BYTES)
}

export function assertCommand(command: string, what: string): void {
  if (command.trim() === '') throw invalidParams(`${what} must not be empty.`)
  assertText(command, what, MAX_COMMAND_LENGTH)
}

export function assertConfigFits(config: ConfigVars): void {
  let size = 0
  for (const [key, value] of Object.entries(config)) size += Buffer.byteLength(key) + Buffer.byteLength(value)
  if (size > MAX_CONFIG_BYTES) {
    throw invalidParams(`Config vars would take ${size} bytes; an app's config is limited to ${MAX_CONFIG_BYTES} bytes.`)
  }
}
