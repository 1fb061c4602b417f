import {UserError} from '../errors.js'

/** The parts of a redis:// or rediss:// URL. */
export interface RedisParams {
  db?: number
  host: string
  password?: string
  port: number
  tls: boolean
  user?: string
}

export function parseRedisUrl(url: string): RedisParams {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new UserError('The Redis URL in the app\'s config is not a valid URL.')
  }

  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new UserError(`The Redis URL has the scheme ${parsed.protocol}, not redis: or rediss:.`)
  const db = parsed.pathname.replace(/^\//, '')
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(parsed.port || 6379),
    user: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: /^\d+$/.test(db) ? Number(db) : undefined,
    tls: parsed.protocol === 'rediss:',
  }
}

type Reply = Error | null | number | Reply[] | string

/**
 * A few commands over one connection, speaking RESP directly (no client library: redis:info needs
 * AUTH and INFO only). Replies in order; an error reply comes back as an Error value.
 */
export async function redisCommands(params: RedisParams, commands: string[][], timeoutMs = 10_000): Promise<Reply[]> {
  const net = await import('node:net')
  const tls = await import('node:tls')
  return new Promise((resolve, reject) => {
    const socket = params.tls
      // Heroku's Redis presents a self-signed certificate (its docs say to skip verification)
      ? tls.connect({host: params.host, port: params.port, rejectUnauthorized: false, servername: params.host})
      : net.connect({host: params.host, port: params.port})
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new UserError(`Redis at ${params.host}:${params.port} did not answer within ${timeoutMs / 1000} s.`))
    }, timeoutMs)
    let buffer = Buffer.alloc(0)
    const replies: Reply[] = []
    socket.on(params.tls ? 'secureConnect' : 'connect', () => {
      socket.write(commands.map(c => encode(c)).join(''))
    })
    socket.on('data', chunk => {
      buffer = Buffer.concat([buffer, chunk])
      for (;;) {
        const parsed = parse(buffer, 0)
        if (parsed === undefined) break
        replies.push(parsed.value)
        buffer = buffer.subarray(parsed.end)
      }

      if (replies.length >= commands.length) {
        clearTimeout(timer)
        socket.end()
        resolve(replies)
      }
    })
    socket.on('error', error => {
      clearTimeout(timer)
      reject(new UserError(`Could not connect to Redis at ${params.host}:${params.port}: ${error.message}`, {cause: error, hint: 'Check that the add-on is provisioned and that the platform is running.'}))
    })
  })
}

function encode(args: string[]): string {
  return `*${args.length}\r\n${args.map(a => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`
}

function parse(buf: Buffer, at: number): undefined | {end: number, value: Reply} {
  const lineEnd = buf.indexOf('\r\n', at)
  if (lineEnd === -1) return undefined
  const type = String.fromCodePoint(buf[at])
  const line = buf.toString('utf8', at + 1, lineEnd)
  switch (type) {
    case '+': {
      return {value: line, end: lineEnd + 2}
    }

    case '-': {
      return {value: new Error(line), end: lineEnd + 2}
    }

    case ':': {
      return {value: Number(line), end: lineEnd + 2}
    }

    case '$': {
      const length = Number(line)
      if (length < 0) return {value: null, end: lineEnd + 2}
      if (buf.length < lineEnd + 2 + length + 2) return undefined
      return {value: buf.toString('utf8', lineEnd + 2, lineEnd + 2 + length), end: lineEnd + 2 + length + 2}
    }

    case '*': {
      const count = Number(line)
      if (count < 0) return {value: null, end: lineEnd + 2}
      const items: Reply[] = []
      let end = lineEnd + 2
      for (let i = 0; i < count; i++) {
        const item = parse(buf, end)
        if (item === undefined) return undefined
        items.push(item.value)
        end = item.end
      }

      return {value: items, end}
    }

    default: {
      throw new UserError(`Unexpected reply from Redis: ${JSON.stringify(line.slice(0, 40))}`)
    }
  }
}

/** INFO's text as sections of key → value. */
export function parseInfo(text: string): Record<string, string> {
  const info: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue
    const at = line.indexOf(':')
    if (at > 0) info[line.slice(0, at)] = line.slice(at + 1)
  }

  return info
}
