import {Config, Plugin, run as runOclif} from '@oclif/core'
import {captureOutput} from '@oclif/test'
import nock from 'nock'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const API = 'https://api.heroku.test'

/**
 * A clean environment for a command test: API URL and token from the environment, config in
 * a temp dir, no colour, no CI leakage. Returns a restore function.
 */
export function isolatedEnv(extra: Record<string, string | undefined> = {}): () => void {
  const saved = {...process.env}
  const dir = mkdtempSync(join(tmpdir(), 'heroku-test-'))
  for (const key of ['HEROKU_API_KEY', 'HEROKU_API_URL', 'HEROKU_HOST', 'HEROKU_APP', 'HEROKU_DEBUG', 'HEROKU_GIT_HOST']) delete process.env[key]
  Object.assign(process.env, {
    HEROKU_API_KEY: 'test-token',
    HEROKU_API_URL: API,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_DATA_HOME: join(dir, 'data'),
    GIT_CONFIG_GLOBAL: join(dir, 'gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
  })
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }

  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
    rmSync(dir, {force: true, recursive: true})
  }
}

/** Gives every test of the enclosing describe its own isolated environment (see isolatedEnv). */
export function useIsolatedEnv(extra: Record<string, string | undefined> = {}): void {
  let restore: () => void
  beforeEach(() => {
    restore = isolatedEnv(extra)
  })
  afterEach(() => restore())
}

/** An API mock that only answers the Platform API's way and refuses any other network. */
export function api(): nock.Scope {
  return nock(API, {reqheaders: {accept: 'application/vnd.heroku+json; version=3'}})
}

export interface CliResult {
  error?: Error
  exitCode: number
  stderr: string
  stdout: string
}

let config: Promise<Config> | undefined

/**
 * The CLI's config loaded from the TypeScript sources: the root plugin ignores a built
 * oclif.manifest.json (which points at dist/), so tests always run the code under test.
 */
export function sourceConfig(): Promise<Config> {
  config ??= (async () => {
    const root = new Plugin({ignoreManifest: true, isRoot: true, root: process.cwd()})
    await root.load()
    return Config.load({plugins: new Map([[root.name, root]]), root: process.cwd()})
  })()
  return config
}

/** Runs a command in-process, the way a user would type it. */
export async function run(args: string[]): Promise<CliResult> {
  // each argument reaches the command as is (runCommand would join and re-split them on spaces)
  const config = await sourceConfig()
  const {error, stderr, stdout} = await captureOutput(() => runOclif(args, config))
  const exitCode = error ? ((error as {oclif?: {exit?: number}}).oclif?.exit ?? 1) : 0
  return {error, exitCode, stderr, stdout}
}
