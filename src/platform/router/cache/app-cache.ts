// One app's stored responses: keyed by host and request target (the primary key, RFC 9111 §4),
// each key holding its variants (Vary). Bounded by bytes: the least recently used key goes
// first. Counts what it served, for `heroku cache:stats`.
import {type RequestHeaderSource, type StoredResponse, varyMatches} from './entry.js'

/** variants kept per key: a Vary on a field with many values must not crowd out other URLs */
const MAX_VARIANTS = 16

export type CacheOutcome = 'bypass' | 'hit' | 'miss' | 'revalidated' | 'stale'

export interface CacheStats {
  bypass: number
  bytes: number
  entries: number
  evictions: number
  hits: number
  max_bytes: number
  misses: number
  revalidated: number
  stale: number
}

interface Slot {
  bytes: number
  path: string
  variants: StoredResponse[]
}

export class AppCache {
  /** Map order is recency order: a used key is re-inserted at the end */
  private readonly slots = new Map<string, Slot>()
  private totalBytes = 0
  private entryCount = 0
  private evictions = 0
  private readonly counts: Record<CacheOutcome, number> = {hit: 0, miss: 0, stale: 0, bypass: 0, revalidated: 0}

  constructor(readonly maxBytes: number) {}

  count(outcome: CacheOutcome): void {
    this.counts[outcome]++
  }

  /** The stored variant this request matches, most recent first; marks the key used. */
  lookup(key: string, requestHeader: RequestHeaderSource): StoredResponse | undefined {
    const slot = this.slots.get(key)
    if (!slot) return undefined
    this.slots.delete(key)
    this.slots.set(key, slot)
    for (let i = slot.variants.length - 1; i >= 0; i--) if (varyMatches(slot.variants[i], requestHeader)) return slot.variants[i]
    return undefined
  }

  /** Stores a response, replacing a variant with the same secondary key (§4.1, §3). */
  put(key: string, entry: StoredResponse, requestHeader: RequestHeaderSource): void {
    if (entry.bytes > this.maxBytes) return
    let slot = this.slots.get(key)
    if (slot) {
      this.slots.delete(key)
      const old = slot.variants.findIndex(variant => varyMatches(variant, requestHeader))
      if (old !== -1) this.drop(slot, old)
      if (slot.variants.length >= MAX_VARIANTS) this.drop(slot, 0)
    } else {
      slot = {path: entry.path, variants: [], bytes: 0}
    }

    slot.variants.push(entry)
    slot.bytes += entry.bytes
    this.totalBytes += entry.bytes
    this.entryCount++
    this.slots.set(key, slot)
    this.evict()
  }

  /** A freshened entry's headers changed size. */
  resized(key: string, entry: StoredResponse, before: number): void {
    const slot = this.slots.get(key)
    if (!slot || !slot.variants.includes(entry)) return
    slot.bytes += entry.bytes - before
    this.totalBytes += entry.bytes - before
    this.evict()
  }

  remove(key: string, entry: StoredResponse): void {
    const slot = this.slots.get(key)
    const index = slot ? slot.variants.indexOf(entry) : -1
    if (!slot || index === -1) return
    this.drop(slot, index)
    if (slot.variants.length === 0) this.slots.delete(key)
  }

  /** Drops every variant of a key (an unsafe method's invalidation, §4.4). */
  invalidate(key: string): number {
    const slot = this.slots.get(key)
    if (!slot) return 0
    const n = slot.variants.length
    this.slots.delete(key)
    this.totalBytes -= slot.bytes
    this.entryCount -= n
    return n
  }

  /** Drops every key whose path (without the query, or whole) is one of `paths`; all without. */
  purge(paths?: readonly string[]): number {
    if (paths === undefined) {
      const n = this.entryCount
      this.clear()
      return n
    }

    const wanted = new Set(paths)
    let n = 0
    for (const [key, slot] of this.slots) {
      const query = slot.path.indexOf('?')
      if (wanted.has(slot.path) || (query !== -1 && wanted.has(slot.path.slice(0, query)))) n += this.invalidate(key)
    }

    return n
  }

  clear(): void {
    this.slots.clear()
    this.totalBytes = 0
    this.entryCount = 0
  }

  stats(): CacheStats {
    const c = this.counts
    return {
      hits: c.hit, misses: c.miss, stale: c.stale, revalidated: c.revalidated, bypass: c.bypass,
      entries: this.entryCount, bytes: this.totalBytes, max_bytes: this.maxBytes, evictions: this.evictions,
    }
  }

  private drop(slot: Slot, index: number): void {
    const [gone] = slot.variants.splice(index, 1)
    slot.bytes -= gone.bytes
    this.totalBytes -= gone.bytes
    this.entryCount--
  }

  private evict(): void {
    for (const [key, slot] of this.slots) {
      if (this.totalBytes <= this.maxBytes) return
      this.slots.delete(key)
      this.totalBytes -= slot.bytes
      this.entryCount -= slot.variants.length
      this.evictions += slot.variants.length
    }
  }
}
