// RFC 9111's rules for a shared cache: may a response be stored (§3), how long it is fresh
// (§4.2.1, heuristics §4.2.2), how old it is (§4.2.3), and when a stale one may be served
// (§4.2.4, RFC 5861). Pure functions of headers and clocks; the router applies them.
import {type Directives, fieldNames, seconds} from './directives.js'
import {field, httpDate, type RawHeaders} from './headers.js'

/** Statuses whose responses are reusable when nothing says otherwise (RFC 9110 §15.1). */
const HEURISTIC_STATUS = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501])
/** Statuses this cache stores at all: final, understood, and a complete representation. */
const STORABLE_STATUS = new Set([200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 501])
/** §4.2.2: a heuristic lifetime is a fraction of the time since Last-Modified, capped */
const HEURISTIC_FRACTION = 0.1
const HEURISTIC_MAX_S = 24 * 3600

export interface ResponseFacts {
  directives: Directives
  headers: RawHeaders
  status: number
}

/**
 * §3: may a shared cache store this response to a GET? Beyond the RFC's musts, this cache stores
 * only what the app marked cacheable: explicit freshness (s-maxage, max-age, Expires), `public`,
 * or a validator with `no-cache`/`must-revalidate`/Last-Modified — a response with no caching
 * headers (an ETag alone included) is never stored, so such an app behaves as without a cache.
 * Error statuses need an explicit freshness or `public`. Set-Cookie is never stored.
 */
export function storable(response: ResponseFacts, request: Directives, authorized: boolean): boolean {
  const {status, headers, directives: cc} = response
  if (!STORABLE_STATUS.has(status)) return false
  // §5.2.2.3: must-understand overrides no-store for a status the cache implements (all it stores)
  if ((cc.has('no-store') && !cc.has('must-understand')) || request.has('no-store')) return false
  // a shared cache: unqualified private means the whole response is for one user; a qualified
  // one (and no-cache="…") names fields that are dropped from what is stored (entry.ts)
  if (cc.get('private') === true) return false
  if (field(headers, 'set-cookie') !== undefined && !droppedField(cc, 'set-cookie')) return false
  if (field(headers, 'vary')?.split(',').some(name => name.trim() === '*')) return false
  // §3.5: a response to a request with Authorization only with one of these
  if (authorized && !cc.has('public') && !cc.has('s-maxage') && !cc.has('must-revalidate')) return false
  const explicit = cc.has('s-maxage') || cc.has('max-age') || field(headers, 'expires') !== undefined
  if (status >= 400) return explicit || cc.has('public')
  if (explicit || cc.has('public')) return true
  const validator = field(headers, 'etag') !== undefined || field(headers, 'last-modified') !== undefined
  if (cc.has('no-cache') || cc.has('must-revalidate')) return validator
  return field(headers, 'last-modified') !== undefined && HEURISTIC_STATUS.has(status)
}

/** §4.2.1: s-maxage, then max-age, then Expires − Date, then a heuristic (§4.2.2); seconds. */
export function freshnessLifetime(response: ResponseFacts, date: number): number {
  const {status, headers, directives: cc} = response
  const shared = seconds(cc.get('s-maxage'))
  if (shared !== undefined) return shared
  const maxAge = seconds(cc.get('max-age'))
  if (maxAge !== undefined) return maxAge
  // a malformed max-age/s-maxage makes the response stale rather than falling through
  if (cc.has('max-age') || cc.has('s-maxage')) return 0
  const expiresField = field(headers, 'expires')
  if (expiresField !== undefined) {
    // §5.3: an invalid Expires ("0") means already expired
    const expires = httpDate(expiresField)
    return expires === undefined ? 0 : Math.max(0, Math.floor((expires - date) / 1000))
  }

  // heuristics only without an explicit no-cache, and only from Last-Modified (a validator)
  if (cc.has('no-cache') || !(HEURISTIC_STATUS.has(status) || cc.has('public'))) return 0
  const lastModified = httpDate(field(headers, 'last-modified'))
  if (lastModified === undefined || lastModified >= date) return 0
  return Math.min(HEURISTIC_MAX_S, Math.floor((date - lastModified) / 1000 * HEURISTIC_FRACTION))
}

export interface AgeClock {
  /** the Age field the dyno sent, seconds */
  ageValue: number
  /** Date of the response, ms */
  date: number
  /** when the request that produced it was sent, and its response received, ms */
  requestTime: number
  responseTime: number
}

/** §4.2.3 current_age, in whole seconds. */
export function currentAge(clock: AgeClock, now: number): number {
  const apparentAge = Math.max(0, clock.responseTime - clock.date) / 1000
  const responseDelay = (clock.responseTime - clock.requestTime) / 1000
  const correctedAgeValue = clock.ageValue + responseDelay
  const correctedInitialAge = Math.max(apparentAge, correctedAgeValue)
  const residentTime = (now - clock.responseTime) / 1000
  return Math.floor(correctedInitialAge + residentTime)
}

/** §4.2.4: a directive that forbids serving this response stale, whatever the client allows. */
export function staleForbidden(cc: Directives): boolean {
  return cc.has('must-revalidate') || cc.has('proxy-revalidate') || cc.has('s-maxage') || cc.has('no-cache')
}

/** `no-cache` (unqualified) in a response: every reuse is validated first (§5.2.2.4). */
export function alwaysValidate(cc: Directives): boolean {
  return cc.get('no-cache') === true
}

/** The Age field's value (§5.1): a non-negative integer, anything else ignored. */
export function ageField(headers: RawHeaders): number {
  const value = field(headers, 'age')
  const first = value?.split(',')[0].trim()
  return first !== undefined && /^\d+$/.test(first) ? Number(first) : 0
}

/** A request the cache must not answer from storage without asking the dyno (§5.2.1.4, §5.4). */
export function requestWantsValidation(request: Directives, pragma: string | undefined, hasCacheControl: boolean): boolean {
  if (request.has('no-cache')) return true
  if (seconds(request.get('max-age')) === 0) return true
  return !hasCacheControl && pragma !== undefined && /(^|,)\s*no-cache\s*(,|$)/i.test(pragma)
}

/** A field private="…" or no-cache="…" names: never stored, so it cannot leak to another user. */
function droppedField(cc: Directives, name: string): boolean {
  return fieldNames(cc.get('private')).includes(name) || fieldNames(cc.get('no-cache')).includes(name)
}
