// Slows password guessing without handing an attacker the owner's lockout. Failed logins are
// counted per (client, account) and per client; a client that failed too often is refused, and
// other clients can still log in to the same account. (Tokens keep working throughout.)
//
// A per-account cap across all clients stays, as a last line against guessing spread over many
// addresses, but at 20 × maxFailures it lies far above what one client may fail (3 × maxFailures
// over all accounts): locking an owner out takes 7 or more attacking addresses per window, so
// a single attacker cannot. (Clients are told apart by address: on a platform that listens on
// loopback only, every client is 127.0.0.1 and this is a per-account throttle, as before.)
// In memory: a restart only forgives attempts.
import {ApiError} from '../http/errors.js'

export interface LoginThrottleOptions {
  /** failed logins for one account over all clients per window; 20 × maxFailures by default */
  maxAccountFailures?: number
  /** failed logins one client may make over all accounts per window; 3 × maxFailures by default */
  maxClientFailures?: number
  /** failed logins one client may make for one account per window */
  maxFailures: number
  windowMs: number
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {maxFailures: 10, windowMs: 15 * 60 * 1000}

/** Expired entries are swept once this many keys are tracked. */
const SWEEP_AT = 10_000

interface Failures {
  count: number
  since: number
}

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>()
  private readonly limits: {account: number, client: number, pair: number}

  constructor(private readonly options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE, private readonly now: () => number = Date.now) {
    this.limits = {
      pair: options.maxFailures,
      client: options.maxClientFailures ?? 3 * options.maxFailures,
      account: options.maxAccountFailures ?? 20 * options.maxFailures,
    }
  }

  /** Throws 429 when `client` may not try a password for `email` now. `client` is a clientKey(). */
  check(client: string, email: string): void {
    const keys = this.keys(client, email)
    this.refuseAt(keys.pair, this.limits.pair, 'for this account from this client')
    this.refuseAt(keys.client, this.limits.client, 'from this client')
    this.refuseAt(keys.account, this.limits.account, 'for this account')
  }

  recordFailure(client: string, email: string): void {
    if (this.failures.size > SWEEP_AT) this.sweep()
    for (const key of Object.values(this.keys(client, email))) {
      const entry = this.current(key) ?? {count: 0, since: this.now()}
      entry.count++
      this.failures.set(key, entry)
    }
  }

  /**
   * Forgives this client's failures for this account only: an attacker who logs in to an account
   * of their own must not reset the count of their guesses at others.
   */
  recordSuccess(client: string, email: string): void {
    this.failures.delete(this.keys(client, email).pair)
  }

  private keys(client: string, email: string): {account: string, client: string, pair: string} {
    const account = email.toLowerCase()
    // JSON keeps the parts apart whatever characters an email holds
    return {pair: JSON.stringify(['pair', client, account]), client: JSON.stringify(['client', client]), account: JSON.stringify(['account', account])}
  }

  private refuseAt(key: string, limit: number, what: string): void {
    const entry = this.current(key)
    if (entry === undefined || entry.count < limit) return
    const minutes = Math.ceil((entry.since + this.options.windowMs - this.now()) / 60_000)
    throw new ApiError(429, 'rate_limit', `Too many failed logins ${what}; try again in ${minutes} minute(s) or use an API token.`)
  }

  private current(key: string): Failures | undefined {
    const entry = this.failures.get(key)
    if (entry !== undefined && this.now() - entry.since > this.options.windowMs) {
      this.failures.delete(key)
      return undefined
    }

    return entry
  }

  private sweep(): void {
    for (const key of this.failures.keys()) this.current(key)
  }
}

/**
 * Who is guessing, from the connection's remote address: IPv4 as is (IPv4-mapped IPv6 too),
 * IPv6 by its /64, which one machine can fill with addresses at will.
 */
export function clientKey(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined || remoteAddress === '') return 'unknown'
  const address = remoteAddress.toLowerCase().replace(/%.*$/, '')
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address)
  if (mapped) return mapped[1]
  if (!address.includes(':')) return address
  const halves = address.split('::')
  const head = halves[0] === '' ? [] : halves[0].split(':')
  const tail = halves.length < 2 || halves[1] === '' ? [] : halves[1].split(':')
  const groups = halves.length < 2 ? head : [...head, ...Array.from({length: Math.max(0, 8 - head.length - tail.length)}, () => '0'), ...tail]
  return `${groups.slice(0, 4).map(g => Number.parseInt(g, 16).toString(16)).join(':')}::/64`
}
