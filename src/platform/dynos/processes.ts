// Process groups on Linux: every dyno runs in its own session (spawn detached → setsid), so
// the dyno's shell, the app and anything the app forks share one process group that can be
// signalled as a whole (kill(-pgid)). Every dyno process also carries a marker in its
// environment naming the platform's data dir, so that a platform starting after a crash (even
// kill -9, which leaves the detached dynos running) finds the processes of the previous run by
// reading /proc/<pid>/environ — a pid that was reused by an unrelated process is never touched.
import {createHash} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

/** the environment variable every dyno process carries: the platform marker */
export const PLATFORM_MARKER_VAR = 'HEROKU_TOOLBELT_PLATFORM'
/** …and the dyno's own instance id */
export const DYNO_MARKER_VAR = 'HEROKU_TOOLBELT_DYNO'

export function platformMarker(dataDir: string): string {
  let path = dataDir
  try {
    path = realpathSync(dataDir)
  } catch {}

  return createHash('sha256').update(path).digest('hex').slice(0, 24)
}

function pids(): number[] {
  try {
    return readdirSync('/proc').filter(name => /^\d+$/.test(name)).map(Number)
  } catch {
    return []
  }
}

function environ(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1')
  } catch {
    return undefined
  }
}

/** pgrp and state (R, S, Z …) from /proc/<pid>/stat; undefined if the process is gone */
function stat(pid: number): undefined | {pgrp: number, state: string} {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1')
    // the command name is in parentheses and may contain anything: parse after the last ')'
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return {state: rest[0], pgrp: Number(rest[2])}
  } catch {
    return undefined
  }
}

/** Pids of live (non-zombie) processes whose environment carries `NAME=value`. */
export function markedProcesses(name: string, value: string): number[] {
  const needle = `\0${name}=${value}\0`
  const out: number[] = []
  for (const pid of pids()) {
    if (pid === process.pid) continue
    const env = environ(pid)
    if (env === undefined || !(`\0${env}`).includes(needle)) continue
    if (stat(pid)?.state === 'Z') continue
    out.push(pid)
  }

  return out
}

/** True while any live (non-zombie) process is in the group. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
  } catch {
    return false
  }

  // kill(0) also succeeds for zombies nobody reaped yet: look closer
  for (const pid of pids()) {
    const s = stat(pid)
    if (s && s.pgrp === pgid && s.state !== 'Z') return true
  }

  return false
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {}
}

/**
 * Signals every process of the group but its leader. A sandboxed dyno's leader is bwrap, which
 * would die of a SIGTERM at once and take the sandbox with it (--die-with-parent): the app must
 * get the signal and the time to finish, and bwrap then exits with the app's status.
 */
export function signalGroupButLeader(pgid: number, signal: NodeJS.Signals): void {
  for (const pid of pids()) {
    if (pid === pgid || stat(pid)?.pgrp !== pgid) continue
    try {
      process.kill(pid, signal)
    } catch {}
  }
}

/**
 * Kills (SIGKILL) every process left by an earlier run of the platform on this data dir, and
 * their process groups. Returns the pids found.
 */
export function killLeftovers(marker: string): number[] {
  const found = markedProcesses(PLATFORM_MARKER_VAR, marker)
  const ownGroup = stat(process.pid)?.pgrp
  for (const pid of found) {
    const group = stat(pid)?.pgrp
    if (group !== undefined && group > 1 && group !== ownGroup) signalGroup(group, 'SIGKILL')
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }

  return found
}

/** Inodes of the sockets listening on TCP `port` (IPv4 and IPv6); undefined when /proc cannot tell. */
function listeningInodes(port: number): Set<string> | undefined {
  const inodes = new Set<string>()
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  let readable = false
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string
    try {
      text = readFileSync(file, 'latin1')
      readable = true
    } catch {
      continue
    }

    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      // sl local_address rem_address st … inode (10th)
      if (fields.length < 10 || fields[3] !== '0A') continue
      if (fields[1].slice(fields[1].lastIndexOf(':') + 1) === hexPort) inodes.add(fields[9])
    }
  }

  return readable ? inodes : undefined
}

/**
 * Whether the socket listening on `port` belongs to one of `pids` — so that a dyno is not taken
 * for up because some other process happens to listen on the port it was given. True when the
 * system cannot tell (no /proc).
 */
export function portHeldBy(port: number, pids: readonly number[]): boolean {
  const inodes = listeningInodes(port)
  if (inodes === undefined) return true
  if (inodes.size === 0) return false
  for (const pid of pids) {
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue
    }

    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`)
        if (target.startsWith('socket:[') && inodes.has(target.slice(8, -1))) return true
      } catch {}
    }
  }

  return false
}

/**
 * A path that opens the terminal the first of `pids` has as stdin, if any: /proc/PID/fd/0, not
 * /dev/pts/N — a sandboxed dyno's pts belongs to its own devpts, and the same name on the host
 * is another terminal.
 */
export function terminalOf(pids: readonly number[]): string | undefined {
  for (const pid of pids) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/0`)
      if (/^\/dev\/pts\/\d+$/.test(target)) return `/proc/${pid}/fd/0`
    } catch {}
  }

  return undefined
}

// --- process groups recorded on disk --------------------------------------------------------
// Besides the environment marker (which a process can drop), each running dyno's process group
// is recorded in DATA/runtime/groups/<instance>.json with its leader's start time. After a crash
// of the platform every recorded group is killed: the leader if it is still the same process
// (same start time), and every process of the dyno's session — Linux never hands out a pid that
// is still some process's session or group id, so a live session with that id is the dyno's.

export const groupsDir = (dataDir: string): string => join(dataDir, 'runtime', 'groups')

function startTime(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1')
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

function session(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1')
    return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[3])
  } catch {
    return undefined
  }
}

export function recordGroup(dataDir: string, instance: string, pgid: number): void {
  try {
    mkdirSync(groupsDir(dataDir), {recursive: true, mode: 0o700})
    writeFileSync(join(groupsDir(dataDir), `${instance}.json`), JSON.stringify({pgid, start: startTime(pgid) ?? null}))
  } catch {}
}

export function forgetGroup(dataDir: string, instance: string): void {
  rmSync(join(groupsDir(dataDir), `${instance}.json`), {force: true})
}

/** SIGKILLs every process of `all` in session `pgid` (never this one), appending the pids killed to `killed`. */
function killGroup(all: number[], pgid: number, killed: number[]): void {
  for (const pid of all) {
    if (pid !== process.pid && (pid === pgid || session(pid) === pgid)) {
      try {
        process.kill(pid, 'SIGKILL')
        killed.push(pid)
      } catch {}
    }
  }
}

/** Kills what is left of every recorded group and forgets them; returns the pids killed. */
export function killRecordedGroups(dataDir: string): number[] {
  let files: string[]
  try {
    files = readdirSync(groupsDir(dataDir))
  } catch {
    return []
  }

  const killed: number[] = []
  const all = pids()
  for (const file of files) {
    try {
      const {pgid, start} = JSON.parse(readFileSync(join(groupsDir(dataDir), file), 'utf8')) as {pgid: number, start: null | string}
      const leaderStart = startTime(pgid)
      // the leader's pid now belongs to another process: not ours, leave it
      if (!(leaderStart !== undefined && start !== null && leaderStart !== start) && pgid > 1 && pgid !== process.pid) {
        killGroup(all, pgid, killed)
      }
    } catch {}

    rmSync(join(groupsDir(dataDir), file), {force: true})
  }

  return killed
}
