// How a dyno or a build step is confined: bubblewrap (bwrap, Debian's `bubblewrap`, the sandbox
// Flatpak uses). Every dyno (web, worker, one-off, release) and every buildpack script runs
//   - in its own PID namespace (it sees only its own processes in /proc), IPC and UTS namespaces;
//   - on a read-only system (/usr, /etc, /bin … and the directory of this Node.js), with a private
//     /tmp and /dev/shm, a minimal /dev and its own /proc;
//   - with only the directories it is given writable (a dyno: its own copy of the app at /app);
//   - without the platform's data dir, the user's home, the CLI's config and data dirs, or any
//     other app's directories, even where a system path or this Node.js's installation holds them;
//     a writable dir that is a symbolic link (put there by the app) is refused, not followed;
//   - as an unprivileged uid of the app's own when the platform runs as root (setpriv inside the
//     sandbox drops to it, with no capabilities and no_new_privs, so setuid programs gain nothing).
// Dynos share the host's network (the router must reach them): see docs/runtime.md for what that
// allows. Where bwrap is missing or cannot create namespaces, the platform says so once at start,
// with how to fix it, and runs dynos unconfined; platform:status shows which.
import {execFile} from 'node:child_process'
import {chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join, sep} from 'node:path'
import {promisify} from 'node:util'

import {dataDir as cliDataDir, configDir} from '../../lib/paths.js'

const run = promisify(execFile)

/** system directories shown read-only inside the sandbox (symlinks, as on merged-/usr systems, kept as links) */
const SYSTEM_PATHS = ['/usr', '/etc', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/opt']
/** the first uid of the per-app range (far above the ranges distributions give to people) */
export const APP_UID_BASE = 200_000

export interface SandboxStatus {
  /** dynos and builds run under bwrap */
  enabled: boolean
  /** why not enabled, and how to fix it (shown at start and by platform:status) */
  reason?: string
  /** each app's processes run as a uid of their own (the platform runs as root) */
  separateUsers: boolean
  /** e.g. "bubblewrap 0.8.0" */
  tool?: string
}

export interface SandboxBind {
  /** a path on this machine */
  host: string
  /** where the sandbox sees it */
  path: string
  writable: boolean
}

export interface SandboxSpec {
  args: readonly string[]
  binds: readonly SandboxBind[]
  /** working directory inside the sandbox */
  cwd: string
  file: string
  /** paths never to show even if under a system path (the data dir …) */
  hide?: readonly string[]
  hostname?: string
  /** where the app user's /etc/passwd and /etc/group are kept (with separate users), so that it has a name */
  identityDir?: string
  /** run as this uid (and gid) when the status allows separate users */
  uid?: number
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
export function confine(status: SandboxStatus, spec: SandboxSpec): {args: string[], file: string} {
  if (!status.enabled) return {file: spec.file, args: [...spec.args]}
  return {file: 'bwrap', args: sandboxArgs(spec, status.separateUsers)}
}

function sandboxArgs(spec: SandboxSpec, separateUsers: boolean): string[] {
  // a writable dir is one the platform made (a build dir, a dyno's copy of the app): a symbolic
  // link there is something the app put in its place (a source archive whose only entry is a link
  // to a directory of this machine), and bwrap would bind where it points
  for (const bind of spec.binds) {
    if (bind.writable && isSymbolicLink(bind.host)) throw new Error(`refusing to show ${bind.host} to the sandbox: it is a symbolic link, not the directory the platform made`)
  }

  const args: string[] = []
  /** what is mounted so far, by path inside the sandbox: a tmpfs (empty: mount points are made in it) or a bind */
  const mounts = new Map<string, 'bind' | 'tmpfs'>([['/', 'tmpfs']])
  for (const path of SYSTEM_PATHS) {
    let stat
    try {
      stat = lstatSync(path)
    } catch {
      continue
    }

    if (stat.isSymbolicLink()) {
      args.push('--symlink', readlinkSync(path), path)
      mounts.set(path, 'bind')
    } else if (stat.isDirectory()) {
      args.push('--ro-bind', path, path)
      mounts.set(path, 'bind')
    }
  }

  args.push('--proc', '/proc', '--dev', '/dev', '--perms', '1777', '--tmpfs', '/tmp', '--perms', '1777', '--tmpfs', '/dev/shm')
  for (const [path, kind] of [['/proc', 'bind'], ['/dev', 'bind'], ['/tmp', 'tmpfs'], ['/dev/shm', 'tmpfs']] as const) mounts.set(path, kind)
  // never shown, wherever they are (under a system path, or where this Node.js is installed): the
  // data dir, the user's home, the CLI's own config (credentials) and data dirs; one that does not
  // exist yet is covered by its nearest existing parent (it may be made while the sandbox runs)
  const hidden = new Map<string, boolean>()
  for (const path of [...(spec.hide ?? []), homedir(), configDir(), cliDataDir()]) {
    const {real, exact} = nearestExisting(path)
    if (real !== '/') hidden.set(real, (hidden.get(real) ?? false) || exact)
  }

  const layers: {exact?: boolean, host?: string, path: string, writable?: boolean}[] = []
  // this Node.js (the built-in buildpacks put its directory on PATH), wherever it is installed: its
  // whole installation (npm next to it), the hidden paths inside it covered (the data dir in
  // ~/.local); where a hidden path holds node itself (node in ~/bin: the home; /bin/node: / itself),
  // its bin dir, else node alone
  const node = realpathOr(process.execPath)
  if (!isUnder(node, [...mounts.keys()].filter(p => mounts.get(p) === 'bind'))) {
    const fits = (dir: string): boolean => dir !== '/' && ![...hidden.keys()].some(h => isUnder(h, [dir]) && isUnder(node, [h]))
    const dir = [dirname(dirname(node)), dirname(node)].find(d => fits(d)) ?? node
    layers.push({path: dir, host: dir, writable: false})
  }

  for (const [path, exact] of hidden) layers.push({path, exact})
  // outer mounts before the ones inside them; the spec's binds last among equals
  const ordered = [...layers.map((l, i) => ({...l, i})), ...spec.binds.map((b, i) => ({path: b.path, host: b.host, writable: b.writable, exact: true, i: layers.length + i}))]
    .sort((a, b) => a.path.length - b.path.length || a.i - b.i)
  for (const layer of ordered) {
    const covering = coveringMount(mounts, layer.path)
    if (layer.host === undefined) {
      // a hidden path: covered where a bind shows it (in a tmpfs it is not there at all); a parent
      // standing for a path yet to be made, unless that parent is a system dir itself
      if (mounts.get(covering) === 'bind' && (layer.exact || covering !== layer.path)) {
        args.push('--tmpfs', layer.path)
        mounts.set(layer.path, 'tmpfs')
      }

      continue
    }

    // bwrap makes missing parents of a mount point 0700 (root's): readable ones for the app's user
    const missing: string[] = []
    for (let parent = dirname(layer.path); ; parent = dirname(parent)) {
      const around = coveringMount(mounts, parent)
      if (around === parent || mounts.get(around) === 'bind') break
      missing.push(parent)
    }

    for (const dir of missing.reverse()) {
      args.push('--perms', '0755', '--dir', dir)
      mounts.set(dir, 'tmpfs')
    }

    args.push(layer.writable ? '--bind' : '--ro-bind', layer.host, layer.path)
    mounts.set(layer.path, 'bind')
  }

  if (separateUsers && spec.uid !== undefined && spec.identityDir) {
    const {passwd, group} = identityFiles(spec.identityDir, spec.uid)
    args.push('--ro-bind', passwd, '/etc/passwd', '--ro-bind', group, '/etc/group')
  }

  args.push('--chdir', spec.cwd, '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent')
  if (spec.hostname) args.push('--hostname', spec.hostname)
  args.push('--')
  if (separateUsers && spec.uid !== undefined) {
    args.push('setpriv', `--reuid=${spec.uid}`, `--regid=${spec.uid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--')
  }

  args.push(spec.file, ...spec.args)
  return args
}

/** the innermost mount holding `path` (or mounted at it) */
function coveringMount(mounts: ReadonlyMap<string, unknown>, path: string): string {
  let best = '/'
  for (const mount of mounts.keys()) if (isUnder(path, [mount]) && mount.length > best.length) best = mount
  return best
}

/** `path` made real, or its nearest existing parent when it does not exist */
function nearestExisting(path: string): {exact: boolean, real: string} {
  let at = path
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at)
  return {real: realpathOr(at), exact: at === path}
}

function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return false
  }
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

function isUnder(path: string, roots: Iterable<string>): boolean {
  for (const root of roots) if (path === root || root === '/' || path.startsWith(root + sep)) return true
  return false
}

/** DATA/runtime/sandbox: what the sandbox shows that the platform makes (the app users' passwd files) */
export const sandboxStateDir = (dataDir: string): string => join(dataDir, 'runtime', 'sandbox')

/** the app user's name inside the sandbox (a prompt, `whoami` and tools that look it up find it) */
export const APP_USER_NAME = 'dyno'

/** The host's /etc/passwd and /etc/group with the app's user added, written once per uid. */
function identityFiles(dir: string, uid: number): {group: string, passwd: string} {
  const passwd = join(dir, `passwd-${uid}`)
  const group = join(dir, `group-${uid}`)
  // the app's user's own (0600, as everything in the data dir): readable by it alone
  const ready = (path: string): boolean => {
    try {
      return statSync(path).uid === uid
    } catch {
      return false
    }
  }

  if (!ready(passwd) || !ready(group)) {
    mkdirSync(dir, {recursive: true, mode: 0o700})
    const read = (path: string): string => {
      try {
        const text = readFileSync(path, 'utf8')
        return text.endsWith('\n') || text === '' ? text : `${text}\n`
      } catch {
        return ''
      }
    }

    // written aside and renamed: never half a file
    for (const [path, text] of [[passwd, `${read('/etc/passwd')}${APP_USER_NAME}:x:${uid}:${uid}:app:/app:/bin/bash\n`], [group, `${read('/etc/group')}${APP_USER_NAME}:x:${uid}:\n`]] as const) {
      writeFileSync(`${path}.partial`, text, {mode: 0o600})
      chownSync(`${path}.partial`, uid, uid)
      renameSync(`${path}.partial`, path)
    }
  }

  return {passwd, group}
}
