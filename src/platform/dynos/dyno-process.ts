// One dyno's process lifecycle: its own copy of the app, a port (web and one-off dynos), the
// sandboxed spawn, the boot check, crash restarts with backoff, and the stop.
//
// The process: `bash -c` running the command (after sourcing .profile.d/*.sh) in the dyno's copy
// of the app (/app in the sandbox), env = the release's config vars + PORT, DYNO, PS, HOME;
// spawned detached so the dyno is a process group of its own and nothing it forks outlives it.
// A dyno that exits by itself is `crashed`: restarted at once the first time, then after 1 s,
// 2 s, 4 s … (capped); the count resets once it stayed up for a while. A web dyno must accept
// connections on PORT within the boot timeout or it is killed (R10).
// States: starting → up | crashed | down.
//
// Stopping: the dyno leaves the router's pool first, its requests in flight finish (bounded),
// then SIGTERM to its processes, SIGKILL to what is left after the grace period.

import type {Duplex} from 'node:stream'

import {type ChildProcess, spawn} from 'node:child_process'
import {randomUUID} from 'node:crypto'
import {constants} from 'node:os'

import type {LogSink} from '../logs/log-sink.js'
import type {Store} from '../store/database.js'
import type {AppRuntime, Dyno} from './dyno.js'
import type {Backend} from './web-pool.js'

import {encodeFrame, exitFrame, FrameType} from '../../lib/run/attach-frames.js'
import {confine, sandboxStateDir, type SandboxStatus} from '../sandbox/sandbox.js'
import {parseConfig} from '../store/apps.js'
import {crashBackoffMs} from './backoff.js'
import {makeDynoDir, removeDynoDir} from './dyno-dir.js'
import {dynoMetadata} from './dyno-metadata.js'
import {pipeLines} from './output-lines.js'
import {accepts, type PortAllocator} from './ports.js'
import {DYNO_MARKER_VAR, forgetGroup, groupAlive, markedProcesses, PLATFORM_MARKER_VAR, portHeldBy, recordGroup, signalGroup, signalGroupButLeader} from './processes.js'

export interface DynoTimings {
  /** the second crash in a row waits this long, doubling each further crash */
  backoffInitialMs: number
  backoffMaxMs: number
  /** how often a starting web dyno's port is tried */
  bootPollMs: number
  /** a web dyno must accept connections on PORT within this; Heroku's is 60 s */
  bootTimeoutMs: number
  /** up this long and the crash count starts over */
  crashResetMs: number
  /** how long a stopping web dyno's requests in flight may take before SIGTERM */
  drainMs: number
  /** SIGTERM → SIGKILL grace period; Heroku's is 30 s */
  stopGraceMs: number
}

export interface DynoProcessOptions extends DynoTimings {
  /** PATH and the like for dynos */
  baseEnv: Record<string, string>
  /** told of every state change (pools follow; `previous`: the state before, when the state changed) */
  changed(rt: AppRuntime, d: Dyno, previous?: Dyno['state']): void
  closed(): boolean
  dataDir: string
  logs: LogSink
  marker: string
  ports: PortAllocator
  /** every port a live dyno of this platform holds */
  portsInUse(except: Dyno): Set<number>
  /** told when a web dyno leaves the router's pool to be stopped */
  retired(backend: Backend): void
  sandbox: SandboxStatus
  /** the app's features (runtime-dyno-metadata) are read from it; absent: none */
  store?: Store
}

const PROFILE = 'for f in .profile.d/*.sh; do [ -r "$f" ] && . "$f"; done; '
const shellQuote = (s: string): string => `'${s.replaceAll("'", String.raw`'\''`)}'`
const now = (): string => new Date().toISOString()

export class DynoProcesses {
  constructor(private readonly o: DynoProcessOptions) {}

  logLine(d: Dyno, source: 'app' | 'heroku', message: string): void {
    this.o.logs.write({appId: d.appId, source, dyno: d.name, message})
  }

  setState(rt: AppRuntime, d: Dyno, state: Dyno['state']): void {
    if (d.state === state) return
    if (!(d.state === 'down' && state === 'starting')) this.logLine(d, 'heroku', `State changed from ${d.state} to ${state}`)
    const previous = d.state
    d.state = state
    d.updatedAt = now()
    if (state === 'up') d.upSince = Date.now()
    this.o.changed(rt, d, previous)
  }

  timer(d: Dyno, ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      d.timers.delete(t)
      fn()
    }, ms)
    d.timers.add(t)
    return t
  }

  /**
   * What a process needs before it starts: its copy of the app, and a port for web and one-off
   * dynos. Throws with the reason the dyno cannot start.
   */
  async prepare(d: Dyno): Promise<void> {
    if (d.workDir === undefined && d.lease) {
      d.instance = randomUUID()
      d.workDir = await makeDynoDir(this.o.dataDir, d.instance, d.lease.dir, d.uid)
    }

    if (d.port === undefined && (d.type === 'web' || d.oneOff)) d.port = await this.o.ports.take(this.o.portsInUse(d))
  }

  /** Starts the dyno's process once it is prepared (asynchronously). */
  start(rt: AppRuntime, d: Dyno): void {
    if (this.o.closed()) return
    d.stopping = false
    d.draining = false
    const generation = ++d.generation
    this.setState(rt, d, 'starting')
    this.prepare(d).then(() => {
      if (d.generation !== generation) return
      if (d.stopping || this.o.closed() || d.state !== 'starting') {
        // stopped while its copy was being made
        if (!d.child) this.cleanUp(d)
        return
      }

      this.launch(rt, d)
    }, error => {
      if (d.generation !== generation) return
      this.logLine(d, 'heroku', `Cannot start: ${(error as Error).message}`)
      this.cleanUp(d)
      this.setState(rt, d, 'crashed')
      if (d.oneOff) this.finishOneOff(rt, d, 127)
    })
  }

  /** A one-off that will not run (again): gone from the app, its follower told. */
  private finishOneOff(rt: AppRuntime, d: Dyno, status: number): void {
    if (rt.dynos.get(d.name) === d) rt.dynos.delete(d.name)
    rt.live.delete(d)
    d.lease?.release()
    const onExit = d.oneOff?.onExit
    if (d.oneOff) d.oneOff.onExit = undefined
    onExit?.(status)
  }

  /** Spawns the prepared dyno's process; `attached`: a one-off's client connection. */
  launch(rt: AppRuntime, d: Dyno, attached?: Duplex): ChildProcess | undefined {
    const config = d.release ? parseConfig(d.release.config) : {}
    const instance = d.instance ?? randomUUID()
    d.instance = instance
    const sandboxed = this.o.sandbox.enabled
    const appDir = d.workDir === undefined ? undefined : (sandboxed ? '/app' : d.workDir)
    const env: Record<string, string> = {
      ...this.o.baseEnv, ...config, ...d.oneOff?.env, ...(this.o.store ? dynoMetadata(this.o.store, d, rt.appName) : {}),
      DYNO: d.name, PS: d.name, HOME: appDir ?? (sandboxed ? '/tmp' : this.o.dataDir),
      [PLATFORM_MARKER_VAR]: this.o.marker, [DYNO_MARKER_VAR]: instance,
    }
    if (d.port !== undefined) env.PORT = String(d.port)
    if (d.oneOff?.tty) env.TERM = env.TERM ?? 'xterm-256color'
    const script = PROFILE + d.command
    let file = 'bash'
    let args = ['-c', script]
    if (d.oneOff?.tty) {
      // a real terminal for interactive commands, without native modules: util-linux script(1)
      // allocates the pty; -e passes the command's exit status through
      // eslint-disable-next-line unicorn/prefer-math-trunc -- `| 0` also maps NaN/Infinity to 0: only an integer may reach the shell command
      const size = env.COLUMNS && env.LINES ? `stty cols ${Number(env.COLUMNS) | 0} rows ${Number(env.LINES) | 0} 2>/dev/null; ` : ''
      file = 'script'
      args = ['-qfec', `bash -c ${shellQuote(size + script)}`, '/dev/null']
      env.SHELL = '/bin/bash'
    }

    const command = confine(this.o.sandbox, {
      file, args, cwd: appDir ?? '/tmp', uid: d.uid, hostname: d.name, hide: [this.o.dataDir], identityDir: sandboxStateDir(this.o.dataDir),
      binds: d.workDir === undefined ? [] : [{host: d.workDir, path: '/app', writable: true}],
    })
    if (!attached) this.logLine(d, 'heroku', `Starting process with command \`${d.command}\``)
    let child: ChildProcess
    try {
      child = spawn(command.file, command.args, {cwd: sandboxed ? '/' : appDir ?? this.o.dataDir, env, detached: true, stdio: [attached ? 'pipe' : 'ignore', 'pipe', 'pipe']})
    } catch (error) {
      this.logLine(d, 'heroku', `Cannot start: ${(error as Error).message}`)
      this.cleanUp(d)
      this.setState(rt, d, 'crashed')
      if (d.oneOff) this.finishOneOff(rt, d, 127)
      return undefined
    }

    d.child = child
    d.pgid = child.pid
    if (child.pid !== undefined) recordGroup(this.o.dataDir, instance, child.pid)
    if (d.type === 'web' && !d.oneOff && d.port !== undefined) d.backend = {name: d.name, port: d.port, inflight: 0}
    if (attached) {
      // a slow client slows the process down (its pipes fill up) instead of the platform buffering
      const forward = (stream: NodeJS.ReadableStream, type: typeof FrameType.stderr | typeof FrameType.stdout) => {
        stream.on('data', (chunk: Buffer) => {
          if (!attached.write(encodeFrame(type, chunk))) {
            stream.pause()
            attached.once('drain', () => stream.resume())
          }
        })
      }

      forward(child.stdout!, FrameType.stdout)
      forward(child.stderr!, FrameType.stderr)
    } else {
      const onLine = d.oneOff?.onLine
      pipeLines(child.stdout!, line => {
        this.logLine(d, 'app', line)
        onLine?.(line)
      })
      pipeLines(child.stderr!, line => {
        this.logLine(d, 'app', line)
        onLine?.(line)
      })
    }

    let resolveExit!: () => void
    d.exited = new Promise(resolve => {
      resolveExit = resolve
    })
    child.once('error', error => {
      this.logLine(d, 'heroku', `Cannot start: ${error.message}`)
    })
    child.once('close', (code, signal) => {
      const status = code ?? 128 + (signal ? constants.signals[signal] ?? 0 : 0)
      if (attached) attached.end(exitFrame(status))
      this.onExit(rt, d, child, status)
      resolveExit()
    })
    if (d.oneOff) {
      this.setState(rt, d, 'up')
      this.timer(d, Math.min(d.oneOff.ttlMs, 2 ** 31 - 1), () => {
        d.oneOff!.expired = true
        this.logLine(d, 'heroku', 'Time to live expired: stopping the one-off dyno')
        void this.stop(rt, d)
      })
    } else if (d.type === 'web') {
      this.watchBoot(rt, d, child)
    } else {
      child.once('spawn', () => {
        if (d.child === child && d.state === 'starting') this.setState(rt, d, 'up')
      })
    }

    return child
  }

  /** Sends a signal to the dyno's processes (never to the sandbox's own leader, see processes.ts). */
  signal(d: Dyno, signal: NodeJS.Signals): void {
    if (d.pgid === undefined) return
    if (this.o.sandbox.enabled && signal !== 'SIGKILL') signalGroupButLeader(d.pgid, signal)
    else signalGroup(d.pgid, signal)
  }

  /** starting → up once PORT accepts connections; R10 when it does not in time. */
  private watchBoot(rt: AppRuntime, d: Dyno, child: ChildProcess): void {
    const started = Date.now()
    const probe = (): void => {
      if (d.child !== child || d.state !== 'starting') return
      void accepts(d.port!, 1000).then(ok => {
        if (d.child !== child || d.state !== 'starting') return
        if (ok) {
          // accepting, but is it our dyno? (another process may hold the port we handed out)
          if (d.instance && !portHeldBy(d.port!, markedProcesses(DYNO_MARKER_VAR, d.instance))) {
            this.logLine(d, 'heroku', `Port ${d.port} is held by another process; restarting the dyno on another port`)
            this.signal(d, 'SIGKILL')
            return
          }

          this.setState(rt, d, 'up')
          return
        }

        if (Date.now() - started >= this.o.bootTimeoutMs) {
          const seconds = Math.round(this.o.bootTimeoutMs / 1000)
          this.logLine(d, 'heroku', `Error R10 (Boot timeout) -> Web process failed to bind to $PORT within ${seconds} seconds of launch`)
          this.logLine(d, 'heroku', 'Stopping process with SIGKILL')
          this.signal(d, 'SIGKILL')
          return
        }

        this.timer(d, this.o.bootPollMs, probe)
      })
    }

    this.timer(d, Math.min(this.o.bootPollMs, 20), probe)
  }

  private onExit(rt: AppRuntime, d: Dyno, child: ChildProcess, status: number): void {
    if (d.child !== child) return
    // whatever the dyno forked dies with it
    if (!d.stopping) this.killRemains(d)
    d.child = undefined
    d.backend = undefined
    this.clearTimers(d)
    this.logLine(d, 'heroku', `Process exited with status ${status}`)
    if (d.stopping || this.o.closed()) {
      // stop() reports down once the whole group is gone
      if (d.oneOff) this.finishOneOff(rt, d, status)
      return
    }

    this.cleanUp(d)
    if (d.oneOff) {
      this.setState(rt, d, 'down')
      this.finishOneOff(rt, d, status)
      return
    }

    if (d.upSince !== undefined && Date.now() - d.upSince > this.o.crashResetMs) d.crashes = 0
    d.upSince = undefined
    d.crashes++
    this.setState(rt, d, 'crashed')
    // a prebooting dyno that crashes fails the preboot (formation.ts); the running one stays
    if (d.preboot) return
    const delay = crashBackoffMs(d.crashes, this.o)
    this.timer(d, delay, () => {
      if (d.stopping || this.o.closed() || d.held || rt.dynos.get(d.name) !== d) return
      this.start(rt, d)
    })
  }

  /**
   * Stops the dyno: out of the router's pool, requests in flight finish (`drain`), SIGTERM, and
   * SIGKILL to whatever is left after the grace period. Resolves once every process is gone.
   */
  async stop(rt: AppRuntime, d: Dyno, {drain = true} = {}): Promise<void> {
    d.stopping = true
    this.clearTimers(d)
    const {child} = d
    const {pgid} = d
    if (d.backend && !d.draining) {
      d.draining = true
      this.o.changed(rt, d)
      const {backend} = d
      this.o.retired(backend)
      const until = Date.now() + this.o.drainMs
      if (drain) {
        while (backend.inflight - (backend.upgraded ?? 0) > 0 && Date.now() < until && d.child === child) await sleep(10)
      }
    }

    if (!child || pgid === undefined || d.child !== child) {
      if (!d.child) {
        this.cleanUp(d)
        this.setState(rt, d, 'down')
      }

      return
    }

    this.logLine(d, 'heroku', 'Stopping all processes with SIGTERM')
    this.signal(d, 'SIGTERM')
    const deadline = Date.now() + this.o.stopGraceMs
    // the leader's exit, then the rest of the group
    await Promise.race([d.exited, sleep(this.o.stopGraceMs)])
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(25)
    if (groupAlive(pgid) || d.child === child) {
      this.logLine(d, 'heroku', `Error R12 (Exit timeout) -> At least one process failed to exit within ${Math.round(this.o.stopGraceMs / 1000)} seconds of SIGTERM`)
      this.logLine(d, 'heroku', 'Stopping process with SIGKILL')
      signalGroup(pgid, 'SIGKILL')
      await Promise.race([d.exited, sleep(2000)])
    }

    this.killRemains(d)
    if (d.child === undefined) {
      this.cleanUp(d)
      this.setState(rt, d, 'down')
    }

    // a one-off is not restarted: it is gone for good (143: stopped by SIGTERM, if it never ran)
    if (d.oneOff) this.finishOneOff(rt, d, 143)
  }

  /** SIGKILL to the dyno's group and to anything else carrying its marker (a pty's session). */
  private killRemains(d: Dyno): void {
    if (d.pgid) signalGroup(d.pgid, 'SIGKILL')
    if (d.instance) {
      forgetGroup(this.o.dataDir, d.instance)
      for (const pid of markedProcesses(DYNO_MARKER_VAR, d.instance)) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {}
      }
    }
  }

  /** The process is gone: its copy of the app and its port go with it (a restart starts clean). */
  private cleanUp(d: Dyno): void {
    if (d.workDir !== undefined) void removeDynoDir(d.workDir)
    d.workDir = undefined
    d.instance = undefined
    d.port = undefined
    d.backend = undefined
  }

  clearTimers(d: Dyno): void {
    for (const t of d.timers) clearTimeout(t)
    d.timers.clear()
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => {
    setTimeout(resolve, ms)
  })
}
