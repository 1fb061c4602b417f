// The YAML a classic buildpack's bin/release prints, e.g.
//   ---
//   addons: []
//   default_process_types:
//     web: npm start
// Only default_process_types matters here; this reads that much YAML (block mappings of
// scalars, plain or quoted), not YAML in general.
import {PROCESS_TYPE} from './procfile.js'

export class ReleaseYamlError extends Error {}

export function parseReleaseYaml(text: string): {defaultProcessTypes: Record<string, string>} {
  const defaultProcessTypes: Record<string, string> = {}
  let inTypes = false
  let indent = -1
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '' || raw.trim().startsWith('#') || raw.startsWith('---')) continue
    const leading = raw.length - raw.trimStart().length
    if (leading === 0) {
      const match = /^([\w-]+):\s*(.*)$/.exec(raw)
      inTypes = match?.[1] === 'default_process_types'
      if (inTypes && match![2].trim() !== '' && match![2].trim() !== '{}' && match![2].trim() !== '~') {
        throw new ReleaseYamlError('bin/release: default_process_types must be a block mapping')
      }

      indent = -1
      continue
    }

    if (!inTypes) continue
    if (indent < 0) indent = leading
    if (leading !== indent) continue
    const match = /^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^:\s][^:]*?)\s*:\s+(.*)$/.exec(raw)
    if (match === null) throw new ReleaseYamlError(`bin/release: cannot read ${JSON.stringify(raw.trim())}`)
    const type = unquote(match[1])
    const command = unquote(match[2].trim())
    if (!PROCESS_TYPE.test(type)) throw new ReleaseYamlError(`bin/release: invalid process type ${JSON.stringify(type)}`)
    if (command !== '') defaultProcessTypes[type] = command
  }

  return {defaultProcessTypes}
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return JSON.parse(value) as string
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1).replaceAll("''", "'")
  return value
}
