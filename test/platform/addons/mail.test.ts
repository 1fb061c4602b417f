// sendgrid: the platform's SMTP server, spoken to with a real SMTP client (nodemailer) using the
// credentials the add-on puts in the app's config vars.
import {expect} from 'chai'
import {existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import nodemailer from 'nodemailer'

import {MailStore} from '../../../src/platform/addons/mail-store.js'
import {MailProvider} from '../../../src/platform/addons/mail.js'
import {expectError, expectSchema, startTestPlatform, type TestPlatform} from '../helpers.js'

interface MailVars {[name: string]: string, SENDGRID_PASSWORD: string, SENDGRID_SMTP_URL: string, SENDGRID_USERNAME: string, SMTP_URL: string}

async function send(url: string | {auth?: {pass: string, user: string}, host: string, port: number}, mail: {subject: string, text?: string, to?: string | string[]}) {
  const transport = nodemailer.createTransport(typeof url === 'string' ? url : {...url, secure: false, ignoreTLS: true})
  try {
    return await transport.sendMail({from: 'app@example.com', to: mail.to ?? 'someone@example.org', subject: mail.subject, text: mail.text ?? 'hello'})
  } finally {
    transport.close()
  }
}

async function refusal(promise: Promise<unknown>): Promise<{message: string, responseCode?: number}> {
  try {
    await promise
  } catch (error) {
    return error as {message: string, responseCode?: number}
  }

  throw new Error('the server accepted it')
}

const mailboxDir = (t: TestPlatform, addonId: string): string => join(t.dataDir, 'addons', 'sendgrid', 'mailboxes', addonId)

describe('add-on provider: sendgrid (local mail capture over real SMTP)', function () {
  this.timeout(30_000)
  let t: TestPlatform
  let provider: MailProvider
  /** the apps' owner (a restarted test platform makes another user) */
  let owner: TestPlatform['owner']

  async function createAddon(app: string, plan = 'sendgrid'): Promise<{id: string, name: string, vars: MailVars}> {
    const created = await t.client.post(`/apps/${app}/addons`, {plan})
    expect(created.status, created.text).to.equal(201)
    expectSchema('add-on', 'POST', 'Create', created.body)
    expect(created.body.state).to.equal('provisioned')
    const vars = (await t.client.get(`/apps/${app}/config-vars`)).body as MailVars
    return {id: created.body.id, name: created.body.name, vars}
  }

  before(async () => {
    provider = new MailProvider({maxMessageBytes: 64 * 1024, limits: {starter: {maxMessages: 3}, bronze: {dailyRecipients: 3}}})
    t = await startTestPlatform({addonProviders: [provider]})
    owner = t.owner
    await t.client.post('/apps', {name: 'mailer'})
    await t.client.post('/apps', {name: 'other-mailer'})
  })

  after(async () => {
    await t?.close()
  })

  it('lists the service with plans that say nothing is relayed', async () => {
    const plans = (await t.client.get('/addon-services/sendgrid/plans')).body as Array<{description: string, name: string}>
    expect(plans.map(p => p.name)).to.have.members(['sendgrid:starter', 'sendgrid:bronze'])
    for (const plan of plans) expect(plan.description).to.match(/nothing is relayed/)
  })

  let first: {id: string, name: string, vars: MailVars}

  it('gives the app SMTP_URL and SENDGRID_USERNAME/PASSWORD; a message sent with them is stored, listed, readable and logged', async () => {
    first = await createAddon('mailer')
    const {vars} = first
    expect(vars.SENDGRID_USERNAME).to.equal(`sendgrid-${first.id}`)
    expect(vars.SENDGRID_PASSWORD).to.match(/^[0-9a-f]{48}$/)
    expect(vars.SMTP_URL).to.equal(`smtp://${vars.SENDGRID_USERNAME}:${vars.SENDGRID_PASSWORD}@127.0.0.1:${provider.smtpPort}`)
    expect(vars.SENDGRID_SMTP_URL).to.equal(vars.SMTP_URL)
    const session = await t.client.post('/apps/mailer/log-sessions', {tail: true, lines: 0})
    const logs = await fetch(session.body.logplex_url)
    const reader = logs.body!.getReader()

    const info = await send(vars.SMTP_URL, {subject: 'Welcome, Zoë', to: ['ann@example.org', 'bob@example.org'], text: 'first body'})
    expect(info.response).to.match(/^250 .*stored as [0-9a-z]+-[0-9a-f]{8}/)
    const [message] = await provider.messages.list(first.id)
    expect(message).to.include({from: 'app@example.com', subject: 'Welcome, Zoë'})
    expect(message.to).to.deep.equal(['ann@example.org', 'bob@example.org'])
    const read = await provider.messages.read(first.id, message.id)
    expect(read!.raw.toString('utf8')).to.match(/\r\n\r\nfirst body/)
    expect(read!.raw.length).to.equal(message.size)
    const file = join(mailboxDir(t, first.id), 'messages', `${message.id}.eml`)
    expect(statSync(file).mode & 0o777).to.equal(0o600)

    let text = ''
    while (!text.includes('Accepted message')) text += new TextDecoder().decode((await reader.read()).value)
    await reader.cancel()
    expect(text).to.match(new RegExp(`heroku\\[sendgrid\\]: Accepted message ${message.id} from app@example.com to ann@example.org, bob@example.org`))
    expect(text).not.to.include(vars.SENDGRID_PASSWORD)
    expect(t.serverLog.join('\n')).not.to.include(vars.SENDGRID_PASSWORD)
  })

  it('refuses a wrong password (535) and mail without authentication (530), storing nothing', async () => {
    const {vars} = first
    const wrong = await refusal(send({host: '127.0.0.1', port: provider.smtpPort!, auth: {user: vars.SENDGRID_USERNAME, pass: 'not-the-password'}}, {subject: 'x'}))
    expect(wrong.responseCode).to.equal(535)
    const none = await refusal(send({host: '127.0.0.1', port: provider.smtpPort!}, {subject: 'x'}))
    expect(none.responseCode).to.equal(530)
    expect(await provider.messages.list(first.id)).to.have.length(1)
  })

  it('refuses a message over the size limit (552)', async () => {
    const big = await refusal(send(first.vars.SMTP_URL, {subject: 'big', text: 'x'.repeat(100 * 1024)}))
    expect(big.responseCode).to.equal(552)
    expect(await provider.messages.list(first.id)).to.have.length(1)
  })

  it('keeps the newest messages within the bound, dropping (and counting) the oldest', async () => {
    for (const n of [2, 3, 4, 5]) await send(first.vars.SMTP_URL, {subject: `message ${n}`})
    const kept = await provider.messages.list(first.id)
    expect(kept.map(m => m.subject)).to.deep.equal(['message 5', 'message 4', 'message 3'])
    expect((await provider.messages.summary(first.id)).dropped).to.equal(2)
    expect(readdirSync(join(mailboxDir(t, first.id), 'messages')).sort()).to.deep.equal(kept.map(m => `${m.id}.eml`).sort())
  })

  it('refuses recipients beyond the plan\'s daily limit (452)', async () => {
    const limited = await createAddon('other-mailer', 'sendgrid:bronze')
    await send(limited.vars.SMTP_URL, {subject: 'two', to: ['a@example.org', 'b@example.org']})
    const partly = await send(limited.vars.SMTP_URL, {subject: 'one of two', to: ['c@example.org', 'd@example.org']})
    expect(partly.accepted).to.deep.equal(['c@example.org'])
    expect(partly.rejected).to.deep.equal(['d@example.org'])
    const refused = await refusal(send(limited.vars.SMTP_URL, {subject: 'none', to: 'e@example.org'}))
    expect(refused.responseCode).to.equal(452)
    expect((await provider.messages.list(limited.id)).map(m => m.subject)).to.deep.equal(['one of two', 'two'])
    expect((await t.client.delete(`/apps/other-mailer/addons/${limited.name}`)).status).to.equal(200)
  })

  it('keeps a second add-on\'s mail apart: its own credentials and mailbox, no SMTP_URL over the first\'s', async () => {
    const second = await createAddon('mailer')
    expect(second.vars.SMTP_URL).to.equal(first.vars.SMTP_URL)
    const attachment = (await t.client.get(`/addons/${second.id}/addon-attachments`)).body[0].name as string
    expect(attachment).to.match(/^SENDGRID_[A-Z]+$/)
    const own = second.vars[`${attachment}_SMTP_URL`]
    expect(own).to.include(`sendgrid-${second.id}:`)
    const before = await provider.messages.list(first.id)
    await send(own, {subject: 'from the second'})
    expect(await provider.messages.list(first.id)).to.deep.equal(before)
    expect((await provider.messages.list(second.id)).map(m => m.subject)).to.deep.equal(['from the second'])
    // its password is not the first's
    const crossed = await refusal(send({host: '127.0.0.1', port: provider.smtpPort!, auth: {user: first.vars.SENDGRID_USERNAME, pass: second.vars[`${attachment}_PASSWORD`]}}, {subject: 'x'}))
    expect(crossed.responseCode).to.equal(535)
    expect((await t.client.delete(`/apps/mailer/addons/${second.name}`)).status).to.equal(200)
    expect(await provider.messages.list(first.id)).to.deep.equal(before)
  })

  it('keeps the messages, the port and the credentials across a platform restart', async () => {
    const before = await provider.messages.list(first.id)
    const port = provider.smtpPort
    await t.close({keepData: true})
    provider = new MailProvider({maxMessageBytes: 64 * 1024, limits: {starter: {maxMessages: 3}}})
    t = await startTestPlatform({dataDir: t.dataDir, addonProviders: [provider]})
    t.client = t.client.withToken(owner.token)
    expect(provider.smtpPort).to.equal(port)
    expect(await provider.messages.list(first.id)).to.deep.equal(before)
    await send(first.vars.SMTP_URL, {subject: 'after the restart'})
    expect((await provider.messages.list(first.id))[0].subject).to.equal('after the restart')
  })

  it('waits for its port when another process holds it at start (logged, new add-ons refused meanwhile)', async () => {
    const port = provider.smtpPort!
    await t.close({keepData: true})
    const squatter = createServer(socket => socket.end('220 squatter ready\r\n'))
    await new Promise<void>(resolve => squatter.listen(port, '127.0.0.1', resolve))
    provider = new MailProvider({retryMs: 100, maxMessageBytes: 64 * 1024, limits: {starter: {maxMessages: 3}}})
    try {
      t = await startTestPlatform({dataDir: t.dataDir, addonProviders: [provider]})
      t.client = t.client.withToken(owner.token)
      const res = await t.client.post('/apps/mailer/addons', {plan: 'sendgrid'})
      expectError(res, 422, 'invalid_params')
      expect(res.body.message).to.include(`SMTP port 127.0.0.1:${port} (in the add-ons' SMTP_URL) is taken by another process (it answers "220 squatter ready")`)
      expect(t.serverLog.join('\n')).to.include(`127.0.0.1:${port} (in the add-ons' SMTP_URL) is taken`)
    } finally {
      await new Promise(resolve => squatter.close(resolve))
    }

    for (let i = 0; i < 50 && !provider.availability().available; i++) await new Promise(resolve => setTimeout(resolve, 50))
    expect(provider.availability()).to.deep.equal({available: true})
    expect(provider.smtpPort).to.equal(port)
    await send(first.vars.SMTP_URL, {subject: 'after the wait'})
    expect((await provider.messages.list(first.id))[0].subject).to.equal('after the wait')
  })

  it('destroy removes the mailbox with its files, and its credentials stop working', async () => {
    expect(existsSync(mailboxDir(t, first.id))).to.equal(true)
    expect((await t.client.delete(`/apps/mailer/addons/${first.name}`)).status).to.equal(200)
    expect(existsSync(mailboxDir(t, first.id))).to.equal(false)
    const refused = await refusal(send(first.vars.SMTP_URL, {subject: 'too late'}))
    expect(refused.responseCode).to.equal(535)
    expect((await t.client.get('/apps/mailer/config-vars')).body).to.deep.equal({})
  })
})

describe('mail store', () => {
  const dirs: string[] = []
  const tempDir = (): string => {
    dirs.push(mkdtempSync(join(tmpdir(), 'mail-store-')))
    return dirs.at(-1)!
  }

  after(() => {
    for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
  })

  it('after a crash, drops message files no index names; deletes one and all', async () => {
    const store = new MailStore(tempDir())
    const addonId = '0b0e6c1e-6f0a-4d7e-9a41-3c2b1f0e9d88'
    await store.create(addonId)
    const limits = {maxMessages: 10, maxBytes: 1e6, dailyRecipients: 10}
    const a = await store.append(addonId, Buffer.from('Subject: a\r\n\r\nA'), {from: 'x@example.com', to: ['y@example.com']}, limits)
    const b = await store.append(addonId, Buffer.from('Subject: =?UTF-8?B?w6l0w6k=?=\r\n\r\nB'), {from: null, to: ['y@example.com']}, limits)
    expect(b.message.subject).to.equal('été')
    const orphan = join(store.mailboxDir(addonId), 'messages', 'zzzzzzzz-00000000.eml')
    writeFileSync(orphan, 'never acknowledged')
    await store.recover()
    expect(existsSync(orphan)).to.equal(false)
    expect((await store.list(addonId)).map(m => m.id)).to.deep.equal([b.message.id, a.message.id])
    expect(await store.delete(addonId, a.message.id)).to.equal(true)
    expect(await store.read(addonId, a.message.id)).to.equal(undefined)
    expect(await store.deleteAll(addonId)).to.equal(1)
    expect(await store.list(addonId)).to.deep.equal([])
    await store.remove(addonId)
    await store.remove(addonId)
    expect(await store.exists(addonId)).to.equal(false)
  })

  it('stores concurrent messages of one mailbox one after another, none lost, the bound kept', async () => {
    const store = new MailStore(tempDir())
    const addonId = '5d1f3c2a-0e4b-4f6a-8c7d-2b9e1a0f3c4d'
    await store.create(addonId)
    const limits = {maxMessages: 15, maxBytes: 1e6, dailyRecipients: 100}
    await Promise.all(Array.from({length: 20}, (_, n) => store.append(addonId, Buffer.from(`Subject: ${n}\r\n\r\nbody`), {from: 'x@example.com', to: ['y@example.com']}, limits)))
    const summary = await store.summary(addonId)
    expect(summary).to.include({count: 15, dropped: 5, recipientsToday: 20})
    expect(readdirSync(join(store.mailboxDir(addonId), 'messages'))).to.have.length(15)
    await store.remove(addonId)
  })
})
