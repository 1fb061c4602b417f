// Raw header arrays ([name, value, name, value, …], as node and undici hand them over): the
// cache keeps a response's fields in that form so that serving it needs no re-encoding.
export type RawHeaders = string[]

/** All values of a field, joined with ", " (RFC 9110 §5.3), or undefined when absent. */
export function field(headers: readonly string[], name: string): string | undefined {
  let value: string | undefined
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i].length === name.length && headers[i].toLowerCase() === name) value = value === undefined ? headers[i + 1] : `${value}, ${headers[i + 1]}`
  }

  return value
}

export function without(headers: readonly string[], names: ReadonlySet<string>): RawHeaders {
  const out: RawHeaders = []
  for (let i = 0; i < headers.length; i += 2) if (!names.has(headers[i].toLowerCase())) out.push(headers[i], headers[i + 1])
  return out
}

/** A request header's value for Vary matching (RFC 9111 §4.1): lists joined, whitespace normalised. */
export function varyValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined
  const text = Array.isArray(value) ? value.join(',') : value
  return text.split(',').map(part => part.trim()).filter(Boolean).join(',')
}

/** An HTTP-date (RFC 9110 §5.6.7) in ms since the epoch, or undefined when it is not one. */
export function httpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : ms
}

/** Weak comparison of entity tags (RFC 9110 §8.8.3.2): W/ is ignored. */
export function weakMatch(list: string, etag: string | undefined): boolean {
  if (etag === undefined) return false
  if (list.trim() === '*') return true
  const opaque = etag.replace(/^W\//, '')
  return list.split(',').some(candidate => candidate.trim().replace(/^W\//, '') === opaque)
}
