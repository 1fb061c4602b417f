// Reads a JSON request body with a size cap; malformed input is a 4xx, never a crash.
import type {IncomingMessage} from 'node:http'

import {ApiError, badRequest, invalidParams} from './errors.js'

export const MAX_BODY_BYTES = 256 * 1024

export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw tooLarge(limit)
    chunks.push(chunk)
  }

  if (size === 0) return undefined
  const contentType = req.headers['content-type']
  if (contentType !== undefined && !/^application\/(?:[\w.+-]*\+)?json\b/i.test(contentType)) {
    throw badRequest(`Request bodies must be JSON (Content-Type: application/json), not ${contentType}.`)
  }

  const text = Buffer.concat(chunks).toString('utf8')
  try {
    return JSON.parse(text)
  } catch {
    throw badRequest('Request body is not valid JSON.')
  }
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'request_too_large', `Request body exceeds ${limit} bytes.`)
}

// --- typed field checks for request bodies --------------------------------------------
// Each endpoint declares the fields it reads, each with its check: a malformed value is a 422
// naming the field. As on Heroku, what a client sends beyond those is ignored (clients send more
// than the schema lists: the official CLI's addons:create sends "attachment": {} and "config").
// Liberal where Heroku is: an identity is a string or {"id"}/{"name"}; a quantity may be a
// numeric string.

export type FieldCheck<T> = (value: unknown, field: string) => T

export type BodySpec = Record<string, FieldCheck<unknown>>

export type BodyOf<S extends BodySpec> = {[K in keyof S]?: ReturnType<S[K]>}

export function parseBody<S extends BodySpec>(raw: unknown, spec: S, required: readonly (keyof S & string)[] = []): BodyOf<S> {
  const body = raw === undefined ? {} : raw
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidParams('Request body must be a JSON object.')
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(body)) {
    const check = Object.hasOwn(spec, key) ? spec[key] : undefined
    if (check !== undefined) result[key] = check(value, key)
  }

  for (const key of required) {
    if (result[key] === undefined || result[key] === null) throw invalidParams(`Missing required field "${key}".`)
  }

  return result as BodyOf<S>
}

export const isString: FieldCheck<string> = (value, field) => {
  if (typeof value !== 'string') throw invalidParams(`"${field}" must be a string.`)
  return value
}

/**
 * An identity of something the schema names (an app, add-on, plan, region, stack …): its id or
 * name as a string, or an object carrying one ({"id": …} or {"name": …}, as Heroku accepts).
 */
export const isIdentity: FieldCheck<string> = (value, field) => {
  if (typeof value === 'string') return value
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const {id, name} = value as {id?: unknown, name?: unknown}
    if (typeof id === 'string' && id !== '') return id
    if (typeof name === 'string' && name !== '') return name
  }

  throw invalidParams(`"${field}" must be an id or a name: a string, or an object with "id" or "name".`)
}

export const isNullableString: FieldCheck<null | string> = (value, field) => (value === null ? null : isString(value, field))

/** A name or a one-line label (account name, description, version). */
export const MAX_LABEL_LENGTH = 256
/** Longer prose (a commit message). */
export const MAX_PROSE_LENGTH = 4096

/**
 * Refuses what would be stored and then break something downstream: a NUL byte (no C string,
 * process argument or environment can carry one) or text longer than `maxLength`.
 * `what` names the text in the message, e.g. `"name"` or `Config var FOO`.
 */
export function assertText(text: string, what: string, maxLength: number): string {
  if (text.includes('\0')) throw invalidParams(`${what} must not contain a NUL byte (\\u0000).`)
  if (text.length > maxLength) throw invalidParams(`${what} is too long: ${text.length} characters, at most ${maxLength}.`)
  return text
}

/** A free-text string field: no NUL, at most `maxLength` characters. */
export function isText(maxLength: number): FieldCheck<string> {
  return (value, field) => assertText(isString(value, field), `"${field}"`, maxLength)
}

export const isBoolean: FieldCheck<boolean> = (value, field) => {
  if (typeof value !== 'boolean') throw invalidParams(`"${field}" must be true or false.`)
  return value
}

export function isInteger(min: number, max: number): FieldCheck<number> {
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw invalidParams(`"${field}" must be an integer from ${min} to ${max}.`)
    }

    return value
  }
}

/** An integer quantity, also as a string of digits ("2"), as Heroku accepts for quantities. */
export function isQuantity(min: number, max: number): FieldCheck<number> {
  const integer = isInteger(min, max)
  return (value, field) => integer(typeof value === 'string' && /^\s*\d{1,9}\s*$/.test(value) ? Number(value) : value, field)
}

export function isNullable<T>(check: FieldCheck<T>): FieldCheck<null | T> {
  return (value, field) => (value === null ? null : check(value, field))
}

export function isStringArray(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.every(v => typeof v === 'string')) throw invalidParams(`"${field}" must be an array of strings.`)
  return value as string[]
}

export function isObject<S extends BodySpec>(spec: S, required: readonly (keyof S & string)[] = []): FieldCheck<BodyOf<S>> {
  return (value, field) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParams(`"${field}" must be an object.`)
    try {
      return parseBody(value, spec, required)
    } catch (error) {
      if (error instanceof ApiError) throw invalidParams(`In "${field}": ${error.message}`)
      throw error
    }
  }
}

/** A free-form string map, e.g. add-on `config`. */
export function isStringMap(value: unknown, field: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParams(`"${field}" must be an object of strings.`)
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalidParams(`"${field}.${k}" must be a string.`)
  }

  return value as Record<string, string>
}
