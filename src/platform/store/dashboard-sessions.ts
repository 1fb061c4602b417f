// The add-on dashboards' browser sessions and single-use SSO tokens (migration 6). Only hashes of
// the secrets are kept; times are epoch milliseconds (the caller's clock, so tests can move it).
import type {Store} from './database.js'

export interface DashboardSessionRow {
  account_id: string
  /** null: signed in with email and password (all the account's add-ons); else this add-on only */
  addon_id: null | string
  created_at: number
  expires_at: number
  token_hash: string
}

export interface SsoTokenRow {
  account_id: string
  addon_id: string
  created_at: number
  expires_at: number
  token_hash: string
  used_at: null | number
}

export function insertDashboardSession(store: Store, input: {accountId: string, addonId: null | string, expiresAt: number, now: number, tokenHash: string}): void {
  store.run(
    'INSERT INTO dashboard_sessions (token_hash, account_id, addon_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?)',
    input.tokenHash, input.accountId, input.addonId, input.expiresAt, input.now,
  )
}

/** A session that has not expired at `now`. */
export function findLiveDashboardSession(store: Store, tokenHash: string, now: number): DashboardSessionRow | undefined {
  return store.get<DashboardSessionRow>('SELECT * FROM dashboard_sessions WHERE token_hash = ? AND expires_at > ?', tokenHash, now)
}

export function deleteDashboardSession(store: Store, tokenHash: string): void {
  store.run('DELETE FROM dashboard_sessions WHERE token_hash = ?', tokenHash)
}

export function insertSsoToken(store: Store, input: {accountId: string, addonId: string, expiresAt: number, now: number, tokenHash: string}): void {
  store.run(
    'INSERT INTO dashboard_sso_tokens (token_hash, account_id, addon_id, expires_at, used_at, created_at) VALUES (?, ?, ?, ?, NULL, ?)',
    input.tokenHash, input.accountId, input.addonId, input.expiresAt, input.now,
  )
}

export type SsoRedemption = {ok: false, reason: 'expired' | 'unknown' | 'used'} | {ok: true, token: SsoTokenRow}

/**
 * Marks the token used and returns it — at most once, whatever runs concurrently (one UPDATE that
 * only matches an unused token). A token for another add-on is `unknown`.
 */
export function redeemSsoToken(store: Store, tokenHash: string, addonId: string, now: number): SsoRedemption {
  const claimed = store.run('UPDATE dashboard_sso_tokens SET used_at = ? WHERE token_hash = ? AND addon_id = ? AND used_at IS NULL AND expires_at > ?', now, tokenHash, addonId, now)
  const row = store.get<SsoTokenRow>('SELECT * FROM dashboard_sso_tokens WHERE token_hash = ? AND addon_id = ?', tokenHash, addonId)
  if (claimed.changes === 1 && row !== undefined) return {ok: true, token: row}
  if (row === undefined) return {ok: false, reason: 'unknown'}
  return {ok: false, reason: row.used_at === null && row.expires_at <= now ? 'expired' : 'used'}
}

/** Drops expired sessions and tokens (a used token is kept until it expires, to say "used already"). */
export function sweepDashboardSessions(store: Store, now: number): void {
  store.run('DELETE FROM dashboard_sessions WHERE expires_at <= ?', now)
  // kept an hour past expiry, so that a late click still says why it is refused
  store.run('DELETE FROM dashboard_sso_tokens WHERE expires_at <= ?', now - 3_600_000)
}
