// Cache-Control (RFC 9111 §5.2) parsed into a map of directive → argument; names lower-cased,
// quoted arguments unquoted. A directive given twice keeps its first value (§4.2.1 says a
// duplicate makes the response stale; for max-age we take the stricter reading: the lower value).
export type Directives = ReadonlyMap<string, string | true>

const EMPTY: Directives = new Map()

export function parseCacheControl(value: readonly string[] | string | undefined): Directives {
  if (value === undefined) return EMPTY
  const text = typeof value === 'string' ? value : value.join(',')
  if (text === '') return EMPTY
  const out = new Map<string, string | true>()
  // a directive: token, optionally = token or quoted-string (which may hold commas)
  const re = /\s*([^\s=,]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*)))?\s*(?:,|$)/g
  let match: null | RegExpExecArray
  while ((match = re.exec(text)) !== null && match[0] !== '') {
    const name = match[1].toLowerCase()
    const arg = match[2] === undefined ? match[3] : match[2].replaceAll(/\\(.)/g, '$1')
    const previous = out.get(name)
    if (previous === undefined) out.set(name, arg ?? true)
    else if (typeof previous === 'string' && arg !== undefined && seconds(arg) !== undefined && (seconds(previous) ?? Infinity) > seconds(arg)!) out.set(name, arg)
  }

  return out
}

/** A delta-seconds argument (§1.2.2): digits only; too large a value means "a very long time". */
export function seconds(arg: string | true | undefined): number | undefined {
  if (typeof arg !== 'string' || !/^\d+$/.test(arg)) return undefined
  return Math.min(Number(arg), 2_147_483_648)
}

/** The field names a qualified no-cache="a, b" or private="a" lists, lower case. */
export function fieldNames(arg: string | true | undefined): string[] {
  if (typeof arg !== 'string') return []
  return arg.split(',').map(name => name.trim().toLowerCase()).filter(Boolean)
}
