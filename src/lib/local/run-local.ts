// `heroku local`: the app's processes on this machine until one ends or the user stops them.

import type {Output} from '../ui/output.js'
import type {LocalBuild} from './build.js'

import {UserError} from '../errors.js'
import {loadEnvFiles, processEnv} from './env.js'
import {DEFAULT_PORT, type LocalProcess, planFormation} from './formation.js'
import {prefixer, SYSTEM} from './prefix.js'
import {ProcessGroups} from './process-group.js'
import {loadProcessTypes} from './procfile.js'

export interface RunLocalOptions {
  /** compile with the platform's buildpacks first, and run the result */
  build?: boolean
  concurrency?: string
  cwd: string
  /** the environment the processes start from (this shell's) */
  env: NodeJS.ProcessEnv
  envFiles?: string[]
  /** SIGTERM → SIGKILL */
  graceMs?: number
  out: Output
  port?: number
  procfile?: string
  /** positional words: process types, each maybe TYPE=N */
  selected: string[]
  /** where SIGINT and SIGTERM arrive (the process; a test passes its own emitter) */
  signals?: NodeJS.EventEmitter
}

export interface LocalProcessResult extends LocalProcess {
  exit_code?: number
  pid?: number
  signal?: string
}

export interface RunLocalResult {
  /** heroku local's own exit code: the first process's, or 128 + the signal's number */
  exit_code: number
  processes: LocalProcessResult[]
  /** what ended the run: a process's exit, or a signal to heroku local */
  stopped_by: {process: string} | {signal: string}
}

export const DEFAULT_GRACE_MS = 5000
const STOP_SIGNALS = {SIGINT: 130, SIGTERM: 143, SIGHUP: 129} as const

export interface LocalPlan {
  /** where the processes run: the working tree, or its built copy */
  appDir: string
  /** with --build: what a process's environment adds (HOME is the app dir, as /app on Heroku) */
  built?: LocalBuild
  fromFiles: Record<string, string>
  processes: LocalProcess[]
  usedDefault: boolean
}

/** The processes planned from the Procfile (or the build), the env files and the flags; nothing started. */
export async function planLocal(opts: Omit<RunLocalOptions, 'graceMs' | 'signals'>): Promise<LocalPlan> {
  const fromFiles = loadEnvFiles(opts.cwd, opts.envFiles)
  let built: LocalBuild | undefined
  let types: Record<string, string>
  let usedDefault = false
  if (opts.build) {
    const {out} = opts
    // the buildpack runner is the platform's: loaded only when asked for
    const {buildLocally} = await import('./build.js')
    built = await buildLocally({cwd: opts.cwd, env: opts.env, print: line => out.info(line), vars: fromFiles})
    // -f names a Procfile of the working tree, over what the build found
    types = {...built.processTypes, ...(opts.procfile ? (await loadProcessTypes({cwd: opts.cwd, procfile: opts.procfile})).types : {})}
    if (Object.keys(types).length === 0) throw new UserError('The build declares no process types.', {hint: 'Add a Procfile with a line such as "web: node server.js".'})
  } else {
    const loaded = await loadProcessTypes({cwd: opts.cwd, procfile: opts.procfile})
    types = loaded.types
    usedDefault = loaded.procfile === undefined
  }

  const port = opts.port ?? (fromFiles.PORT && /^\d+$/.test(fromFiles.PORT) ? Number(fromFiles.PORT) : DEFAULT_PORT)
  const processes = planFormation({concurrency: opts.concurrency, port, selected: opts.selected, types})
  return {appDir: built?.appDir ?? opts.cwd, built, fromFiles, processes, usedDefault}
}

export async function runLocal(opts: RunLocalOptions): Promise<RunLocalResult> {
  const {out} = opts
  const {appDir, built, fromFiles, processes, usedDefault} = await planLocal(opts)
  const format = prefixer(processes.map(p => p.name), out.color)
  // with --json, stdout carries the result only: the processes' lines go to stderr
  const emit = (name: string, line: string) => (out.json ? out.info(format(name, line)) : out.log(format(name, line)))
  if (built) emit(SYSTEM, `Built (${built.description}) in ${appDir}`)
  if (usedDefault) emit(SYSTEM, `No Procfile: running web: ${processes[0].command} (the Node.js buildpack's default)`)

  const groups = new ProcessGroups({graceMs: opts.graceMs ?? DEFAULT_GRACE_MS, onLine: emit})
  const signals = opts.signals ?? process
  let received: keyof typeof STOP_SIGNALS | undefined
  const onSignal = (signal: keyof typeof STOP_SIGNALS) => {
    if (received) return
    received = signal
    emit(SYSTEM, `${signal} received, stopping all processes`)
    void groups.stop()
  }

  const handlers = Object.keys(STOP_SIGNALS).map(s => [s, () => onSignal(s as keyof typeof STOP_SIGNALS)] as const)
  for (const [s, h] of handlers) signals.on(s, h)
  const results: LocalProcessResult[] = []
  try {
    for (const p of processes) {
      if (received) break // stopped while starting: start no more
      const env = processEnv(built ? {...opts.env, HOME: appDir} : opts.env, fromFiles, p.port)
      const pid = groups.start({command: built ? built.wrap(p.command) : p.command, cwd: appDir, env, name: p.name, shell: built?.shell})
      results.push({...p, pid})
      emit(SYSTEM, `${p.name} started (pid ${pid ?? '?'}, PORT ${p.port}): ${p.command}`)
    }

    await groups.anyEnded
    const {first} = groups
    if (first && !received) {
      emit(SYSTEM, `${first.name} ${first.signal ? `was killed by ${first.signal}` : `exited with code ${first.code}`}, stopping all processes`)
    }

    await groups.stop()
  } finally {
    for (const [s, h] of handlers) signals.off(s, h)
  }

  for (const exit of groups.exits) {
    const r = results.find(p => p.name === exit.name)
    if (r) Object.assign(r, {exit_code: exit.signal ? undefined : exit.code, signal: exit.signal})
  }

  if (received || !groups.first) {
    const signal = received ?? 'SIGTERM'
    return {exit_code: STOP_SIGNALS[signal], processes: results, stopped_by: {signal}}
  }

  return {exit_code: groups.first.code, processes: results, stopped_by: {process: groups.first.name}}
}
