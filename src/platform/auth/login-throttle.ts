// Slows password guessing: after too many failed logins for one email, password logins for it
// are refused for a while (tokens keep working). In memory: a restart only forgives attempts.
import {ApiError} from '../http/errors.js'

export interface LoginThrottleOptions {
  maxFailures: number
  windowMs: number
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {maxFailures: 10, windowMs: 15 * 60 * 1000}

export class LoginThrottle {
  private readonly failures = new Map<string, {count: number, since: number}>()

  constructor(private readonly options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE, private readonly now: () => number = Date.now) {}

  /** Throws 429 when `email` has used up its failed attempts. */
  check(email: string): void {
    const entry = this.current(email)
    if (entry !== undefined && entry.count >= this.options.maxFailures) {
      const minutes = Math.ceil((entry.since + this.options.windowMs - this.now()) / 60_000)
      throw new ApiError(429, 'rate_limit', `Too many failed logins for this account; try again in ${minutes} minute(s) or use an API token.`)
    }
  }

  recordFailure(email: string): void {
    const entry = this.current(email) ?? {count: 0, since: this.now()}
    entry.count++
    this.failures.set(email.toLowerCase(), entry)
  }

  recordSuccess(email: string): void {
    this.failures.delete(email.toLowerCase())
  }

  private current(email: string): {count: number, since: number} | undefined {
    const entry = this.failures.get(email.toLowerCase())
    if (entry !== undefined && this.now() - entry.since > this.options.windowMs) {
      this.failures.delete(email.toLowerCase())
      return undefined
    }
    return entry
  }
}
