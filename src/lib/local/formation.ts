// Which processes `heroku local` starts: the chosen types (all but release by default), how
// many of each (web=2), and the PORT each gets.
import {UsageError} from '../errors.js'

export const DEFAULT_PORT = 5006

/** The release phase is the platform's step before a release goes live, never a process to keep running. */
const NEVER_RUN = 'release'

export interface LocalProcess {
  command: string
  /** web.1, web.2, worker.1 */
  name: string
  port: number
  type: string
}

/** `web=2,worker` or several such words → type → count (a type alone counts 1). */
export function parseCounts(words: string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const part of words.flatMap(w => w.split(',')).map(p => p.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9_-]+)(?:=(\d+))?$/.exec(part)
    if (!match) throw new UsageError(`${part} is not a process type or TYPE=COUNT.`, {hint: 'e.g. heroku local web=2,worker=1'})
    counts.set(match[1], match[2] === undefined ? 1 : Number(match[2]))
  }

  return counts
}

export interface FormationOptions {
  /** --concurrency: counts, without choosing types */
  concurrency?: string
  port: number
  /** positional words: types to run, each maybe TYPE=N */
  selected: string[]
  types: Record<string, string>
}

/**
 * The processes to start, web first. Every process gets its own PORT: the base for web.1, then
 * +100 for each further one (web.2 = base+100, as Heroku's local does), so none share a port.
 */
export function planFormation(opts: FormationOptions): LocalProcess[] {
  const selected = parseCounts(opts.selected)
  const counts = new Map(selected.size > 0 ? selected : Object.keys(opts.types).filter(t => t !== NEVER_RUN).map(t => [t, 1]))
  for (const [type, n] of parseCounts(opts.concurrency ? [opts.concurrency] : [])) {
    if (selected.size === 0 || selected.has(type)) counts.set(type, n)
  }

  const known = Object.keys(opts.types).filter(t => t !== NEVER_RUN)
  for (const type of counts.keys()) {
    if (type === NEVER_RUN) throw new UsageError('The release process type is run by the platform before a release goes live, not by heroku local.', {hint: `To run it here once: heroku local:run ${opts.types.release ?? 'COMMAND'}`})
    if (!(type in opts.types)) throw new UsageError(`No process type ${type}.`, {hint: known.length > 0 ? `The app has: ${known.join(', ')}.` : 'Add it to the Procfile.'})
  }

  const order = [...counts.keys()].sort((a, b) => Number(b === 'web') - Number(a === 'web'))
  const processes: LocalProcess[] = []
  for (const type of order) {
    for (let i = 1; i <= counts.get(type)!; i++) {
      processes.push({command: opts.types[type], name: `${type}.${i}`, port: opts.port + 100 * processes.length, type})
    }
  }

  if (processes.length === 0) throw new UsageError('Nothing to run: every process type has a count of 0.')
  return processes
}
