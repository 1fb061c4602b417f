// Enough MIME (RFC 2045–2047) to show a captured message: its header fields (encoded words
// decoded), its text and HTML bodies (multipart, base64 and quoted-printable, charsets) and the
// names of its attachments. Never throws on malformed input: what cannot be read is shown as is.

export interface ParsedMessage {
  attachments: {filename: null | string, size: number, type: string}[]
  headers: {name: string, value: string}[]
  html: null | string
  text: null | string
}

const MAX_DEPTH = 8

export function parseMessage(raw: Buffer): ParsedMessage {
  const out: ParsedMessage = {headers: [], text: null, html: null, attachments: []}
  const {headers, body} = splitEntity(raw)
  out.headers = headers.map(h => ({name: h.name, value: decodeWords(h.value)}))
  walk(headers, body, out, 0)
  return out
}

interface Field {
  name: string
  value: string
}

function splitEntity(raw: Buffer): {body: Buffer, headers: Field[]} {
  // the header section ends at the first empty line
  let end = -1
  let bodyStart = raw.length
  for (let i = 0; i < raw.length - 1; i++) {
    if (raw[i] === 0x0A && raw[i + 1] === 0x0A) {
      end = i
      bodyStart = i + 2
      break
    }

    if (raw[i] === 0x0A && raw[i + 1] === 0x0D && raw[i + 2] === 0x0A) {
      end = i
      bodyStart = i + 3
      break
    }
  }

  if (raw.length > 0 && (raw[0] === 0x0A || (raw[0] === 0x0D && raw[1] === 0x0A))) {
    end = 0
    bodyStart = raw[0] === 0x0A ? 1 : 2
  }

  const head = raw.subarray(0, end === -1 ? raw.length : end).toString('utf8')
  const headers: Field[] = []
  for (const line of head.replaceAll(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    headers.push({name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim()})
  }

  return {headers, body: end === -1 ? Buffer.alloc(0) : raw.subarray(bodyStart)}
}

const field = (headers: Field[], name: string): string | undefined => headers.find(h => h.name.toLowerCase() === name)?.value

/** "text/html; charset=utf-8; name=x" → {type: "text/html", params: {charset: "utf-8", name: "x"}} */
export function parseParams(value: string | undefined): {params: Record<string, string>, type: string} {
  if (value === undefined) return {type: '', params: {}}
  const [first, ...rest] = value.split(';')
  const params: Record<string, string> = {}
  for (const part of rest) {
    const eq = part.indexOf('=')
    if (eq === -1) continue
    let v = part.slice(eq + 1).trim()
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replaceAll(/\\(.)/g, '$1')
    params[part.slice(0, eq).trim().toLowerCase().replace(/\*$/, '')] = v
  }

  return {type: first.trim().toLowerCase(), params}
}

function walk(headers: Field[], body: Buffer, out: ParsedMessage, depth: number): void {
  const {type: declared, params} = parseParams(field(headers, 'content-type'))
  const type = declared || 'text/plain'
  const disposition = parseParams(field(headers, 'content-disposition'))
  if (type.startsWith('multipart/') && params.boundary && depth < MAX_DEPTH) {
    for (const part of splitMultipart(body, params.boundary)) {
      const entity = splitEntity(part)
      walk(entity.headers, entity.body, out, depth + 1)
    }

    return
  }

  const decoded = decodeBody(body, field(headers, 'content-transfer-encoding'))
  const attachment = disposition.type === 'attachment'
  if (!attachment && type === 'text/plain' && out.text === null) {
    out.text = decodeCharset(decoded, params.charset)
  } else if (!attachment && type === 'text/html' && out.html === null) {
    out.html = decodeCharset(decoded, params.charset)
  } else if (type === 'message/rfc822' && !attachment && depth < MAX_DEPTH) {
    out.attachments.push({filename: null, type, size: decoded.length})
  } else {
    const filename = disposition.params.filename ?? params.name ?? null
    out.attachments.push({filename: filename === null ? null : decodeWords(filename), type, size: decoded.length})
  }
}

function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1')
  const delimiter = `--${boundary}`
  const parts: Buffer[] = []
  let at = text.indexOf(delimiter)
  while (at !== -1) {
    const afterDelimiter = at + delimiter.length
    if (text.startsWith('--', afterDelimiter)) break
    const lineEnd = text.indexOf('\n', afterDelimiter)
    if (lineEnd === -1) break
    const next = text.indexOf(`\n${delimiter}`, lineEnd)
    const end = next === -1 ? text.length : (text[next - 1] === '\r' ? next - 1 : next)
    parts.push(Buffer.from(text.slice(lineEnd + 1, end), 'latin1'))
    at = next === -1 ? -1 : next + 1
  }

  return parts
}

function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'base64': {return Buffer.from(body.toString('latin1').replaceAll(/[^A-Za-z0-9+/=]/g, ''), 'base64')
    }

    case 'quoted-printable': {return decodeQuotedPrintable(body.toString('latin1'))
    }

    default: {return body
    }
  }
}

function decodeQuotedPrintable(text: string): Buffer {
  const joined = text.replaceAll(/=\r?\n/g, '')
  const bytes: number[] = []
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i]
    if (c === '=' && /^[0-9a-f]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(joined.slice(i + 1, i + 3), 16))
      i += 2
    } else {
      bytes.push(c.codePointAt(0)! & 0xFF)
    }
  }

  return Buffer.from(bytes)
}

function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  const name = (charset ?? 'utf8').trim().toLowerCase()
  try {
    return new TextDecoder(name === 'us-ascii' ? 'utf8' : name).decode(bytes)
  } catch {
    return new TextDecoder('utf8').decode(bytes)
  }
}

/** RFC 2047 encoded words (=?utf-8?B?…?= / =?…?Q?…?=), adjacent ones joined. */
export function decodeWords(value: string): string {
  return value
    .replaceAll(/(=\?[^?]+\?[bq]\?[^?]*\?=)\s+(?==\?)/gi, '$1')
    .replaceAll(/=\?([^?*]+)(?:\*[^?]*)?\?([bq])\?([^?]*)\?=/gi, (word, charset: string, encoding: string, text: string) => {
      const bytes = encoding.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64')
        : decodeQuotedPrintable(text.replaceAll('_', ' '))
      try {
        return new TextDecoder(charset.toLowerCase()).decode(bytes)
      } catch {
        return word
      }
    })
}
