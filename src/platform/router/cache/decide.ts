// What to do with a request given the stored response it matches (RFC 9111 §4): serve it
// (fresh, §4.2), serve it stale (max-stale §5.2.1.2, stale-while-revalidate RFC 5861 §3),
// validate it with the dyno (§4.3), or fetch anew.
import type {Directives} from './directives.js'

import {seconds} from './directives.js'
import {hasValidator, type StoredResponse} from './entry.js'
import {alwaysValidate, currentAge, requestWantsValidation, staleForbidden} from './policy.js'

export type Decision =
  | {entry: StoredResponse, kind: 'hit'}
  /** stale, and the client accepts that (max-stale): served as it is */
  | {entry: StoredResponse, kind: 'stale'}
  /** stale within stale-while-revalidate: served, and refreshed in the background */
  | {entry: StoredResponse, kind: 'stale-refresh'}
  /** a conditional request to the dyno with the stored validators */
  | {entry: StoredResponse, kind: 'validate'}
  /** nothing usable stored; `entry` is a stale one kept for stale-if-error */
  | {entry?: StoredResponse, kind: 'miss'}

export interface RequestFacts {
  directives: Directives
  hasCacheControl: boolean
  pragma: string | undefined
}

export function decide(entry: StoredResponse | undefined, request: RequestFacts, now: number): Decision {
  if (!entry) return {kind: 'miss'}
  const cc = request.directives
  const age = currentAge(entry, now)
  const mustAsk = alwaysValidate(entry.directives) || requestWantsValidation(cc, request.pragma, request.hasCacheControl)
  const fallback: Decision = hasValidator(entry) ? {kind: 'validate', entry} : {kind: 'miss', entry}
  if (mustAsk) return fallback
  const left = entry.lifetime - age
  const maxAge = seconds(cc.get('max-age'))
  if (maxAge !== undefined && age > maxAge) return fallback
  if (left > 0) {
    const minFresh = seconds(cc.get('min-fresh'))
    return minFresh !== undefined && left < minFresh ? fallback : {kind: 'hit', entry}
  }

  if (staleForbidden(entry.directives)) return fallback
  const staleness = -left
  const maxStale = cc.get('max-stale')
  if (maxStale === true || (maxStale !== undefined && staleness <= (seconds(maxStale) ?? -1))) return {kind: 'stale', entry}
  const swr = seconds(entry.directives.get('stale-while-revalidate'))
  if (swr !== undefined && staleness <= swr) return {kind: 'stale-refresh', entry}
  return fallback
}

/** RFC 5861 §4: stale-if-error (the response's or the request's) covers this entry's staleness. */
export function servableOnError(entry: StoredResponse | undefined, request: Directives, now: number): boolean {
  if (!entry || staleForbidden(entry.directives)) return false
  const staleness = currentAge(entry, now) - entry.lifetime
  const allowed = Math.max(seconds(entry.directives.get('stale-if-error')) ?? -1, seconds(request.get('stale-if-error')) ?? -1)
  return allowed >= 0 && staleness <= allowed
}
