// Identifiers: random v4 uuids for records, name-based uuids for things derived from names
// (catalog entries, dynos) so they stay the same across restarts.
import {createHash, randomUUID} from 'node:crypto'

export const newId = (): string => randomUUID()

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const isUuid = (value: string): boolean => UUID.test(value)

/** A stable uuid (v5 layout, sha1) for a name within a namespace. */
export function nameBasedId(namespace: string, name: string): string {
  const hash = createHash('sha1').update(`${namespace}\0${name}`).digest()
  hash[6] = (hash[6] & 0x0F) | 0x50
  hash[8] = (hash[8] & 0x3F) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export const nowIso = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
