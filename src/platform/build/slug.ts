// Slugs on disk: the built app as one gzipped tarball per slug, <dataDir>/slugs/<slug-id>.tgz.
//
// PROCESS MODEL CONTRACT (for the dyno supervisor; keep it in step with the build):
//   - A slug is a tar.gz whose root is the app directory: the build dir's contents after
//     bin/compile (what Heroku has in /app). No leading "app/" folder, no .git.
//   - To run a process: unpack the slug into a fresh directory (unpackSlug), then in that
//     directory (cwd = the unpacked dir) run
//         bash -c 'for f in .profile.d/*.sh; do [ -r "$f" ] && . "$f"; done; exec <command>'
//     i.e. source every .profile.d/*.sh (buildpacks put PATH and similar there; they assume
//     cwd = the app dir and use $PWD / relative paths, never /app), then run the process
//     type's command from the slug's process_types (Procfile over buildpack defaults) with the
//     release's config vars and PORT in the environment.
//   - HOME should be the unpacked dir (as /app is HOME on Heroku); the built-in buildpacks do
//     not depend on it.
//   - The node the built-in buildpacks use is this machine's node: .profile.d/*.sh put its
//     directory on PATH.
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {chmod, mkdir, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {tightenTree} from '../data-dir.js'

/** Where the tarball of a slug lives. */
export function slugPath(dataDir: string, slugId: string): string {
  return join(dataDir, 'slugs', `${slugId}.tgz`)
}

/** Packs `appDir` (its contents at the tarball's root) into the slug's tarball. */
export async function packSlug(dataDir: string, slugId: string, appDir: string): Promise<{checksum: string, size: number}> {
  const target = slugPath(dataDir, slugId)
  await mkdir(join(dataDir, 'slugs'), {recursive: true, mode: 0o700})
  // what the slug holds is unpacked (as root, modes as packed) into release dirs under the data dir
  tightenTree(appDir)
  await runTar(['-czf', target, '-C', appDir, '.'])
  await chmod(target, 0o600)
  const {size} = await stat(target)
  return {size, checksum: `SHA256:${await sha256(target)}`}
}

/** Unpacks a slug into `targetDir` (created if missing). */
export async function unpackSlug(dataDir: string, slugId: string, targetDir: string): Promise<void> {
  await mkdir(targetDir, {recursive: true})
  await runTar(['-xzf', slugPath(dataDir, slugId), '-C', targetDir])
}

function runTar(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, {stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', code => {
      if (code === 0) resolve()
      else reject(new Error(`tar ${args[0]} failed (exit ${code}): ${stderr.trim()}`))
    })
  })
}

function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    createReadStream(path).on('error', reject).on('data', chunk => hash.update(chunk)).on('end', () => resolve(hash.digest('hex')))
  })
}
