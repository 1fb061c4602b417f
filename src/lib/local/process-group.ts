// The processes of `heroku local`, each the leader of its own process group so that stopping
// it reaches everything it started (a shell's children, npm's node). One exits: all stop.
import {spawn} from 'node:child_process'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {constants} from 'node:os'
import {setTimeout as sleep} from 'node:timers/promises'

export interface GroupSpec {
  command: string
  cwd: string
  env: NodeJS.ProcessEnv
  name: string
  /** the shell that runs the command line; /bin/sh by default */
  shell?: string
}

export interface GroupExit {
  /** the exit code, or 128 + the signal's number as a shell reports it */
  code: number
  name: string
  pid?: number
  signal?: NodeJS.Signals
}

export interface GroupsOptions {
  /** how long processes have after SIGTERM before SIGKILL */
  graceMs: number
  /** a line of a process's stdout or stderr, without its newline */
  onLine: (name: string, line: string) => void
}

/**
 * Whether any live process of the group is still there. On Linux /proc tells a zombie (dead,
 * waiting for its reaper, which in a container may be slow to come) from a running process.
 */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }

  if (!existsSync('/proc/self/stat')) return true
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // pid (comm) state ppid pgrp …: comm may hold spaces, so read after its last parenthesis
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(pgrp) === pgid && state !== 'Z') return true
    } catch {
      // gone while listing
    }
  }

  return false
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // the group is gone already
  }
}

/** Splits a stream into lines for onLine; a last line without a newline is passed on at the end. */
function forwardLines(stream: NodeJS.ReadableStream, emit: (line: string) => void): Promise<void> {
  let pending = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split(/\r?\n/)
    pending = lines.pop()!
    for (const line of lines) emit(line)
  })
  return new Promise(resolve => {
    stream.once('close', () => {
      if (pending !== '') emit(pending)
      resolve()
    })
  })
}

export class ProcessGroups {
  readonly exits: GroupExit[] = []
  /** the first process to end on its own (not stopped by us), if any */
  first?: GroupExit
  private readonly pgids: number[] = []
  private readonly done: Promise<void>[] = []
  private stopping?: Promise<void>
  private resolveFirst!: () => void
  /** settles when a process ends, or stop() is called */
  readonly anyEnded = new Promise<void>(resolve => {
    this.resolveFirst = resolve
  })

  constructor(private readonly opts: GroupsOptions) {}

  /** Starts `sh -c COMMAND` as the leader of a new process group (Procfile commands are shell lines). */
  start(spec: GroupSpec): number | undefined {
    const child = spawn(spec.shell ?? '/bin/sh', ['-c', spec.command], {cwd: spec.cwd, detached: true, env: spec.env, stdio: ['ignore', 'pipe', 'pipe']})
    if (child.pid !== undefined) this.pgids.push(child.pid)
    const output = Promise.all([forwardLines(child.stdout!, l => this.opts.onLine(spec.name, l)), forwardLines(child.stderr!, l => this.opts.onLine(spec.name, l))])
    this.done.push(new Promise(resolve => {
      const finish = (exit: GroupExit) => {
        this.exits.push(exit)
        if (!this.stopping && !this.first) this.first = exit
        this.resolveFirst()
        resolve()
      }

      child.once('error', error => {
        this.opts.onLine(spec.name, `could not start: ${error.message}`)
        finish({code: 127, name: spec.name})
      })
      child.once('exit', (code, signal) => {
        // its output may still be in the pipes: keep it before reporting the exit
        void output.then(() => finish({code: code ?? 128 + constants.signals[signal!], name: spec.name, pid: child.pid, signal: signal ?? undefined}))
      })
    }))
    return child.pid
  }

  /**
   * Stops every group: SIGTERM, then SIGKILL to what is left after the grace period. Resolves
   * when no process of any group remains (leaders and whatever they started).
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.resolveFirst()
      for (const pgid of this.pgids) signalGroup(pgid, 'SIGTERM')
      const deadline = Date.now() + this.opts.graceMs
      while (this.pgids.some(p => groupAlive(p)) && Date.now() < deadline) await sleep(25)
      for (const pgid of this.pgids.filter(p => groupAlive(p))) signalGroup(pgid, 'SIGKILL')
      // bounded: a process stuck in the kernel must not hang heroku local forever
      const killDeadline = Date.now() + 5000
      while (this.pgids.some(p => groupAlive(p)) && Date.now() < killDeadline) await sleep(10)
      await Promise.all(this.done)
    })()
    return this.stopping
  }
}
