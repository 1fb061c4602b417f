import type {ChalkInstance} from 'chalk'

export interface LogLine {
  /** `web.1`, `router`, … */
  dyno?: string
  /** the whole line as the platform sent it */
  line: string
  message?: string
  /** `app`, `heroku`, … */
  source?: string
  timestamp?: string
}

const LINE = /^(\S+) ([\w-]+)\[([^\]]+)\]: ?(.*)$/s

/** `2024-05-01T12:00:00.000000+00:00 app[web.1]: hello` → its parts; other lines keep only `line`. */
export function parseLogLine(line: string): LogLine {
  const match = LINE.exec(line)
  if (!match) return {line}
  return {dyno: match[3], line, message: match[4], source: match[2], timestamp: match[1]}
}

const PALETTE = ['cyan', 'magenta', 'green', 'yellow', 'blue', 'redBright', 'cyanBright', 'magentaBright'] as const

/** The `source[dyno]:` part coloured, one stable colour a dyno (no-op when colour is off). */
export function colourLogLine(line: string, color: ChalkInstance): string {
  const parsed = parseLogLine(line)
  if (!parsed.source) return line
  const key = parsed.source === 'app' ? (parsed.dyno ?? '') : parsed.source
  let hash = 0
  for (const ch of key) hash = ((hash * 31) + ch.codePointAt(0)!) >>> 0
  const paint = color[PALETTE[hash % PALETTE.length]]
  return `${color.dim(parsed.timestamp)} ${paint(`${parsed.source}[${parsed.dyno}]:`)} ${parsed.message}`
}
