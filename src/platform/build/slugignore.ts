// .slugignore: paths kept out of the build (and so the slug), removed before any buildpack runs.
// The patterns are .gitignore's (git itself matches them: `git ls-files --others --ignored`
// against an empty index, over the build dir as the work tree).
import {rm} from 'node:fs/promises'
import {join, resolve, sep} from 'node:path'

import {git, gitEnv} from '../git/repos.js'
import {regularAppFile} from './app-files.js'

/** Removes what .slugignore names; returns the removed paths (directories end with /). */
export async function applySlugignore(buildDir: string, scratchDir: string): Promise<string[]> {
  const patterns = regularAppFile(buildDir, '.slugignore')
  if (patterns === undefined) return []
  const gitDir = join(scratchDir, 'slugignore.git')
  await git(['init', '--quiet', '--bare', gitDir])
  const env = gitEnv({GIT_DIR: gitDir, GIT_WORK_TREE: buildDir, GIT_INDEX_FILE: join(scratchDir, 'slugignore.index')})
  const listed = await git(['ls-files', '-z', '--others', '--ignored', '--directory', `--exclude-from=${patterns}`], {env, cwd: buildDir})
  const root = resolve(buildDir) + sep
  const removed: string[] = []
  // git may list a directory whose content is all ignored and then its files too: one removal
  for (const path of listed.split('\0').filter(Boolean).sort()) {
    const target = resolve(buildDir, path)
    if (!target.startsWith(root) || removed.some(dir => dir.endsWith('/') && path.startsWith(dir))) continue
    await rm(target, {recursive: true, force: true})
    removed.push(path)
  }

  return removed
}
