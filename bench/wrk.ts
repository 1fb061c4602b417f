// One wrk run (Debian's wrk: apt-get install wrk), parsed: requests per second, latency
// percentiles and what went wrong. Shared by the router and cache benchmarks.
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

const run = promisify(execFile)

export interface WrkResult {
  /** socket errors and non-2xx/3xx counts, as wrk words them; '' when none */
  errors: string
  p50: number
  p99: number
  rps: number
}

/** wrk's 1.23ms / 450.00us / 1.02s → milliseconds */
function ms(text: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text)
  if (!m) return Number.NaN
  const n = Number(m[1])
  return m[2] === 'us' ? n / 1000 : (m[2] === 's' ? n * 1000 : n)
}

export async function wrk(url: string, connections: number, seconds: number, host?: string): Promise<WrkResult> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...(host ? ['-H', `Host: ${host}`] : []), url]
  const {stdout} = await run('wrk', args, {maxBuffer: 10 * 1024 * 1024})
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]),
    p50: ms(/\s50%\s+(\S+)/.exec(stdout)?.[1] ?? ''),
    p99: ms(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? ''),
    errors: [/Socket errors:.*/.exec(stdout)?.[0], /Non-2xx or 3xx responses: \d+/.exec(stdout)?.[0]].filter(Boolean).join('; '),
  }
}
