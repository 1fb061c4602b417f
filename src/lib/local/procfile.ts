// Which process types an app has on this machine: its Procfile (or the file given with -f),
// read with the platform's own rules; without one, the web command the Node.js buildpack would
// default to, worked out by that buildpack's own script so the two never disagree.
import {execFile} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {promisify} from 'node:util'

import {BUILTIN_BUILDPACKS_DIR} from '../../platform/build/buildpacks.js'
import {parseProcfile, ProcfileError} from '../../platform/build/procfile.js'
import {parseReleaseYaml} from '../../platform/build/release-yaml.js'
import {UserError} from '../errors.js'

export interface ProcessTypes {
  /** the Procfile read, or undefined when the types are the buildpack's default */
  procfile?: string
  /** type → command */
  types: Record<string, string>
}

/** The Node.js buildpack's default web command for the app in `dir`, if it has one. */
export async function nodeDefaultWeb(dir: string): Promise<string | undefined> {
  if (!existsSync(join(dir, 'package.json'))) return undefined
  const script = join(BUILTIN_BUILDPACKS_DIR, 'nodejs', 'lib', 'release.mjs')
  try {
    const {stdout} = await promisify(execFile)(process.execPath, [script, dir], {timeout: 10_000})
    return parseReleaseYaml(stdout).defaultProcessTypes.web
  } catch (error) {
    throw new UserError(`Cannot work out the default web command from package.json: ${((error as {stderr?: string}).stderr || (error as Error).message).trim().split('\n').at(-1)}`, {hint: 'Check that package.json is valid JSON, or add a Procfile.'})
  }
}

export async function loadProcessTypes(opts: {cwd: string, procfile?: string}): Promise<ProcessTypes> {
  const file = opts.procfile ?? 'Procfile'
  const path = resolve(opts.cwd, file)
  if (existsSync(path)) {
    try {
      return {procfile: file, types: parseProcfile(readFileSync(path, 'utf8'))}
    } catch (error) {
      if (error instanceof ProcfileError) throw new UserError(`Invalid ${file}: ${error.message.replace(/^Procfile /, '')}`)
      throw new UserError(`Cannot read ${file}: ${(error as Error).message}`)
    }
  }

  if (opts.procfile !== undefined) throw new UserError(`No Procfile at ${file}.`, {hint: 'Pass -f with the path of a Procfile, relative to this directory.'})
  const web = await nodeDefaultWeb(opts.cwd)
  if (web === undefined) {
    throw new UserError(`No Procfile in ${opts.cwd}.`, {hint: 'Add a Procfile with a line such as "web: node server.js" (or a package.json with a start script), or pass -f FILE.'})
  }

  return {types: {web}}
}
