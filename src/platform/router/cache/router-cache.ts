// The router's HTTP cache: one AppCache per app, the fills in flight (request coalescing), and
// the keys found uncacheable (they skip coalescing: their requests go to the dynos at once).
// Emptied for an app on each new release (its code or config changed) and when it is deleted.
import {AppCache, type CacheStats} from './app-cache.js'

export interface CacheLimits {
  /** bytes of stored responses per app (least recently used go first) */
  maxBytesPerApp: number
  /** a response larger than this is streamed to its client, never stored */
  maxObjectBytes: number
}

export const DEFAULT_LIMITS: CacheLimits = {maxBytesPerApp: 64 * 1024 * 1024, maxObjectBytes: 1024 * 1024}

/** how long a key that gave an uncacheable response skips coalescing (Varnish's hit-for-pass) */
const PASS_MS = 120_000

/** A fill in flight: the requests waiting for it, woken with whether to look the key up again. */
export interface Fill {
  waiters: ((stored: boolean) => void)[]
}

/**
 * The platform's router cache by the platform's store: the API (cache:stats, cache:purge) and
 * the router are built from the same store, and this is how the API finds the router's cache.
 */
const byStore = new WeakMap<object, RouterCache>()

export function registerCache(store: object, cache: RouterCache): () => void {
  byStore.set(store, cache)
  return () => {
    if (byStore.get(store) === cache) byStore.delete(store)
  }
}

export function cacheOf(store: object): RouterCache | undefined {
  return byStore.get(store)
}

export class RouterCache {
  private readonly apps = new Map<string, AppCache>()
  private readonly fills = new Map<string, Fill>()
  private readonly passes = new Map<string, number>()
  /** apps whose dynos are moving to a new release */
  private readonly switching = new Set<string>()

  constructor(readonly limits: CacheLimits = DEFAULT_LIMITS) {}

  app(appId: string): AppCache {
    let cache = this.apps.get(appId)
    if (!cache) {
      cache = new AppCache(this.limits.maxBytesPerApp)
      this.apps.set(appId, cache)
    }

    return cache
  }

  stats(appId: string): CacheStats {
    return this.app(appId).stats()
  }

  /** Drops the app's stored responses, or those for the given paths; how many went. */
  purge(appId: string, paths?: readonly string[]): number {
    return this.apps.get(appId)?.purge(paths) ?? 0
  }

  /**
   * A new release went live: nothing stored may outlive the code and config that produced it.
   * Until its dynos have taken over (preboot: the old ones serve meanwhile) nothing is stored.
   */
  released(appId: string): void {
    this.forgetApp(appId)
    this.switching.add(appId)
  }

  /** Storing waits while the app's dynos move to a new release (see `released`). */
  storing(appId: string, dynosSettled: () => boolean): boolean {
    if (!this.switching.has(appId)) return true
    if (!dynosSettled()) return false
    this.switching.delete(appId)
    return true
  }

  appDeleted(appId: string): void {
    this.forgetApp(appId)
    this.switching.delete(appId)
    this.apps.delete(appId)
  }

  private forgetApp(appId: string): void {
    this.apps.get(appId)?.clear()
    const prefix = `${appId}\n`
    for (const key of this.passes.keys()) if (key.startsWith(prefix)) this.passes.delete(key)
  }

  /** The fill in flight for a key, or a new one the caller leads (undefined then). */
  join(fillKey: string): Fill | undefined {
    return this.fills.get(fillKey)
  }

  lead(fillKey: string): Fill {
    const fill: Fill = {waiters: []}
    this.fills.set(fillKey, fill)
    return fill
  }

  /** The leader's response is stored (waiters look again) or is not (they go to a dyno). */
  settle(fillKey: string, fill: Fill, stored: boolean): void {
    if (this.fills.get(fillKey) === fill) this.fills.delete(fillKey)
    for (const wake of fill.waiters.splice(0)) wake(stored)
  }

  markPass(fillKey: string): void {
    if (this.passes.size > 100_000) this.passes.clear()
    this.passes.set(fillKey, Date.now() + PASS_MS)
  }

  isPass(fillKey: string): boolean {
    const until = this.passes.get(fillKey)
    if (until === undefined) return false
    if (until > Date.now()) return true
    this.passes.delete(fillKey)
    return false
  }

  clearPass(fillKey: string): void {
    this.passes.delete(fillKey)
  }
}
