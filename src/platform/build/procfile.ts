// Procfile: one `type: command` per line; blank lines and `#` comments are ignored.
export const PROCESS_TYPE = /^[A-Za-z0-9_-]+$/

export class ProcfileError extends Error {}

/** Parses a Procfile; throws ProcfileError naming the first bad line. */
export function parseProcfile(text: string): Record<string, string> {
  const types: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const where = `Procfile line ${index + 1}`
    const colon = line.indexOf(':')
    if (colon === -1) throw new ProcfileError(`${where}: expected "type: command", got ${JSON.stringify(raw)}`)
    const type = line.slice(0, colon).trim()
    const command = line.slice(colon + 1).trim()
    if (!PROCESS_TYPE.test(type)) throw new ProcfileError(`${where}: invalid process type ${JSON.stringify(type)} (letters, digits, _ and - only)`)
    if (command === '') throw new ProcfileError(`${where}: process type ${type} has no command`)
    if (type in types) throw new ProcfileError(`${where}: process type ${type} is defined twice`)
    types[type] = command
  }

  return types
}
