// Range-header pagination as Heroku does it:
//   Range: name ..; max=10            first page, ascending by name
//   Range: version ..; order=desc,max=1
//   Next-Range: ]last-value..; max=10 (exclusive start) on a 206 while more remain
import {badRequest} from './errors.js'

export const MAX_PAGE_SIZE = 1000

export type SortOrder = 'asc' | 'desc'

export interface RangeRequest {
  end: null | string
  field: string
  max: number
  order: SortOrder
  start: null | string
  startExclusive: boolean
}

export interface PageOptions {
  /** fields a client may range on, the first one is the default */
  fields: readonly string[]
  /** fields compared as integers (release versions) */
  numericFields?: readonly string[]
}

export interface Page<T> {
  headers: Record<string, string>
  items: T[]
  status: 200 | 206
}

// Bounds may contain dots (hostnames) but never "..", so the first ".." separates them.
const RANGE = /^\s*([a-z_]+)\s+(\]?)([^;\s]*?)\.\.([^;\s]*)\s*(?:;\s*(.*))?$/

export function parseRange(header: string | undefined, options: PageOptions): RangeRequest {
  const defaults: RangeRequest = {field: options.fields[0], start: null, startExclusive: false, end: null, max: MAX_PAGE_SIZE, order: 'asc'}
  if (header === undefined || header.trim() === '') return defaults
  const match = RANGE.exec(header)
  if (!match) throw badRequest(`Invalid Range header: expected e.g. "${options.fields[0]} ..; max=100, order=desc".`)
  const [, field, exclusive, start, end, rest] = match
  if (!options.fields.includes(field)) {
    throw badRequest(`Invalid Range header: cannot range on ${field}, only on ${options.fields.join(', ')}.`)
  }

  const range: RangeRequest = {...defaults, field, start: start === '' ? null : start, startExclusive: exclusive === ']', end: end === '' ? null : end}
  const numeric = options.numericFields?.includes(field) ?? false
  if (numeric && ((range.start !== null && !/^\d+$/.test(range.start)) || (range.end !== null && !/^\d+$/.test(range.end)))) {
    throw badRequest(`Invalid Range header: ${field} bounds must be integers.`)
  }

  for (const option of (rest ?? '').split(/[,;]/).map(s => s.trim()).filter(Boolean)) {
    const [key, value] = option.split('=').map(s => s.trim())
    if (key === 'max' && /^\d{1,7}$/.test(value ?? '') && Number(value) >= 1) {
      range.max = Math.min(Number(value), MAX_PAGE_SIZE)
    } else if (key === 'order' && (value === 'asc' || value === 'desc')) {
      range.order = value
    } else {
      throw badRequest(`Invalid Range header option "${option}": use max=1..${MAX_PAGE_SIZE} and order=asc|desc.`)
    }
  }

  return range
}

type Comparable = number | string

function keyOf(item: object, field: string, numeric: boolean): Comparable {
  const value = (item as Record<string, unknown>)[field]
  return numeric ? Number(value) : String(value)
}

/** Sorts, filters and slices a complete list according to the Range header. */
export function paginate<T extends object>(all: readonly T[], header: string | undefined, options: PageOptions): Page<T> {
  const range = parseRange(header, options)
  const numeric = options.numericFields?.includes(range.field) ?? false
  const bound = (value: null | string): Comparable | null => (value === null ? null : (numeric ? Number(value) : value))
  const start = bound(range.start)
  const end = bound(range.end)
  const direction = range.order === 'asc' ? 1 : -1
  const cmp = (a: Comparable, b: Comparable): number => (a < b ? -1 : (a > b ? 1 : 0)) * direction
  const keyed = all.map(item => ({item, key: keyOf(item, range.field, numeric)})).sort((a, b) => cmp(a.key, b.key))
  const inRange = keyed.filter(({key}) => {
    if (start !== null) {
      const c = cmp(key, start)
      if (c < 0 || (c === 0 && range.startExclusive)) return false
    }

    return end === null || cmp(key, end) <= 0
  })
  const page = inRange.slice(0, range.max)
  const headers: Record<string, string> = {'Accept-Ranges': options.fields.join(', ')}
  if (page.length > 0) headers['Content-Range'] = `${range.field} ${page[0].key}..${page.at(-1)!.key}; max=${range.max}`
  const more = inRange.length > page.length
  if (more) {
    const last = page.at(-1)!.key
    headers['Next-Range'] = `${range.field} ]${last}..${range.end ?? ''}; max=${range.max}${range.order === 'desc' ? ', order=desc' : ''}`
  }

  return {items: page.map(p => p.item), status: more ? 206 : 200, headers}
}
