// How a dyno or a build step is confined: bubblewrap (bwrap, Debian's `bubblewrap`, the sandbox
// Flatpak uses). Every dyno (web, worker, one-off, release) and every buildpack script runs
//   - in its own PID namespace (it sees only its own processes in /proc), IPC and UTS namespaces;
//   - on a read-only system (/usr, /etc, /bin … and the directory of this Node.js), with a private
//     /tmp and /dev/shm, a minimal /dev and its own /proc;
//   - with only the directories it is given writable (a dyno: its own copy of the app at /app);
//   - without the platform's data dir, the user's home, or any other app's directories;
//   - as an unprivileged uid of the app's own when the platform runs as root (setpriv inside the
//     sandbox drops to it, with no capabilities and no_new_privs, so setuid programs gain nothing).
// Dynos share the host's network (the router must reach them): see docs/runtime.md for what that
// allows. Where bwrap is missing or cannot create namespaces, the platform says so once at start,
// with how to fix it, and runs dynos unconfined; platform:status shows which.
import {execFile} from 'node:child_process'
import {existsSync, lstatSync, readlinkSync, realpathSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join, sep} from 'node:path'
import {promisify} from 'node:util'

const run = promisify(execFile)

/** system directories shown read-only inside the sandbox (symlinks, as on merged-/usr systems, kept as links) */
const SYSTEM_PATHS = ['/usr', '/etc', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/opt']
/** the first uid of the per-app range (far above the ranges distributions give to people) */
export const APP_UID_BASE = 200_000

export interface SandboxStatus {
  /** dynos and builds run under bwrap */
  enabled: boolean
  /** each app's processes run as a uid of their own (the platform runs as root) */
  separateUsers: boolean
  /** e.g. "bubblewrap 0.8.0" */
  tool?: string
  /** why not enabled, and how to fix it (shown at start and by platform:status) */
  reason?: string
}

export interface SandboxBind {
  /** a path on this machine */
  host: string
  /** where the sandbox sees it */
  path: string
  writable: boolean
}

export interface SandboxSpec {
  file: string
  args: readonly string[]
  binds: readonly SandboxBind[]
  /** working directory inside the sandbox */
  cwd: string
  /** run as this uid (and gid) when the status allows separate users */
  uid?: number
  hostname?: string
  /** paths never to show even if under a system path (the data dir …) */
  hide?: readonly string[]
}

/**
 * Finds out whether bwrap works here by running it. `mode: 'off'` (HEROKU_PLATFORM_SANDBOX=off)
 * turns it off on purpose — still announced.
 */
export async function detectSandbox(mode: 'auto' | 'off' = 'auto'): Promise<SandboxStatus> {
  if (mode === 'off') return {enabled: false, separateUsers: false, reason: 'turned off (HEROKU_PLATFORM_SANDBOX=off): dynos and builds run unconfined, as the platform\'s user'}
  const bwrap = findBwrap()
  if (!bwrap) {
    return {enabled: false, separateUsers: false, reason: 'bubblewrap (bwrap) is not installed: dynos and builds run unconfined, as the platform\'s user, and can read its data. Install it (apt-get install bubblewrap) and restart the platform'}
  }
  let tool = 'bubblewrap'
  try {
    tool = (await run(bwrap, ['--version'], {timeout: 5000})).stdout.trim()
  } catch {}
  const root = process.getuid?.() === 0
  const probe = sandboxArgs({file: '/bin/sh', args: ['-c', 'exit 0'], binds: [], cwd: '/', uid: root ? APP_UID_BASE : undefined}, root)
  try {
    await run(bwrap, probe, {timeout: 10_000})
    return {enabled: true, separateUsers: root, tool}
  } catch (error) {
    const detail = String((error as {stderr?: string}).stderr ?? (error as Error).message).trim().split('\n')[0]
    return {
      enabled: false, separateUsers: false, tool,
      reason: `bwrap cannot create a sandbox here (${detail}): dynos and builds run unconfined. Enable user namespaces (sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces > 0) or run the platform as root`,
    }
  }
}

function findBwrap(): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (dir && existsSync(join(dir, 'bwrap'))) return join(dir, 'bwrap')
  }
  return existsSync('/usr/bin/bwrap') ? '/usr/bin/bwrap' : undefined
}

/** The uid (= gid) of an app's processes: one per app, from its row number in the store. */
export function appUid(rowNumber: number): number {
  return APP_UID_BASE + rowNumber
}

/** The command line that runs `spec` in the sandbox, or as it is when the sandbox is off. */
export function confine(status: SandboxStatus, spec: SandboxSpec): {file: string, args: string[]} {
  if (!status.enabled) return {file: spec.file, args: [...spec.args]}
  return {file: 'bwrap', args: sandboxArgs(spec, status.separateUsers)}
}

function sandboxArgs(spec: SandboxSpec, separateUsers: boolean): string[] {
  const args: string[] = []
  const shown = new Set<string>()
  for (const path of SYSTEM_PATHS) {
    let stat
    try {
      stat = lstatSync(path)
    } catch {
      continue
    }
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path)
    else if (stat.isDirectory()) {
      args.push('--ro-bind', path, path)
      shown.add(path)
    }
  }
  // this Node.js (the built-in buildpacks put its directory on PATH), wherever it is installed
  const nodePrefix = dirname(dirname(realpathOr(process.execPath)))
  if (!under(nodePrefix, shown)) args.push('--ro-bind', nodePrefix, nodePrefix)
  args.push('--proc', '/proc', '--dev', '/dev', '--perms', '1777', '--tmpfs', '/tmp', '--perms', '1777', '--tmpfs', '/dev/shm')
  // a system path may hold the data dir or a home: cover them
  for (const path of [...(spec.hide ?? []), homedir()]) {
    const real = realpathOr(path)
    if (real !== '/' && under(real, shown)) args.push('--tmpfs', real)
  }
  // bwrap makes missing parents of a mount point 0700 (root's): readable ones for the app's user
  const made = new Set(['/', '/tmp'])
  for (const bind of spec.binds) {
    for (let parent = dirname(bind.path); !made.has(parent) && !under(parent, shown); parent = dirname(parent)) made.add(parent)
  }
  for (const dir of [...made].filter(d => d !== '/' && d !== '/tmp').sort((a, b) => a.length - b.length)) args.push('--perms', '0755', '--dir', dir)
  for (const bind of spec.binds) args.push(bind.writable ? '--bind' : '--ro-bind', bind.host, bind.path)
  args.push('--chdir', spec.cwd, '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent')
  if (spec.hostname) args.push('--hostname', spec.hostname)
  args.push('--')
  if (separateUsers && spec.uid !== undefined) {
    args.push('setpriv', `--reuid=${spec.uid}`, `--regid=${spec.uid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--')
  }
  args.push(spec.file, ...spec.args)
  return args
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

function under(path: string, roots: ReadonlySet<string>): boolean {
  for (const root of roots) if (path === root || path.startsWith(root + sep)) return true
  return false
}
