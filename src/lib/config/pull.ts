// `heroku config:pull`: the app's config vars into a .env file, for heroku local. A key the
// file has already is kept unless --overwrite (the local value may be meant to differ); the
// file holds secrets, so it is 0600, and it is replaced in one rename, never half-written.
import type {ConfigVars} from '@heroku-cli/schema'

import {chmodSync, existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {resolve} from 'node:path'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {UserError} from '../errors.js'
import {envEntries, envLine, parseEnv} from '../local/env-file.js'
import {getConfigVars} from './vars.js'

export interface PullConfigOptions {
  api: ApiClient
  app: string
  cwd: string
  file: string
  out: Output
  overwrite: boolean
}

export interface PullConfigResult {
  /** written: new to the file, or replaced with --overwrite */
  added: string[]
  file: string
  /** in the file with another value, left as they are */
  kept: string[]
  overwritten: string[]
}

export async function pullConfig(opts: PullConfigOptions): Promise<PullConfigResult> {
  const {out} = opts
  const path = resolve(opts.cwd, opts.file)
  const vars: ConfigVars = await getConfigVars(opts.api, opts.app)
  let text = ''
  try {
    if (existsSync(path)) text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new UserError(`Cannot read ${opts.file}: ${(error as Error).message}`)
  }

  const local = parseEnv(text, opts.file)
  const result: PullConfigResult = {added: [], file: opts.file, kept: [], overwritten: []}
  const keys = Object.keys(vars).sort()
  for (const key of keys) {
    if (!Object.hasOwn(local, key)) result.added.push(key)
    else if (local[key] !== vars[key]) (opts.overwrite ? result.overwritten : result.kept).push(key)
  }

  // a replaced key's new line takes the place of its old ones (all of a multi-line value); comments and the rest stay
  const replaced = new Set(result.overwritten)
  const lines: string[] = text.replaceAll(/\r\n?/g, '\n').split('\n')
  for (const entry of envEntries(text, opts.file).filter(e => replaced.has(e.key)).reverse()) {
    lines.splice(entry.start, entry.end - entry.start, envLine(entry.key, vars[entry.key] ?? ''))
  }

  while (lines.length > 0 && lines.at(-1) === '') lines.pop()
  const written = [...result.overwritten, ...result.added]
  const body = [...lines, ...result.added.map(k => envLine(k, vars[k] ?? ''))].join('\n')

  if (written.length > 0 || !existsSync(path)) {
    const temporary = `${path}.${process.pid}.tmp`
    writeFileSync(temporary, body === '' ? '' : body + '\n', {mode: 0o600})
    renameSync(temporary, path)
  }

  chmodSync(path, 0o600)
  const done = [...result.added, ...result.overwritten]
  out.info(done.length === 0 ? `${opts.file} already has every config var of ${opts.app}.` : `Wrote ${done.join(', ')} from ${opts.app} to ${opts.file}.`)
  if (result.kept.length > 0) out.warn(`${opts.file} keeps its own value of ${result.kept.join(', ')} (the app's differs). Pass --overwrite to replace them.`)
  return result
}
