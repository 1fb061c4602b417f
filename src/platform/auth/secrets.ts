// Passwords (scrypt, timing-safe compare) and API tokens (256 random bits, stored as sha256).
import {createHash, randomBytes, scrypt, timingSafeEqual} from 'node:crypto'
import {promisify} from 'node:util'

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: {maxmem: number, N: number, p: number, r: number}) => Promise<Buffer>

const SCRYPT = {N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024}
const KEY_LENGTH = 32

/** Encoded as scrypt$N$r$p$salt$key so the cost can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(password, salt, KEY_LENGTH, SCRYPT)
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$')
}

// Compared against when the account does not exist, so that an unknown email costs as much
// time as a wrong password and does not reveal which emails have accounts.
const DECOY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_LENGTH).toString('base64')}`

export async function verifyPassword(password: string, encoded: string | undefined): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = (encoded ?? DECOY_HASH).split('$')
  if (scheme !== 'scrypt' || !salt || !key) return false
  const expected = Buffer.from(key, 'base64')
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem})
  return timingSafeEqual(actual, expected) && encoded !== undefined
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url')
}

export const TOKEN_PREFIX = 'HRKU-'

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url')
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** A secret that is only ever compared by hash (log-session and build-output URLs). */
export function generateUrlSecret(): string {
  return randomBytes(24).toString('base64url')
}
