// The dashboards' sessions and SSO tokens against a real store with a moved clock (expiry at the
// millisecond), their cookies, CSRF tokens, escaping, and the MIME reading of captured mail.

import type {IncomingMessage} from 'node:http'

import {expect} from 'chai'

import {esc, html} from '../../../../src/platform/addons/dashboards/html.js'
import {parseMessage} from '../../../../src/platform/addons/dashboards/mime.js'
import {
  csrfToken, issueSsoUrl, redeemSso, SESSION_TTL_MS, sessionFor, sessionsOf, SSO_TOKEN_TTL_MS, startSession,
} from '../../../../src/platform/addons/dashboards/session.js'
import {safeNext} from '../../../../src/platform/addons/dashboards/sign-in.js'
import {createUser} from '../../../../src/platform/bootstrap.js'
import {newId} from '../../../../src/platform/ids.js'
import {findAccountById} from '../../../../src/platform/store/accounts.js'
import {type AddonRow, insertAddon} from '../../../../src/platform/store/addons.js'
import {insertApp} from '../../../../src/platform/store/apps.js'
import {startTestPlatform, type TestPlatform} from '../../helpers.js'

const request = (cookie?: string, encrypted = false): IncomingMessage => ({headers: cookie === undefined ? {} : {cookie}, socket: {encrypted}}) as unknown as IncomingMessage
const cookiePart = (setCookie: string): string => setCookie.split(';')[0]

describe('add-on dashboards: sessions, SSO tokens, CSRF, escaping, MIME', () => {
  let t: TestPlatform
  let addon: AddonRow
  let other: AddonRow

  before(async () => {
    t = await startTestPlatform()
    const {store} = t.platform
    const app = insertApp(store, {name: 'sess-app', ownerId: t.owner.account.id})
    addon = insertAddon(store, {id: newId(), name: 'thing-1', appId: app.id, service: 'heroku-redis', plan: 'heroku-redis:mini', options: {}})
    other = insertAddon(store, {id: newId(), name: 'thing-2', appId: app.id, service: 'heroku-redis', plan: 'heroku-redis:mini', options: {}})
  })

  after(() => t?.close())
  const account = () => findAccountById(t.platform.store, t.owner.account.id)!

  it('an SSO link works once, for its add-on only, and not at or after 60 s', () => {
    const ctx = t.platform.context
    const now = 1_000_000
    const token = (url: string) => new URL(url).searchParams.get('token')!
    const url = issueSsoUrl(ctx, account(), addon, now)
    expect(url).to.match(new RegExp(`/addon-dashboards/${addon.id}/sso\\?token=[\\w-]{43}$`))
    expect(redeemSso(ctx, token(url), other.id, now)).to.deep.equal({ok: false, reason: 'unknown'})
    expect(redeemSso(ctx, token(url), addon.id, now + SSO_TOKEN_TTL_MS - 1).ok).to.equal(true)
    expect(redeemSso(ctx, token(url), addon.id, now + 1)).to.deep.equal({ok: false, reason: 'used'})
    const late = issueSsoUrl(ctx, account(), addon, now)
    expect(redeemSso(ctx, token(late), addon.id, now + SSO_TOKEN_TTL_MS)).to.deep.equal({ok: false, reason: 'expired'})
    expect(redeemSso(ctx, 'not a token', addon.id, now)).to.deep.equal({ok: false, reason: 'unknown'})
    // only hashes are kept
    const rows = t.platform.store.all<{token_hash: string}>('SELECT token_hash FROM dashboard_sso_tokens')
    for (const row of rows) expect(row.token_hash).to.match(/^[0-9a-f]{64}$/).and.not.equal(token(url))
  })

  it('sessions: cookie attributes (Secure over TLS), expiry, SSO sessions for their add-on, CSRF tokens per session', () => {
    const ctx = t.platform.context
    const now = 5_000_000
    const plain = startSession(ctx, request(), account(), addon.id, now)
    expect(plain).to.match(new RegExp(`^hk_dashboard_session=[\\w-]{43}; Path=/addon-dashboards/${addon.id}/; Max-Age=28800; HttpOnly; SameSite=Lax$`))
    expect(startSession(ctx, request(undefined, true), account(), null, now)).to.match(/; Path=\/addon-dashboards\/; Max-Age=28800; HttpOnly; SameSite=Lax; Secure$/)
    const req = request(cookiePart(plain))
    expect(sessionsOf(ctx, req, now + SESSION_TTL_MS - 1)).to.have.length(1)
    expect(sessionsOf(ctx, req, now + SESSION_TTL_MS)).to.deep.equal([])
    expect(sessionFor(ctx, req, addon, now).session?.account.id).to.equal(t.owner.account.id)
    expect(sessionFor(ctx, req, other, now).session).to.equal(undefined)
    const second = request(cookiePart(startSession(ctx, request(), account(), null, now)))
    expect(csrfToken(sessionsOf(ctx, req, now)[0])).not.to.equal(csrfToken(sessionsOf(ctx, second, now)[0]))
    const stored = t.platform.store.all<{token_hash: string}>('SELECT token_hash FROM dashboard_sessions')
    expect(stored.map(r => r.token_hash)).not.to.include(cookiePart(plain).split('=')[1])
  })

  it("a signed-in session of another account is not this add-on's", async () => {
    const ctx = t.platform.context
    const stranger = await createUser(t.platform.store, {email: 'sess-stranger@example.com', password: 'correct horse battery'})
    const req = request(cookiePart(startSession(ctx, request(), findAccountById(t.platform.store, stranger.account.id)!, null)))
    const found = sessionFor(ctx, req, addon)
    expect(found.session).to.equal(undefined)
    expect(found.other?.account.email).to.equal('sess-stranger@example.com')
  })

  it('escapes every interpolated value; sign-in redirects stay on dashboard paths', () => {
    expect(esc('<script>"x" & \'y\'</script>')).to.equal('&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;')
    expect(html`<a title="${'" onclick="x'}">${'<b>'}</a>${[html`<i>ok</i>`, '<u>']}`.text).to.equal('<a title="&quot; onclick=&quot;x">&lt;b&gt;</a><i>ok</i>&lt;u&gt;')
    expect(safeNext('https://evil.example/')).to.equal('/addon-dashboards/')
    expect(safeNext('//evil.example/addon-dashboards/')).to.equal('/addon-dashboards/')
    expect(safeNext(`/addon-dashboards/${addon.id}/`)).to.equal(`/addon-dashboards/${addon.id}/`)
  })

  it('reads a multipart message: encoded-word subject, quoted-printable text, base64 HTML, attachments', () => {
    const raw = Buffer.from([
      'From: a@example.com',
      'Subject: =?utf-8?B?w4lsw6h2ZSA8Yj4=?=',
      '  =?utf-8?Q?caf=C3=A9?=',
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary=inner',
      '',
      '--inner',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'caf=C3=A9 au lait, a long line that is =',
      'soft-broken',
      '--inner',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('<p>Hello <b>HTML</b></p>').toString('base64'),
      '--inner--',
      '--outer',
      'Content-Type: application/pdf; name="report.pdf"',
      'Content-Disposition: attachment; filename="report.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 fake').toString('base64'),
      '--outer--',
      '',
    ].join('\r\n'))
    const parsed = parseMessage(raw)
    expect(parsed.headers.find(h => h.name === 'Subject')?.value).to.equal('Élève <b>café')
    expect(parsed.text).to.equal('café au lait, a long line that is soft-broken')
    expect(parsed.html).to.equal('<p>Hello <b>HTML</b></p>')
    expect(parsed.attachments).to.deep.equal([{filename: 'report.pdf', type: 'application/pdf', size: 13}])
    // a message without MIME structure is its own text; garbage does not throw
    expect(parseMessage(Buffer.from('Subject: hi\n\nplain body\n')).text).to.equal('plain body\n')
    expect(parseMessage(Buffer.from('\u0000\u0001 no headers at all')).text).to.equal('')
  })
})
