// sendgrid: local mail capture. An SMTP server inside the platform process (127.0.0.1, one port
// chosen once and kept in DIR/state.json) accepts mail only from a client that authenticates
// with an add-on's credentials, and keeps each message on disk in that add-on's mailbox
// (mail-store.ts). Nothing is relayed anywhere: the mail a local app sends is captured, listed
// and readable, never delivered. See docs/addons/sendgrid.md.

import type {SMTPServer, SMTPServerAuthentication, SMTPServerDataStream, SMTPServerSession} from 'smtp-server'

import {randomBytes, scrypt as scryptCallback, timingSafeEqual} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import {connect} from 'node:net'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {isUuid} from '../ids.js'
import {DailyLimitError, MailboxGoneError, type MailLimits, MailStore, writeFileDurably} from './mail-store.js'
import {
  type AddonProvider, type Availability, ProviderError, type ProviderRuntime, type ProvisionContext, type ProvisionedAddon, type ProvisionResult,
} from './provider.js'

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>

export const SMTP_HOST = '127.0.0.1'
/** the largest message accepted (every plan) */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024
const STATE_FILE = 'state.json'
const CREDENTIALS_FILE = 'credentials.json'
const USERNAME_PREFIX = 'sendgrid-'

export const MAIL_PLANS: Record<string, MailLimits> = {
  starter: {dailyRecipients: 400, maxMessages: 1000, maxBytes: 50 * 1024 * 1024},
  bronze: {dailyRecipients: 10_000, maxMessages: 10_000, maxBytes: 500 * 1024 * 1024},
}

const describe = (limits: MailLimits): string =>
  `Local mail capture: nothing is relayed or delivered. Accepts ${limits.dailyRecipients.toLocaleString('en-US')} recipients a day (UTC) and messages up to ${MAX_MESSAGE_BYTES / 1024 / 1024} MB; keeps the newest ${limits.maxMessages.toLocaleString('en-US')} messages or ${limits.maxBytes / 1024 / 1024} MB, dropping the oldest.`

export interface MailProviderOptions {
  /** per-plan limits replacing the plans' own (tests use small ones) */
  limits?: Record<string, Partial<MailLimits>>
  maxMessageBytes?: number
  /** how long to wait before trying a taken port again (ms) */
  retryMs?: number
}

interface Credentials {
  /** scrypt(password, salt, 32), base64 */
  hash: string
  plan: string
  salt: string
  username: string
  version: 1
}

interface SessionUser {
  addonId: string
  username: string
}

type SmtpError = Error & {responseCode?: number}
const smtpError = (code: number, message: string): SmtpError => Object.assign(new Error(message), {responseCode: code})

/** "sendgrid:starter" (as the platform names plans) or "starter" → "starter" */
const planName = (plan: string): string => plan.startsWith('sendgrid:') ? plan.slice('sendgrid:'.length) : plan

export const mailUsername = (addonId: string): string => `${USERNAME_PREFIX}${addonId.toLowerCase()}`

export class MailProvider implements AddonProvider {
  readonly service = {
    name: 'sendgrid',
    humanName: 'SendGrid (local mail capture)',
    primaryAttachmentName: 'SENDGRID',
    attachmentNamePrefix: 'SENDGRID',
    plans: [
      {name: 'starter', humanName: 'Starter', description: describe(MAIL_PLANS.starter), default: true, priceCents: 0},
      {name: 'bronze', humanName: 'Bronze', description: describe(MAIL_PLANS.bronze), priceCents: 0},
    ],
  } as const

  private runtime?: ProviderRuntime
  private store?: MailStore
  private server?: SMTPServer
  private port?: number
  private listening = false
  private listenFailure?: string
  private starting?: Promise<void>
  private retryTimer?: NodeJS.Timeout
  private closed = false
  /** by add-on id; loaded at start, kept by provision/changePlan/deprovision */
  private readonly credentials = new Map<string, Credentials>()

  constructor(private readonly options: MailProviderOptions = {}) {}

  /** The captured messages (list, read, delete): what the dashboards use. */
  get messages(): MailStore {
    if (this.store === undefined) throw new ProviderError('The sendgrid service has not been started by the platform.')
    return this.store
  }

  /** The SMTP port (known once chosen, also while it cannot be listened on). */
  get smtpPort(): number | undefined {
    return this.port
  }

  limits(plan: string): MailLimits {
    const name = planName(plan)
    return {...MAIL_PLANS[name] ?? MAIL_PLANS.starter, ...this.options.limits?.[name]}
  }

  async start(runtime: ProviderRuntime): Promise<void> {
    this.runtime = runtime
    this.store = new MailStore(runtime.dir)
    await this.store.recover()
    const known = new Map(runtime.addons().map(a => [a.addonId, a]))
    for (const addonId of await this.store.mailboxes()) {
      const addon = known.get(addonId)
      if (addon === undefined) {
        // made for an add-on the platform does not have (a crash before its record): not anyone's mail
        runtime.log(`removing the mailbox of unknown add-on ${addonId}`)
        await this.store.remove(addonId)
        continue
      }

      const credentials = await this.readCredentials(addonId)
      if (credentials === undefined) continue
      // the platform's record is the truth about the plan
      this.credentials.set(addonId, {...credentials, plan: addon.plan})
    }

    this.port = await this.readPort()
    if (this.port !== undefined || this.credentials.size > 0) await this.ensureListening()
  }

  availability(): Availability {
    if (this.runtime === undefined) return {available: false, reason: 'sendgrid is unavailable: the platform has not started it.'}
    if (this.listenFailure !== undefined) return {available: false, reason: `sendgrid is unavailable: ${this.listenFailure}`}
    return {available: true}
  }

  async provision(ctx: ProvisionContext): Promise<ProvisionResult> {
    const store = this.messages
    if (!isUuid(ctx.addonId)) throw new ProviderError(`Unexpected add-on id ${ctx.addonId}`)
    if (MAIL_PLANS[planName(ctx.plan)] === undefined) throw new ProviderError(`sendgrid has no plan ${ctx.plan}`)
    await this.ensureListening()
    if (!this.listening) throw new ProviderError(`sendgrid is unavailable: ${this.listenFailure ?? 'its SMTP server is not listening'}`)
    // Idempotent: an existing mailbox (a provisioning a restart interrupted) keeps its messages;
    // only a hash of the password is kept, so it gets a new password (the platform stores the vars).
    await store.create(ctx.addonId)
    const username = mailUsername(ctx.addonId)
    const password = randomBytes(24).toString('hex')
    const salt = randomBytes(16)
    const credentials: Credentials = {version: 1, username, salt: salt.toString('base64'), hash: (await scrypt(password, salt, 32)).toString('base64'), plan: ctx.plan}
    await writeFileDurably(join(store.mailboxDir(ctx.addonId), CREDENTIALS_FILE), JSON.stringify(credentials))
    this.credentials.set(ctx.addonId, credentials)
    const url = `smtp://${username}:${password}@${SMTP_HOST}:${this.port}`
    return {
      providerId: ctx.addonId,
      configVars: {USERNAME: username, PASSWORD: password, SMTP_URL: url},
      plainConfigVars: {SMTP_URL: url},
      message: `Mail sent with these credentials to ${SMTP_HOST}:${this.port} is captured locally for ${ctx.appName}; nothing is relayed.`,
      webUrl: null,
    }
  }

  async deprovision(addon: ProvisionedAddon): Promise<void> {
    const store = this.messages
    if (!isUuid(addon.addonId)) throw new ProviderError(`Unexpected add-on id ${addon.addonId}`)
    // credentials stop working first, then the messages go
    this.credentials.delete(addon.addonId)
    await store.remove(addon.addonId)
  }

  async changePlan(addon: ProvisionedAddon, toPlan: string): Promise<{configVars?: Record<string, string>, message?: null | string}> {
    if (MAIL_PLANS[planName(toPlan)] === undefined) throw new ProviderError(`sendgrid has no plan ${toPlan}`)
    const credentials = this.credentials.get(addon.addonId)
    if (credentials !== undefined) {
      const updated = {...credentials, plan: toPlan}
      await writeFileDurably(join(this.messages.mailboxDir(addon.addonId), CREDENTIALS_FILE), JSON.stringify(updated))
      this.credentials.set(addon.addonId, updated)
    }

    const limits = this.limits(toPlan)
    return {message: `Plan changed: ${limits.dailyRecipients} recipients a day, the newest ${limits.maxMessages} messages kept; messages and credentials are unchanged.`}
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.retryTimer)
    await this.starting?.catch(() => {})
    const {server} = this
    this.server = undefined
    this.listening = false
    if (server !== undefined) await new Promise<void>(resolve => server.close(() => resolve()))
  }

  // --- the SMTP server -------------------------------------------------------------------

  /** Listens (once): on the persisted port, or on one the OS picks, which is then persisted. */
  private ensureListening(): Promise<void> {
    if (this.listening || this.closed) return Promise.resolve()
    this.starting ??= this.listen().finally(() => {
      this.starting = undefined
    })
    return this.starting
  }

  private async listen(): Promise<void> {
    const runtime = this.runtime!
    const server = await this.createServer()
    try {
      const port = await new Promise<number>((resolve, reject) => {
        server.server.once('error', reject)
        server.listen(this.port ?? 0, SMTP_HOST, () => {
          server.server.off('error', reject)
          const address = server.server.address()
          resolve(typeof address === 'object' && address !== null ? address.port : 0)
        })
      })
      if (this.port === undefined) await writeFileDurably(join(runtime.dir, STATE_FILE), JSON.stringify({version: 1, port}))
      if (this.closed) {
        await new Promise<void>(resolve => server.close(() => resolve()))
        return
      }

      this.port = port
      this.server = server
      this.listening = true
      this.listenFailure = undefined
      runtime.log(`SMTP server listening on ${SMTP_HOST}:${port} (mail is captured, never relayed)`)
    } catch (error) {
      // not listening (or just stopped): close the socket only, SMTPServer.close would wait for clients
      server.server.close(() => {})
      const {code} = (error as NodeJS.ErrnoException)
      if (this.port === undefined || code !== 'EADDRINUSE') throw new ProviderError(`its SMTP server could not listen: ${(error as Error).message}`)
      // the add-ons' SMTP_URL names this port: wait for it rather than move
      const who = await probe(this.port)
      this.listenFailure = `its SMTP port ${SMTP_HOST}:${this.port} (in the add-ons' SMTP_URL) is taken by another process${who ? ` (it answers ${JSON.stringify(who)})` : ''}; trying again.`
      runtime.log(this.listenFailure)
      this.scheduleRetry()
    }
  }

  private scheduleRetry(): void {
    if (this.closed) return
    clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => {
      void this.ensureListening()
    }, this.options.retryMs ?? 5000)
    this.retryTimer.unref()
  }

  private async createServer(): Promise<SMTPServer> {
    const {SMTPServer} = await import('smtp-server')
    const server = new SMTPServer({
      name: 'localhost',
      banner: 'heroku-toolbelt local mail capture: messages are kept, never relayed',
      size: this.options.maxMessageBytes ?? MAX_MESSAGE_BYTES,
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: false,
      // loopback only; TLS for SMTP comes with the platform's TLS (docs/addons/sendgrid.md)
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      maxClients: 100,
      socketTimeout: 60_000,
      closeTimeout: 2000,
      onAuth: (auth, session, callback) => {
        this.authenticate(auth).then(user => callback(null, {user}), (error: Error) => callback(error))
      },
      onMailFrom: (_address, session, callback) => {
        const user = session.user as SessionUser | undefined
        if (user === undefined || !this.credentials.has(user.addonId)) callback(smtpError(530, 'Error: authentication required'))
        else callback()
      },
      onRcptTo: (_address, session, callback) => {
        this.checkRecipient(session).then(() => callback(), (error: Error) => callback(error))
      },
      onData: (stream, session, callback) => {
        this.receive(stream, session).then(reply => callback(null, reply), (error: Error) => callback(error))
      },
    })
    server.on('error', error => this.runtime?.log(`SMTP server: ${error.message}`))
    return server
  }

  private async authenticate(auth: SMTPServerAuthentication): Promise<SessionUser> {
    const username = auth.username ?? ''
    const addonId = username.startsWith(USERNAME_PREFIX) ? username.slice(USERNAME_PREFIX.length) : ''
    const credentials = this.credentials.get(addonId)
    const password = auth.password ?? ''
    // the hash is computed whether or not the user exists, so that timing tells nothing
    const salt = credentials ? Buffer.from(credentials.salt, 'base64') : Buffer.alloc(16)
    const hash = await scrypt(password, salt, 32)
    if (credentials === undefined || credentials.username !== username || !timingSafeEqual(hash, Buffer.from(credentials.hash, 'base64'))) {
      this.runtime?.log(`SMTP authentication refused for ${JSON.stringify(username.slice(0, 80))}`)
      if (credentials !== undefined) this.runtime?.addonLog(addonId, 'sendgrid', `Refused SMTP authentication as ${username}: wrong password`)
      throw smtpError(535, 'Error: authentication credentials invalid')
    }

    return {addonId, username}
  }

  private async checkRecipient(session: SMTPServerSession): Promise<void> {
    const user = session.user as SessionUser
    const credentials = this.credentials.get(user.addonId)
    if (credentials === undefined) throw smtpError(550, 'Error: this add-on no longer exists')
    const limits = this.limits(credentials.plan)
    const left = await this.messages.recipientsLeftToday(user.addonId, limits)
    if (left === undefined) throw smtpError(550, 'Error: this add-on no longer exists')
    if (session.envelope.rcptTo.length + 1 > left) {
      throw smtpError(452, `Error: the daily limit of ${limits.dailyRecipients} recipients (plan ${credentials.plan}) is reached; it resets at 00:00 UTC`)
    }
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const chunks: Buffer[] = []
    for await (const chunk of stream) chunks.push(chunk as Buffer)
    const max = this.options.maxMessageBytes ?? MAX_MESSAGE_BYTES
    if (stream.sizeExceeded) throw smtpError(552, `Error: message exceeds fixed maximum message size ${max}`)
    const user = session.user as SessionUser
    const credentials = this.credentials.get(user.addonId)
    if (credentials === undefined) throw smtpError(550, 'Error: this add-on no longer exists')
    const from = session.envelope.mailFrom === false || session.envelope.mailFrom.address === '' ? null : session.envelope.mailFrom.address
    const to = session.envelope.rcptTo.map(r => r.address)
    let stored
    try {
      stored = await this.messages.append(user.addonId, Buffer.concat(chunks), {from, to}, this.limits(credentials.plan))
    } catch (error) {
      if (error instanceof MailboxGoneError) throw smtpError(550, 'Error: this add-on no longer exists')
      if (error instanceof DailyLimitError) throw smtpError(452, `Error: ${error.message}`)
      this.runtime?.log(`could not store a message for add-on ${user.addonId}: ${(error as Error).message}`)
      throw smtpError(451, 'Error: the message could not be stored; try again later')
    }

    const {message, dropped} = stored
    this.runtime?.addonLog(user.addonId, 'sendgrid', `Accepted message ${message.id} from ${from ?? '<>'} to ${to.join(', ')} (${message.size} bytes, captured locally, not delivered)`)
    if (dropped.length > 0) {
      const limits = this.limits(credentials.plan)
      this.runtime?.addonLog(user.addonId, 'sendgrid', `Dropped ${dropped.length} oldest message${dropped.length === 1 ? '' : 's'} to keep within ${limits.maxMessages} messages / ${limits.maxBytes} bytes`)
    }

    return `OK: stored as ${message.id} (captured locally, not delivered)`
  }

  private async readPort(): Promise<number | undefined> {
    try {
      const state = JSON.parse(await readFile(join(this.runtime!.dir, STATE_FILE), 'utf8')) as {port?: unknown}
      return typeof state.port === 'number' && Number.isInteger(state.port) && state.port > 0 && state.port < 65_536 ? state.port : undefined
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
  }

  private async readCredentials(addonId: string): Promise<Credentials | undefined> {
    try {
      return JSON.parse(await readFile(join(this.messages.mailboxDir(addonId), CREDENTIALS_FILE), 'utf8')) as Credentials
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
  }
}

/** What answers on a port (its first line, e.g. an SMTP greeting), to say who holds it; connects, never binds. */
function probe(port: number): Promise<string | undefined> {
  return new Promise(resolve => {
    const socket = connect({host: SMTP_HOST, port})
    const done = (line?: string): void => {
      socket.destroy()
      resolve(line)
    }

    socket.setTimeout(500, () => done())
    socket.once('error', () => done())
    socket.once('data', data => done(data.toString('utf8').split(/\r?\n/)[0].slice(0, 120)))
  })
}
