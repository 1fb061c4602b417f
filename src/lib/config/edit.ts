import type {ConfigVars} from '@heroku-cli/schema'

import {spawn} from 'node:child_process'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'
import type {Prompter} from '../ui/prompter.js'

import {UsageError, UserError} from '../errors.js'
import {validateKey} from './keys.js'
import {getConfigVars, updateConfig} from './vars.js'

const PLAIN = /^[^\s'"#\\]*$/

/** The editable text: `KEY=value`, with a JSON string for values that need quoting. */
export function formatEditable(vars: Record<string, string>): string {
  const lines = Object.keys(vars).sort().map(k => `${k}=${PLAIN.test(vars[k]) ? vars[k] : JSON.stringify(vars[k])}`)
  return [
    '# Edit the config vars, one KEY=value a line. Values with spaces, quotes or newlines',
    String.raw`# are JSON strings ("a\nb"). Delete a line to unset that var. Lines starting with # are ignored.`,
    ...lines,
    '',
  ].join('\n')
}

/** Parses the edited text back; a malformed line is a usage error naming its line number. */
export function parseEditable(text: string): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/\r$/, '')
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq === -1) throw new UsageError(`Line ${i + 1} is not KEY=value: ${line}`)
    const key = validateKey(line.slice(0, eq).trim())
    const rest = line.slice(eq + 1)
    if (rest.startsWith('"')) {
      try {
        vars[key] = String(JSON.parse(rest))
      } catch {
        throw new UsageError(`Line ${i + 1}: the value of ${key} is not a valid JSON string.`)
      }
    } else if (rest.length >= 2 && rest.startsWith("'") && rest.endsWith("'")) {
      vars[key] = rest.slice(1, -1)
    } else {
      vars[key] = rest
    }
  }

  return vars
}

/** What to PATCH to go from `before` to `after`: new and changed values, null for removed keys. */
export function configChanges(before: Record<string, string>, after: Record<string, string>): Record<string, null | string> {
  const changes: Record<string, null | string> = {}
  for (const [k, v] of Object.entries(after)) if (before[k] !== v) changes[k] = v
  for (const k of Object.keys(before)) if (!Object.hasOwn(after, k)) changes[k] = null
  return changes
}

export function describeChanges(before: Record<string, string>, changes: Record<string, null | string>): string[] {
  return Object.keys(changes).sort().map(k => {
    const v = changes[k]
    if (v === null) return `- ${k}`
    if (Object.hasOwn(before, k)) return `~ ${k}=${JSON.stringify(v)} (was ${JSON.stringify(before[k])})`
    return `+ ${k}=${JSON.stringify(v)}`
  })
}

/** Runs the user's editor on a file and waits for it: `sh -c '$EDITOR "$1"'`, the path as an argument. */
export function runEditor(editor: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `${editor} "$1"`, 'sh', file], {stdio: 'inherit'})
    child.once('error', reject)
    child.once('exit', code => (code === 0 ? resolve() : reject(new UserError(`The editor (${editor}) exited with status ${code}: nothing was changed.`))))
  })
}

export interface EditConfigOptions {
  api: ApiClient
  app: string
  edit?: (editor: string, file: string) => Promise<void>
  /** $VISUAL or $EDITOR */
  editor?: string
  out: Output
  prompter: Prompter
}

/** Opens the config vars in an editor, shows the difference and applies it once confirmed. */
export async function editConfig(opts: EditConfigOptions): Promise<ConfigVars> {
  const {api, out, prompter, app} = opts
  if (!prompter.canPrompt) {
    throw new UsageError('config:edit needs an interactive terminal (it opens an editor and asks before applying).', {
      hint: 'Use heroku config:set KEY=VALUE or heroku config:unset KEY instead.',
    })
  }

  const before = await getConfigVars(api, app)
  const dir = await mkdtemp(join(tmpdir(), 'heroku-config-'))
  const file = join(dir, `${app}.env`)
  let after: Record<string, string>
  try {
    await writeFile(file, formatEditable(before), {mode: 0o600})
    await (opts.edit ?? runEditor)(opts.editor || 'vi', file)
    after = parseEditable(await readFile(file, 'utf8'))
  } finally {
    await rm(dir, {force: true, recursive: true})
  }

  const changes = configChanges(before, after)
  if (Object.keys(changes).length === 0) {
    out.log('No changes to the config vars.')
    return before
  }

  for (const line of describeChanges(before, changes)) out.log(line)
  if (!(await prompter.confirm(`Apply these changes to ${app}?`, {default: false, flag: 'config:set / config:unset'}))) {
    out.log('Nothing was changed.')
    return before
  }

  return updateConfig({api, app, changes, out})
}
