// Is the process a pid file names still the one that wrote it? After a crash the pid can be a
// zombie nobody has reaped yet, or, later, another program's: neither is a running platform.
// Where /proc exists (Linux) a recorded process is recognised by its start time (field 22 of
// /proc/PID/stat, clock ticks since boot: a reused pid has a later one); without a recorded start
// time (files from an older version), by its command line. Elsewhere, a signal 0 is all there is.
import {readFileSync} from 'node:fs'

/** The kernel's start time of `pid`, or undefined where /proc cannot tell. */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.[19]
}

/** Fields 3… of /proc/PID/stat (state first), or undefined without /proc or without the process. */
function procStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1')
    // the command name (field 2) is in parentheses and may contain spaces and parentheses
    return text.slice(text.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/** signal 0: the pid exists (a zombie too), ours or not */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Whether `pid` is a process that has not exited (a zombie has). */
export function isLive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || !exists(pid)) return false
  const stat = procStat(pid)
  if (stat === undefined) return !hasProc()
  return stat[0] !== 'Z' && stat[0] !== 'X'
}

/**
 * Whether `pid` is a live process started at `start` (as processStartTime gave it) or, with no
 * start recorded, one whose command line has `commandIncludes` in it.
 */
export function isSameProcess(pid: number, start: string | undefined, commandIncludes: string): boolean {
  if (!isLive(pid)) return false
  const stat = procStat(pid)
  if (stat === undefined) return !hasProc() // no /proc to ask
  if (start !== undefined) return stat[19] === start
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').some(arg => arg.includes(commandIncludes))
  } catch {
    return false
  }
}

function hasProc(): boolean {
  return procStat(process.pid) !== undefined
}
