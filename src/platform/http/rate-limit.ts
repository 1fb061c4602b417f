// Per-token request budget, refilled continuously like Heroku's (4500 requests per hour by
// default). Kept in memory on purpose: a restart forgiving a spent budget harms nobody.
export interface RateLimitOptions {
  /** requests allowed in a full bucket */
  budget: number
  /** how long an empty bucket takes to refill completely */
  refillMs: number
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = {budget: 4500, refillMs: 60 * 60 * 1000}

interface Bucket {
  tokens: number
  updatedAt: number
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly refillPerMs: number

  constructor(private readonly options: RateLimitOptions = DEFAULT_RATE_LIMIT, private readonly now: () => number = Date.now) {
    this.refillPerMs = options.budget / options.refillMs
  }

  /** Spends one request from `key`'s budget; returns whether it was allowed and what remains. */
  take(key: string): {allowed: boolean, remaining: number} {
    const now = this.now()
    const bucket = this.buckets.get(key) ?? {tokens: this.options.budget, updatedAt: now}
    bucket.tokens = Math.min(this.options.budget, bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs)
    bucket.updatedAt = now
    this.buckets.set(key, bucket)
    if (bucket.tokens < 1) return {allowed: false, remaining: 0}
    bucket.tokens -= 1
    return {allowed: true, remaining: Math.floor(bucket.tokens)}
  }
}
