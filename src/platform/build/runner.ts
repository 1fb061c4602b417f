// The build stage: the classic buildpack API run against a checked-out build dir.
//   detect   bin/detect BUILD_DIR            exit 0 + a name on stdout = "I can build this"
//   compile  bin/compile BUILD_DIR CACHE_DIR ENV_DIR
//   release  bin/release BUILD_DIR           YAML with default_process_types
// Then the Procfile (validated before anything runs) is merged over the buildpacks' defaults.
import {accessSync, constants, existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import type {BuildOutput} from './output.js'

import {confine, sandboxStateDir, type SandboxStatus} from '../sandbox/sandbox.js'
import {regularAppFile} from './app-files.js'
import {BuildFailure} from './build-failure.js'
import {BUILTIN_BUILDPACKS, type ResolvedBuildpack} from './buildpacks.js'
import {runStep} from './process.js'
import {parseProcfile, ProcfileError} from './procfile.js'
import {parseReleaseYaml, ReleaseYamlError} from './release-yaml.js'

export {BuildFailure} from './build-failure.js'

export interface BuildDirs {
  /** the app's source, compiled in place; becomes the slug */
  buildDir: string
  /** kept between builds of one app */
  cacheDir: string
  /** one file per config var */
  envDir: string
  /** HOME for the buildpack scripts (scratch) */
  homeDir: string
}

export interface BuildpackRunOptions {
  /** the app's buildpacks in order; empty = detect among the built-in ones */
  buildpacks: readonly ResolvedBuildpack[]
  dirs: BuildDirs
  /** told which buildpacks detection chose, before they compile */
  onDetected?: (buildpacks: ResolvedBuildpack[], description: string) => void
  output: BuildOutput
  /** how the scripts are confined (the build dirs writable, the buildpack read-only, nothing else of the platform's) */
  sandbox?: BuildSandbox
  /** the commit being built, SOURCE_VERSION for the scripts */
  sourceVersion: string
  /** per script */
  timeoutMs: number
}

export interface BuildSandbox {
  /** the platform's data dir: recorded steps, and never shown to the scripts */
  dataDir: string
  marker: string
  status: SandboxStatus
  /** the app's own uid (the build dirs are handed to it first) */
  uid?: number
}

export interface BuildpackRunResult {
  buildpacks: ResolvedBuildpack[]
  /** what bin/detect said, e.g. "Node.js" */
  description: string
  processTypes: Record<string, string>
}

/** The environment buildpack scripts get: nothing of the platform's own (no secrets), this node on PATH. */
export function buildEnv(dirs: BuildDirs, sourceVersion: string): NodeJS.ProcessEnv {
  const nodeDir = dirname(process.execPath)
  return {
    PATH: `${nodeDir}:${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
    HOME: dirs.homeDir,
    LANG: process.env.LANG ?? 'C.UTF-8',
    STACK: 'heroku-24',
    SOURCE_VERSION: sourceVersion,
    TMPDIR: dirs.homeDir,
  }
}

export async function runBuildpacks(options: BuildpackRunOptions): Promise<BuildpackRunResult> {
  const {dirs, output} = options
  const procfileTypes = await readProcfile(dirs.buildDir)
  const env = buildEnv(dirs, options.sourceVersion)
  const selected = await detect(options, env)
  const description = selected.map(s => s.description).join(', ')
  options.onDetected?.(selected.map(s => s.buildpack), description)

  for (const {buildpack, description: detected} of selected) {
    output.step(`${detected} app detected`)
    await compile(buildpack, options, env)
  }

  const defaults: Record<string, string> = {}
  for (const {buildpack} of selected) Object.assign(defaults, await releaseDefaults(buildpack, options, env))
  const processTypes = {...defaults, ...procfileTypes}
  return {processTypes, description, buildpacks: selected.map(s => s.buildpack)}
}

async function readProcfile(buildDir: string): Promise<Record<string, string>> {
  const path = regularAppFile(buildDir, 'Procfile')
  if (path === undefined) return {}
  try {
    return parseProcfile(await readFile(path, 'utf8'))
  } catch (error) {
    if (error instanceof ProcfileError) throw new BuildFailure(`Invalid Procfile: ${error.message}`)
    throw error
  }
}

async function detect(options: BuildpackRunOptions, env: NodeJS.ProcessEnv): Promise<{buildpack: ResolvedBuildpack, description: string}[]> {
  const auto = options.buildpacks.length === 0
  const candidates: ResolvedBuildpack[] = auto
    ? BUILTIN_BUILDPACKS.map(b => ({url: b.name, name: b.name, dir: b.dir}))
    : [...options.buildpacks]
  const selected: {buildpack: ResolvedBuildpack, description: string}[] = []
  for (const buildpack of candidates) {
    const result = await runScript(buildpack, 'detect', [options.dirs.buildDir], env, options)
    if (result.code === 0) {
      selected.push({buildpack, description: result.stdout.trim().split('\n')[0] || basename(buildpack.dir)})
      if (auto) break
    } else if (!auto) {
      throw new BuildFailure(`App not compatible with buildpack ${buildpack.name}: its bin/detect did not recognise the app.`)
    }
  }

  if (selected.length === 0) {
    throw new BuildFailure('No default language could be detected for this app. Add a package.json (Node.js), an index.html or static.json (static site) or a Procfile, or set a buildpack: heroku buildpacks:set BUILDPACK')
  }

  return selected
}

async function compile(buildpack: ResolvedBuildpack, options: BuildpackRunOptions, env: NodeJS.ProcessEnv): Promise<void> {
  const {dirs} = options
  const result = await runScript(buildpack, 'compile', [dirs.buildDir, dirs.cacheDir, dirs.envDir], env, options, chunk => options.output.write(chunk))
  if (result.timedOut) throw new BuildFailure(`${buildpack.name}: bin/compile took longer than ${Math.round(options.timeoutMs / 1000)} s and was stopped.`)
  if (result.code !== 0) {
    throw new BuildFailure(`Failed to compile the app: ${buildpack.name} bin/compile exited with ${result.code ?? `signal ${result.signal}`}.`)
  }
}

async function releaseDefaults(buildpack: ResolvedBuildpack, options: BuildpackRunOptions, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  if (!existsSync(join(buildpack.dir, 'bin', 'release'))) return {}
  const result = await runScript(buildpack, 'release', [options.dirs.buildDir], env, options)
  if (result.code !== 0) throw new BuildFailure(`${buildpack.name}: bin/release exited with ${result.code ?? `signal ${result.signal}`}.`)
  try {
    return parseReleaseYaml(result.stdout).defaultProcessTypes
  } catch (error) {
    if (error instanceof ReleaseYamlError) throw new BuildFailure(`${buildpack.name}: ${error.message}`)
    throw error
  }
}

async function runScript(buildpack: ResolvedBuildpack, script: 'compile' | 'detect' | 'release', args: string[], env: NodeJS.ProcessEnv, options: BuildpackRunOptions, onOutput?: (chunk: string) => void) {
  const path = join(buildpack.dir, 'bin', script)
  if (!existsSync(path)) throw new BuildFailure(`Buildpack ${buildpack.name} has no bin/${script} (${path}).`)
  try {
    accessSync(path, constants.X_OK)
  } catch {
    throw new BuildFailure(`Buildpack ${buildpack.name}: bin/${script} is not executable (chmod +x ${path}).`)
  }

  const {dirs, sandbox, timeoutMs} = options
  // in the sandbox the dirs keep their paths: the scripts' arguments stay what they are
  const command = sandbox
    ? confine(sandbox.status, {
      file: path, args, cwd: buildpack.dir, uid: sandbox.uid, hostname: 'build', hide: [sandbox.dataDir], identityDir: sandboxStateDir(sandbox.dataDir),
      binds: [
        {host: buildpack.dir, path: buildpack.dir, writable: false},
        ...[dirs.buildDir, dirs.cacheDir, dirs.envDir, dirs.homeDir].map(dir => ({host: dir, path: dir, writable: true})),
      ],
    })
    : {file: path, args}
  try {
    return await runStep(command.file, command.args, {cwd: sandbox?.status.enabled ? '/' : buildpack.dir, env, timeoutMs, onOutput, track: sandbox && {dataDir: sandbox.dataDir, marker: sandbox.marker}})
  } catch (error) {
    const {code} = (error as NodeJS.ErrnoException)
    if (code === 'EACCES') throw new BuildFailure(`Buildpack ${buildpack.name}: bin/${script} is not executable (chmod +x ${path}).`)
    throw new BuildFailure(`Buildpack ${buildpack.name}: cannot run bin/${script}: ${(error as Error).message}`)
  }
}
