// The add-on dashboards in a real browser (Debian's chromium driven by playwright-core): every
// add-on's web_url, single sign-on from GET /apps/{app}/addons/{addon}/sso, the live data of
// Postgres, Redis, memcached and the mail capture, and the refusals — a reused or expired SSO
// link, another account's session, no session (the sign-in page), a POST without its CSRF token,
// a mail subject that is a <script>. Screenshots go to test-output/dashboards/.

import type {AddressInfo} from 'node:net'
import type {Browser, BrowserContext, Page} from 'playwright-core'

import {expect} from 'chai'
import memjs from 'memjs'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import {join} from 'node:path'
import nodemailer from 'nodemailer'
import pg from 'pg'
import {createClient} from 'redis'

import {MailProvider} from '../../../../src/platform/addons/mail.js'
import {MemcacheProvider} from '../../../../src/platform/addons/memcache.js'
import {parseManifest, PartnerProvider} from '../../../../src/platform/addons/partner.js'
import {PostgresqlProvider} from '../../../../src/platform/addons/postgresql.js'
import {RedisProvider} from '../../../../src/platform/addons/redis.js'
import {createUser} from '../../../../src/platform/bootstrap.js'
import {randomPortRange, type RuntimePlatform, startRuntimePlatform, waitFor} from '../../fixtures/runtime/helpers.js'
import {ApiClient} from '../../helpers.js'

const CHROMIUM = process.env.HEROKU_TEST_CHROMIUM ?? '/usr/bin/chromium'
const SHOTS = join(process.cwd(), 'test-output', 'dashboards')
const PASSWORD = 'correct horse battery'
const EVIL_TABLE = '<img src=x onerror=alert(1)>notes'
const EVIL_SUBJECT = '<script>alert(1)</script>'
const SALT = 'partner-sso-salt'

interface Addon {
  id: string
  name: string
  web_url: string
}

describe('add-on dashboards in a real browser (chromium, single sign-on)', function () {
  this.timeout(60_000)
  let t: RuntimePlatform
  let browser: Browser
  let email: string
  const addons: Record<'mail' | 'memcache' | 'partner' | 'pg' | 'redis', Addon> = {} as never
  let vars: Record<string, string>
  /** requests the mail's remote image would make (it must make none) */
  const pixelHits: string[] = []
  let pixel: Server
  let pixelOrigin: string
  const dialogs: string[] = []

  /** a partner's provisioning API (/partner) and its SSO endpoint (/partner/sso), checking the signed POST */
  const partnerSeen: Record<string, string>[] = []
  async function partnerRequest(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    if (req.url === '/partner' && req.method === 'POST') {
      res.writeHead(201, {'Content-Type': 'application/json'}).end(JSON.stringify({id: 'partner-resource-7', config: {DASHPARTNER_URL: 'https://partner.example/db/7'}}))
      return
    }

    if (req.url === '/partner/sso' && req.method === 'POST') {
      const form = Object.fromEntries(new URLSearchParams(text))
      partnerSeen.push(form)
      const sha1 = (value: string) => createHash('sha1').update(value).digest('hex')
      const fresh = Math.abs(Date.now() / 1000 - Number(form.timestamp)) < 300
      const ok = fresh && form.resource_token === sha1(`${form.resource_id}:${SALT}:${form.timestamp}`) && form.token === sha1(`${form.id}:${SALT}:${form.timestamp}`)
      res.writeHead(ok ? 200 : 403, {'Content-Type': 'text/html'}).end(ok ? `<h1>Partner dashboard of ${form.id}</h1>` : '<h1>bad token</h1>')
      return
    }

    res.writeHead(200, {'Content-Type': 'application/json'}).end('{}')
  }

  async function sso(addon: Addon, client: ApiClient = t.client): Promise<string> {
    const answer = await client.get(`/apps/dash-app/addons/${addon.name}/sso`)
    expect(answer.status, answer.text).to.equal(200)
    expect(answer.body.method).to.equal('get')
    return answer.body.action as string
  }

  async function newPage(context?: BrowserContext): Promise<Page> {
    const page = await (context ?? await browser.newContext({viewport: {width: 1200, height: 900}})).newPage()
    page.on('dialog', dialog => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    return page
  }

  const shot = (page: Page, name: string) => page.screenshot({path: join(SHOTS, `${name}.png`), fullPage: true})

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      (skipped: no chromium at ${CHROMIUM}; apt-get install -y chromium, or set HEROKU_TEST_CHROMIUM)`)
      this.skip()
    }

    mkdirSync(SHOTS, {recursive: true})
    // another origin on this host: a remote image for the mail, and a page that posts a form to a dashboard
    pixel = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      if (url.pathname.startsWith('/partner')) {
        void partnerRequest(req, res)
        return
      }

      if (url.pathname === '/attack') {
        res.setHeader('Content-Type', 'text/html')
        res.end(`<form id="f" method="post" action="${url.searchParams.get('target')}"><input name="x" value="1"></form><script>document.getElementById('f').submit()</script>`)
        return
      }

      pixelHits.push(req.url ?? '')
      res.end()
    })
    await new Promise<void>(resolve => pixel.listen(0, '127.0.0.1', resolve))
    pixelOrigin = `http://127.0.0.1:${(pixel.address() as AddressInfo).port}`
    const partner = new PartnerProvider(parseManifest({
      id: 'dashpartner', name: 'Dash Partner',
      api: {password: 'pw', sso_salt: SALT, regions: ['us'], config_vars: ['DASHPARTNER_URL'], production: {base_url: `${pixelOrigin}/partner`, sso_url: `${pixelOrigin}/partner/sso`}, version: '3'},
      plans: [{name: 'free', default: true}],
    }))
    const {chromium} = await import('playwright-core')
    const ports = randomPortRange();
    [t, browser] = await Promise.all([
      startRuntimePlatform({
        addonProviders: [new PostgresqlProvider(null), new RedisProvider({ports: [ports[0], ports[0] + 49]}), new MemcacheProvider({ports: [ports[0] + 50, ports[1]]}), new MailProvider(), partner],
        loginThrottle: {maxFailures: 3, windowMs: 60_000},
      }),
      chromium.launch({executablePath: CHROMIUM, args: ['--no-sandbox']}),
    ])
    email = (await t.client.get('/account')).body.email
    expect((await t.client.post('/apps', {name: 'dash-app'})).status).to.equal(201)
    const plans = {pg: 'heroku-postgresql', redis: 'heroku-redis', memcache: 'memcachier', mail: 'sendgrid', partner: 'dashpartner'} as const
    await Promise.all(Object.entries(plans).map(async ([key, plan]) => {
      const created = await t.client.post('/apps/dash-app/addons', {plan})
      expect(created.status, created.text).to.be.oneOf([201, 202])
      await waitFor(`${plan} provisioned`, async () => (await t.client.get(`/apps/dash-app/addons/${created.body.name}`)).body.state === 'provisioned', 40_000)
      addons[key as keyof typeof plans] = created.body
    }))
    vars = (await t.client.get('/apps/dash-app/config-vars')).body
  })

  after(async () => {
    await browser?.close()
    await t?.close()
    pixel?.close()
  })

  it('gives every add-on and attachment a web_url on the platform; SSO answers {method, action} with a one-time token, never the API token', async () => {
    for (const addon of Object.values(addons)) {
      expect(addon.web_url).to.equal(`${t.platform.url}/addon-dashboards/${addon.id}/`)
      expect((await t.client.get(`/addons/${addon.id}`)).body.web_url).to.equal(addon.web_url)
    }

    const attachments = (await t.client.get('/apps/dash-app/addon-attachments')).body as {addon: {id: string}, web_url: string}[]
    expect(attachments).to.have.length(5)
    for (const attachment of attachments) expect(attachment.web_url).to.equal(`${t.platform.url}/addon-dashboards/${attachment.addon.id}/`)
    const action = await sso(addons.pg)
    expect(action).to.match(new RegExp(`^${addons.pg.web_url.replaceAll('.', String.raw`\.`)}sso\\?token=[\\w-]{43}$`))
    expect(action).not.to.include(t.token)
    expect(await sso(addons.pg)).not.to.equal(action)
    // another account gets none
    const stranger = await createUser(t.platform.store, {email: 'stranger@example.com', password: PASSWORD})
    const refused = await t.client.withToken(stranger.token).get(`/addons/${addons.pg.id}/sso`)
    expect(refused.status).to.be.oneOf([403, 404])
    expect(refused.text).not.to.include('token=')
  })

  it('Postgres: SSO lands signed in on the dashboard (no token in the URL): version, size, tables with rows and sizes, connections; the password hidden until revealed', async () => {
    const db = new pg.Client({connectionString: vars.DATABASE_URL})
    await db.connect()
    try {
      await db.query(`CREATE TABLE "${EVIL_TABLE}" (id serial PRIMARY KEY, body text)`)
      await db.query(`INSERT INTO "${EVIL_TABLE}" (body) SELECT 'row ' || n FROM generate_series(1, 42) n`)
      await db.query('CREATE TABLE widgets (id int)')
      // a backup (pg:backups, run by the platform) is listed on the dashboard
      const backups = `/apps/dash-app/addons/${addons.pg.name}/backups`
      expect((await t.client.post(backups)).status).to.equal(202)
      await waitFor('the backup', async () => (await t.client.get(`${backups}/b001`)).body.status === 'succeeded', 20_000, 100)
      const page = await newPage()
      const response = await page.goto(await sso(addons.pg))
      expect(response!.status()).to.equal(200)
      expect(page.url()).to.equal(addons.pg.web_url)
      const headers = response!.headers()
      expect(headers['content-security-policy']).to.include("default-src 'none'").and.include('nonce-').and.include("frame-ancestors 'none'")
      expect(headers['x-frame-options']).to.equal('DENY')
      const cookies = await page.context().cookies()
      expect(cookies).to.have.length(1)
      expect(cookies[0]).to.include({name: 'hk_dashboard_session', path: `/addon-dashboards/${addons.pg.id}/`, httpOnly: true, sameSite: 'Lax', secure: false})
      await expect(page.getByRole('heading', {level: 1})).to.be.ok
      expect(await page.locator('h1').textContent()).to.equal(addons.pg.name)
      const tables = page.locator('#tables + .scroll')
      // the table name is shown as text, never markup
      expect(await tables.getByRole('row', {name: EVIL_TABLE}).locator('td').nth(1).textContent()).to.equal('42')
      expect(await tables.getByRole('row', {name: 'widgets'}).locator('td').nth(1).textContent()).to.equal('0')
      expect(await page.locator('.card', {hasText: 'PostgreSQL'}).locator('dd').textContent()).to.match(/^\d+(\.\d+)?$/)
      expect(await page.locator('.card', {hasText: 'Database size'}).locator('dd').textContent()).to.match(/\d+(\.\d)? MB of 1 GB/)
      // this test's own connection
      expect(await page.locator('#connections + .scroll tbody tr').count()).to.be.at.least(1)
      const password = decodeURIComponent(new URL(vars.DATABASE_URL).password)
      expect(await page.getByText(password, {exact: true}).isVisible()).to.equal(false)
      await page.getByText('Reveal password').focus()
      await page.keyboard.press('Enter')
      expect(await page.getByText(password, {exact: true}).isVisible()).to.equal(true)
      expect(await page.locator('#backups + .scroll tbody tr').first().locator('td').nth(1).textContent()).to.equal('succeeded')
      expect(await page.locator('#backups + .scroll tbody tr').first().locator('td').first().textContent()).to.equal('b001')
      await shot(page, 'postgres')
      // a phone's width: readable without sideways scrolling of the page itself
      await page.setViewportSize({width: 390, height: 844})
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).to.equal(true) // runs in the page
      await shot(page, 'postgres-phone')
      expect(dialogs).to.deep.equal([])
      await page.context().close()
    } finally {
      await db.end()
    }
  })

  it('Redis: memory / maxmemory, keys, clients, ops/s, hit rate, the slow log', async () => {
    const client = createClient({url: vars.REDIS_URL, socket: {reconnectStrategy: false}})
    client.on('error', () => {})
    await client.connect()
    try {
      await client.set('greeting', 'hello')
      await client.get('greeting')
      await client.get('missing')
    } finally {
      client.destroy()
    }

    const page = await newPage()
    await page.goto(await sso(addons.redis))
    expect(page.url()).to.equal(addons.redis.web_url)
    const value = (label: string) => page.locator('.card', {hasText: label}).locator('dd').textContent()
    expect(await value('Keys')).to.equal('1')
    expect(await value('Memory used')).to.match(/ of 25 MB$/)
    expect(await value('Hit rate')).to.match(/^50\.0 % 1 hits, 1 misses$/)
    expect(await value('Connected clients')).to.match(/^\d+$/)
    expect(await value('Ops/s')).to.match(/^\d+$/)
    expect(await page.getByRole('heading', {name: 'Slow log'}).isVisible()).to.equal(true)
    await shot(page, 'redis')
    await page.context().close()
  })

  it('Memcache: items, memory, hits and misses, evictions', async () => {
    const client = memjs.Client.create(vars.MEMCACHIER_SERVERS, {username: vars.MEMCACHIER_USERNAME, password: vars.MEMCACHIER_PASSWORD, retries: 0, timeout: 2, logger: {log() {}}})
    try {
      await client.set('cached', 'value', {expires: 600})
      await client.get('cached')
      await client.get('absent')
    } finally {
      client.close()
    }

    const page = await newPage()
    await page.goto(await sso(addons.memcache))
    const value = (label: string) => page.locator('.card', {hasText: label}).locator('dd').textContent()
    expect(await value('Items')).to.equal('1')
    expect(await value('Hits')).to.equal('1')
    expect(await value('Misses')).to.equal('1')
    expect(await value('Evictions')).to.equal('0')
    expect(await value('Memory')).to.match(/ of 25 MB$/)
    await shot(page, 'memcache')
    await page.context().close()
  })

  it('Mail: messages newest first, a <script> subject shown as text, the HTML sandboxed without remote content; delete one and all with CSRF, refused without', async () => {
    const transport = nodemailer.createTransport(vars.SMTP_URL)
    const pixelUrl = `${pixelOrigin}/pixel.gif`
    try {
      await transport.sendMail({from: 'app@example.com', to: 'first@example.org', subject: 'First message', text: 'the first'})
      await transport.sendMail({
        from: 'app@example.com', to: 'user@example.org', subject: EVIL_SUBJECT, text: 'plain text part',
        html: `<h1>Hello from HTML</h1><img src="${pixelUrl}" alt="tracker"><script>alert('from mail')</script><p style="color:red">styled</p>`,
      })
    } finally {
      transport.close()
    }

    const page = await newPage()
    await page.goto(await sso(addons.mail))
    const rows = page.locator('#messages + .actions + .scroll tbody tr')
    expect(await rows.count()).to.equal(2)
    // newest first; the subject is text
    expect(await rows.nth(0).locator('td').nth(3).textContent()).to.equal(EVIL_SUBJECT)
    expect(await rows.nth(1).locator('td').nth(3).textContent()).to.equal('First message')
    expect(await rows.nth(0).locator('td').nth(1).textContent()).to.equal('app@example.com')
    expect(await page.locator('script').count()).to.equal(0)
    await shot(page, 'mail')

    await page.getByRole('link', {name: EVIL_SUBJECT}).click()
    expect(await page.getByRole('heading', {name: EVIL_SUBJECT}).isVisible()).to.equal(true)
    expect(await page.locator('pre').first().textContent()).to.include('plain text part')
    expect(await page.locator('td', {hasText: 'user@example.org'}).count()).to.be.at.least(1)
    const frame = page.frameLocator('iframe[sandbox]')
    expect(await frame.getByRole('heading', {name: 'Hello from HTML'}).textContent()).to.equal('Hello from HTML')
    expect(await page.locator('iframe').getAttribute('sandbox')).to.equal('')
    await shot(page, 'mail-message')
    await page.waitForTimeout(300)
    expect(pixelHits, 'the remote image was not loaded').to.deep.equal([])
    expect(dialogs, 'no script ran').to.deep.equal([])

    // a POST without the CSRF token, or with a wrong one, is refused even with the session's cookie
    const base = addons.mail.web_url
    const messageUrl = page.url()
    const bare = await page.context().request.post(`${base}messages/delete-all`, {form: {}, maxRedirects: 0})
    expect(bare.status()).to.equal(403)
    const wrong = await page.context().request.post(`${base}messages/delete-all`, {form: {csrf: 'x'.repeat(43)}, maxRedirects: 0})
    expect(wrong.status()).to.equal(403)
    // a form on another origin of this host (as an app's page would be) is refused too
    const attack = await page.goto(`${pixelOrigin}/attack?target=${encodeURIComponent(`${base}messages/delete-all`)}`)
    expect(attack!.status()).to.equal(200)
    await page.waitForURL(`${base}messages/delete-all`)
    expect(await page.locator('h1').textContent()).to.equal('Refused')
    expect(await (t.platform.context.catalog.findService('sendgrid')!.provider as MailProvider).messages.list(addons.mail.id)).to.have.length(2)
    await page.goto(messageUrl)

    await page.getByRole('button', {name: 'Delete this message'}).click()
    expect(page.url()).to.equal(`${base}?deleted=1`)
    expect(await page.getByText('Deleted 1 message.').isVisible()).to.equal(true)
    expect(await page.locator('#messages + .actions + .scroll tbody tr').count()).to.equal(1)
    await page.getByRole('button', {name: 'Delete all messages'}).click()
    expect(await page.getByText('No mail captured yet.').isVisible()).to.equal(true)
    await page.context().close()
  })

  it('refuses a reused SSO link and an expired one; a dashboard without a session leads to sign-in, which works with the right password only', async () => {
    const action = await sso(addons.redis)
    // a HEAD (a link preview) does not use the link up
    expect((await fetch(action, {method: 'HEAD', redirect: 'manual'})).status).to.equal(405)
    const first = await newPage()
    expect((await first.goto(action))!.status()).to.equal(200)
    await first.context().close()
    const again = await newPage()
    const reused = await again.goto(action)
    expect(reused!.status()).to.equal(403)
    expect(await again.locator('main').textContent()).to.include('was used already')
    expect(await again.context().cookies()).to.deep.equal([])

    const late = await sso(addons.redis)
    t.platform.store.run('UPDATE dashboard_sso_tokens SET expires_at = ? WHERE used_at IS NULL', Date.now() - 1)
    const expired = await again.goto(late)
    expect(expired!.status()).to.equal(403)
    expect(await again.locator('main').textContent()).to.include('has expired')

    // no session: the sign-in page, which comes back to the dashboard
    await again.goto(addons.redis.web_url)
    expect(new URL(again.url()).pathname).to.equal('/addon-dashboards/sign-in')
    expect(await again.getByRole('heading', {name: 'Sign in'}).isVisible()).to.equal(true)
    await shot(again, 'sign-in')
    await again.getByLabel('Email').fill(email)
    await again.getByLabel('Password').fill('wrong password')
    await again.getByRole('button', {name: 'Sign in'}).click()
    expect(await again.locator('#sign-in-error').textContent()).to.equal('Invalid email or password.')
    await again.getByLabel('Password').fill(PASSWORD)
    await again.getByLabel('Password').press('Enter')
    await again.waitForURL(addons.redis.web_url)
    expect(await again.locator('h1').textContent()).to.equal(addons.redis.name)
    // signed in with a password: every add-on of the account
    await again.goto(addons.memcache.web_url)
    expect(await again.locator('h1').textContent()).to.equal(addons.memcache.name)
    const cookie = (await again.context().cookies()).find(c => c.name === 'hk_dashboard_session')!
    expect(cookie).to.include({path: '/addon-dashboards/', httpOnly: true, sameSite: 'Lax'})
    await again.context().close()
  })

  it('a sign-in POST without its CSRF token is refused; an SSO session is for its add-on only; another account is refused', async () => {
    const page = await newPage()
    await page.goto(`${t.platform.url}/addon-dashboards/sign-in`)
    const bare = await page.context().request.post(`${t.platform.url}/addon-dashboards/sign-in`, {form: {email, password: PASSWORD, next: '/addon-dashboards/'}, maxRedirects: 0})
    expect(bare.status()).to.equal(403)
    expect((await page.context().cookies()).filter(c => c.name === 'hk_dashboard_session')).to.deep.equal([])

    // an SSO session for Redis does not open memcached's dashboard
    await page.goto(await sso(addons.redis))
    expect(page.url()).to.equal(addons.redis.web_url)
    await page.goto(addons.memcache.web_url)
    expect(new URL(page.url()).pathname).to.equal('/addon-dashboards/sign-in')
    await page.context().close()

    // another account, signed in with its own password: 403 on this account's add-ons
    const other = await newPage()
    await other.goto(`${t.platform.url}/addon-dashboards/sign-in`)
    await other.getByLabel('Email').fill('stranger@example.com')
    await other.getByLabel('Password').fill(PASSWORD)
    await other.getByRole('button', {name: 'Sign in'}).click()
    expect(await other.getByRole('heading', {name: 'Your add-ons'}).isVisible()).to.equal(true)
    const refused = await other.goto(addons.pg.web_url)
    expect(refused!.status()).to.equal(403)
    expect(await other.locator('main').textContent()).to.include('stranger@example.com')
    await shot(other, 'refused-other-account')
    // and signing out ends the session
    await other.goto(`${t.platform.url}/addon-dashboards/`)
    await other.getByRole('button', {name: 'Sign out'}).click()
    await other.goto(`${t.platform.url}/addon-dashboards/`)
    expect(new URL(other.url()).pathname).to.equal('/addon-dashboards/sign-in')
    await other.context().close()
  })

  it("a partner add-on's dashboard is the provider's own, reached by the Partner API's signed SSO POST", async () => {
    const page = await newPage()
    await page.goto(await sso(addons.partner))
    await page.waitForURL(`${pixelOrigin}/partner/sso`)
    expect(await page.locator('h1').textContent()).to.equal('Partner dashboard of partner-resource-7')
    const form = partnerSeen.at(-1)!
    expect(form).to.include({resource_id: addons.partner.id, id: 'partner-resource-7', email, app: 'dash-app'})
    expect(JSON.parse(Buffer.from(form['nav-data'], 'base64').toString('utf8'))).to.include({appname: 'dash-app'})
    expect(form.user_scoped_resource_token).to.equal(createHash('sha256').update(`${addons.partner.id}:${SALT}:${form.timestamp}:${form.user_id}:${email}`).digest('hex'))
    await page.context().close()
  })

  it("throttles the sign-in page with the API's login throttle: after 3 failures even the right password waits", async () => {
    await createUser(t.platform.store, {email: 'guessed@example.com', password: PASSWORD})
    const page = await newPage()
    await page.goto(`${t.platform.url}/addon-dashboards/sign-in`)
    for (let i = 0; i < 3; i++) {
      await page.getByLabel('Email').fill('guessed@example.com')
      await page.getByLabel('Password').fill(`guess ${i}`)
      await page.getByRole('button', {name: 'Sign in'}).click()
      expect(await page.locator('#sign-in-error').textContent()).to.equal('Invalid email or password.')
    }

    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', {name: 'Sign in'}).click()
    expect(await page.locator('#sign-in-error').textContent()).to.match(/^Too many failed logins/)
    // the API counts the same failures
    const api = await fetch(`${t.platform.url}/oauth/authorizations`, {method: 'POST', headers: {Accept: 'application/vnd.heroku+json; version=3', 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`guessed@example.com:${PASSWORD}`).toString('base64')}`}, body: '{}'})
    expect(api.status).to.equal(429)
    await page.context().close()
  })
})
