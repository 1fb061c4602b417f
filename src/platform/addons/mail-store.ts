// The messages the sendgrid add-on captured, on disk, one mailbox per add-on:
//   DIR/mailboxes/<addonId>/index.json          what is kept (oldest first), dropped count, today's count
//   DIR/mailboxes/<addonId>/messages/<id>.eml   each message as received (raw RFC 5322)
//   DIR/mailboxes/<addonId>/credentials.json    the provider's (mail.ts) — a hash, never a password
// Every change is written to a temporary file, fsynced and renamed (then the directory fsynced),
// so a message is durable before the SMTP server answers 250 and a crash leaves either the old
// or the new index. Changes to one mailbox are serialised (also across MailStore instances of
// one process); a message file that no index names (a crash before the index was written, or
// after it dropped the message) is removed by recover().
// This is also the module API the dashboards use: list, read, delete one, delete all.
import {randomBytes} from 'node:crypto'
import {constants} from 'node:fs'
import {mkdir, open, readdir, readFile, rename, rm, unlink} from 'node:fs/promises'
import {join} from 'node:path'

import {isUuid} from '../ids.js'

export interface StoredMessage {
  /** the message's own Date header as written, if any */
  date: null | string
  /** the envelope's MAIL FROM (null for a bounce, <>) */
  from: null | string
  /** sortable: the time received (base 36 ms) and a random part */
  id: string
  messageId: null | string
  /** when the platform accepted it (ISO 8601) */
  receivedAt: string
  /** bytes of the raw message */
  size: number
  subject: null | string
  /** the envelope's RCPT TO addresses */
  to: string[]
}

/** What one mailbox keeps and accepts; each plan has its own (mail.ts). */
export interface MailLimits {
  /** recipients accepted per UTC day; beyond it messages are refused until 00:00 UTC */
  dailyRecipients: number
  /** bytes of messages kept; older ones are dropped (and counted) */
  maxBytes: number
  /** newest messages kept; older ones are dropped (and counted) */
  maxMessages: number
}

export interface MailboxSummary {
  bytes: number
  count: number
  /** the UTC day the count below is for (YYYY-MM-DD) */
  day: string
  /** messages dropped to stay within the bounds since the mailbox was made */
  dropped: number
  recipientsToday: number
}

interface MailboxIndex {
  day: string
  dropped: number
  /** oldest first */
  messages: StoredMessage[]
  recipientsToday: number
  version: 1
}

/** The mailbox does not exist (never made, or its add-on was destroyed). */
export class MailboxGoneError extends Error {}
/** The day's recipients are used up. */
export class DailyLimitError extends Error {}

const INDEX = 'index.json'
const MESSAGES = 'messages'
const MESSAGE_ID = /^[0-9a-z]{8,12}-[0-9a-f]{8}$/
const utcDay = (at: Date): string => at.toISOString().slice(0, 10)

// one queue per mailbox directory, for the whole process
const queues = new Map<string, Promise<unknown>>()

async function serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = queues.get(key) ?? Promise.resolve()
  const run = before.then(work, work)
  const settled = run.catch(() => {})
  queues.set(key, settled)
  try {
    return await run
  } finally {
    if (queues.get(key) === settled) queues.delete(key)
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY)
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Writes a file durably: temp file in the same directory, fsync, rename, fsync the directory. */
export async function writeFileDurably(path: string, data: Buffer | string, mode = 0o600): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf('/'))
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`
  const handle = await open(temp, 'wx', mode)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } catch (error) {
    await handle.close()
    await unlink(temp).catch(() => {})
    throw error
  }

  await handle.close()
  try {
    await rename(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => {})
    throw error
  }

  await fsyncDir(dir)
}

export class MailStore {
  constructor(readonly dir: string) {}

  mailboxDir(addonId: string): string {
    if (!isUuid(addonId)) throw new Error(`Not an add-on id: ${JSON.stringify(addonId)}`)
    return join(this.dir, 'mailboxes', addonId.toLowerCase())
  }

  /** The add-on ids that have a mailbox. */
  async mailboxes(): Promise<string[]> {
    const names = await readdir(join(this.dir, 'mailboxes')).catch(() => [] as string[])
    return names.filter(name => isUuid(name))
  }

  async exists(addonId: string): Promise<boolean> {
    return (await this.readIndex(addonId)) !== undefined
  }

  /** Makes the mailbox if it is not there (an existing one, with its messages, is kept). */
  async create(addonId: string): Promise<void> {
    const dir = this.mailboxDir(addonId)
    await serialised(dir, async () => {
      if (await this.readIndex(addonId) !== undefined) return
      await mkdir(join(dir, MESSAGES), {recursive: true, mode: 0o700})
      await this.writeIndex(addonId, {version: 1, messages: [], dropped: 0, day: utcDay(new Date()), recipientsToday: 0})
      await fsyncDir(join(this.dir, 'mailboxes'))
    })
  }

  /** Removes the mailbox with everything in it; nothing to do when it is gone already. */
  async remove(addonId: string): Promise<void> {
    const dir = this.mailboxDir(addonId)
    await serialised(dir, async () => {
      // renamed away first, so that a crash half-way through rm leaves no half mailbox behind
      const doomed = join(this.dir, 'mailboxes', `.removed-${addonId}-${randomBytes(4).toString('hex')}`)
      try {
        await rename(dir, doomed)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
        throw error
      }

      await rm(doomed, {recursive: true, force: true})
    })
  }

  /** After a crash: drops message files no index names, half-written files and half-removed mailboxes. */
  async recover(): Promise<void> {
    const root = join(this.dir, 'mailboxes')
    for (const name of await readdir(root).catch(() => [] as string[])) {
      if (name.startsWith('.removed-')) await rm(join(root, name), {recursive: true, force: true})
    }

    for (const addonId of await this.mailboxes()) {
      const dir = this.mailboxDir(addonId)
      await serialised(dir, async () => {
        const index = await this.readIndex(addonId)
        if (index === undefined) return
        const kept = new Set(index.messages.map(m => `${m.id}.eml`))
        for (const file of await readdir(join(dir, MESSAGES)).catch(() => [] as string[])) {
          if (!kept.has(file)) await unlink(join(dir, MESSAGES, file)).catch(() => {})
        }

        for (const file of await readdir(dir)) {
          if (file.endsWith('.tmp')) await unlink(join(dir, file)).catch(() => {})
        }
      })
    }
  }

  /**
   * Stores one message and answers once it is on disk: message file, then the index that names
   * it (dropping the oldest beyond the limits). Throws MailboxGoneError or DailyLimitError.
   */
  async append(addonId: string, raw: Buffer, envelope: {from: null | string, to: string[]}, limits: MailLimits, now = new Date()): Promise<{dropped: StoredMessage[], message: StoredMessage}> {
    const dir = this.mailboxDir(addonId)
    return serialised(dir, async () => {
      const index = await this.readIndex(addonId)
      if (index === undefined) throw new MailboxGoneError('This add-on no longer exists.')
      rollDay(index, now)
      if (index.recipientsToday + envelope.to.length > limits.dailyRecipients) {
        throw new DailyLimitError(`The daily limit of ${limits.dailyRecipients} recipients is reached; it resets at 00:00 UTC.`)
      }

      const headers = parseHeaders(raw)
      const message: StoredMessage = {
        id: `${now.getTime().toString(36)}-${randomBytes(4).toString('hex')}`,
        from: envelope.from,
        to: envelope.to,
        subject: headers.subject,
        date: headers.date,
        messageId: headers.messageId,
        receivedAt: now.toISOString(),
        size: raw.length,
      }
      await writeFileDurably(join(dir, MESSAGES, `${message.id}.eml`), raw)
      index.messages.push(message)
      index.recipientsToday += envelope.to.length
      const dropped: StoredMessage[] = []
      let bytes = index.messages.reduce((sum, m) => sum + m.size, 0)
      while (index.messages.length > 1 && (index.messages.length > limits.maxMessages || bytes > limits.maxBytes)) {
        const oldest = index.messages.shift()!
        bytes -= oldest.size
        dropped.push(oldest)
      }

      index.dropped += dropped.length
      await this.writeIndex(addonId, index)
      for (const old of dropped) await unlink(join(dir, MESSAGES, `${old.id}.eml`)).catch(() => {})
      return {message, dropped}
    })
  }

  /** Recipients still accepted today (for answering RCPT TO early); undefined when the mailbox is gone. */
  async recipientsLeftToday(addonId: string, limits: MailLimits, now = new Date()): Promise<number | undefined> {
    const index = await this.readIndex(addonId)
    if (index === undefined) return undefined
    rollDay(index, now)
    return Math.max(0, limits.dailyRecipients - index.recipientsToday)
  }

  /** The mailbox's messages, newest first. */
  async list(addonId: string): Promise<StoredMessage[]> {
    const index = await this.readIndex(addonId)
    if (index === undefined) throw new MailboxGoneError('This add-on no longer exists.')
    return [...index.messages].reverse()
  }

  async summary(addonId: string, now = new Date()): Promise<MailboxSummary> {
    const index = await this.readIndex(addonId)
    if (index === undefined) throw new MailboxGoneError('This add-on no longer exists.')
    rollDay(index, now)
    return {
      count: index.messages.length, bytes: index.messages.reduce((sum, m) => sum + m.size, 0),
      dropped: index.dropped, day: index.day, recipientsToday: index.recipientsToday,
    }
  }

  /** One message as received (raw RFC 5322), or undefined when it is not (or no longer) kept. */
  async read(addonId: string, messageId: string): Promise<undefined | {message: StoredMessage, raw: Buffer}> {
    if (!MESSAGE_ID.test(messageId)) return undefined
    const index = await this.readIndex(addonId)
    const message = index?.messages.find(m => m.id === messageId)
    if (message === undefined) return undefined
    try {
      return {message, raw: await readFile(join(this.mailboxDir(addonId), MESSAGES, `${messageId}.eml`))}
    } catch (error) {
      // dropped or deleted between reading the index and the file
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
  }

  /** Deletes one message; false when it was not there. */
  async delete(addonId: string, messageId: string): Promise<boolean> {
    if (!MESSAGE_ID.test(messageId)) return false
    const dir = this.mailboxDir(addonId)
    return serialised(dir, async () => {
      const index = await this.readIndex(addonId)
      if (index === undefined) throw new MailboxGoneError('This add-on no longer exists.')
      const at = index.messages.findIndex(m => m.id === messageId)
      if (at === -1) return false
      index.messages.splice(at, 1)
      await this.writeIndex(addonId, index)
      await unlink(join(dir, MESSAGES, `${messageId}.eml`)).catch(() => {})
      return true
    })
  }

  /** Deletes every message (the counts of dropped and of today's recipients stay); returns how many. */
  async deleteAll(addonId: string): Promise<number> {
    const dir = this.mailboxDir(addonId)
    return serialised(dir, async () => {
      const index = await this.readIndex(addonId)
      if (index === undefined) throw new MailboxGoneError('This add-on no longer exists.')
      const gone = index.messages
      index.messages = []
      await this.writeIndex(addonId, index)
      for (const message of gone) await unlink(join(dir, MESSAGES, `${message.id}.eml`)).catch(() => {})
      return gone.length
    })
  }

  private async readIndex(addonId: string): Promise<MailboxIndex | undefined> {
    let text: string
    try {
      text = await readFile(join(this.mailboxDir(addonId), INDEX), 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }

    const index = JSON.parse(text) as MailboxIndex
    if (index.version !== 1 || !Array.isArray(index.messages)) throw new Error(`Unreadable mail index for add-on ${addonId}`)
    return index
  }

  private async writeIndex(addonId: string, index: MailboxIndex): Promise<void> {
    await writeFileDurably(join(this.mailboxDir(addonId), INDEX), JSON.stringify(index))
  }
}

function rollDay(index: MailboxIndex, now: Date): void {
  const day = utcDay(now)
  if (index.day !== day) {
    index.day = day
    index.recipientsToday = 0
  }
}

/** Subject, Date and Message-ID from the header section (unfolded; RFC 2047 encoded words decoded). */
export function parseHeaders(raw: Buffer): {date: null | string, messageId: null | string, subject: null | string} {
  const text = raw.subarray(0, Math.min(raw.length, 64 * 1024)).toString('utf8')
  const end = text.search(/\r?\n\r?\n/)
  const lines = (end === -1 ? text : text.slice(0, end)).replaceAll(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)
  const field = (name: string): null | string => {
    const prefix = `${name.toLowerCase()}:`
    const line = lines.find(l => l.toLowerCase().startsWith(prefix))
    return line === undefined ? null : line.slice(prefix.length).trim()
  }

  const subject = field('Subject')
  return {subject: subject === null ? null : decodeEncodedWords(subject), date: field('Date'), messageId: field('Message-ID')}
}

function decodeEncodedWords(value: string): string {
  return value
    .replaceAll(/(=\?[^?]+\?[bq]\?[^?]*\?=)\s+(?==\?)/gi, '$1')
    .replaceAll(/=\?([^?]+)\?([bq])\?([^?]*)\?=/gi, (word, charset: string, encoding: string, text: string) => {
      const bytes = encoding.toLowerCase() === 'b' ? Buffer.from(text, 'base64') : Buffer.from(text.replaceAll('_', ' ').replaceAll(/=([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16))), 'latin1')
      try {
        return new TextDecoder(charset.toLowerCase()).decode(bytes)
      } catch {
        return word
      }
    })
}
