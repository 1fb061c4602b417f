// How a line of a local process is shown: the time, its name padded so the lines align, a
// colour per process (the output layer turns colour off when no person watches).
import type {ChalkInstance} from 'chalk'

const COLOURS = ['cyan', 'yellow', 'green', 'magenta', 'blue', 'red'] as const

/** heroku local's own messages (started, exited, stopping) */
export const SYSTEM = 'system'

export function prefixer(names: string[], color: ChalkInstance, now: () => Date = () => new Date()): (name: string, line: string) => string {
  const width = Math.max(SYSTEM.length, ...names.map(n => n.length))
  const colourOf = new Map(names.map((n, i) => [n, color[COLOURS[i % COLOURS.length]]]))
  return (name, line) => {
    const paint = colourOf.get(name) ?? color.gray
    const time = now().toTimeString().slice(0, 8)
    return paint(`${time} ${name.padEnd(width)} |`) + ` ${line}`
  }
}
