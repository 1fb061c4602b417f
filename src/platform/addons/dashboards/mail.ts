// sendgrid's dashboard: the captured messages, newest first; one message's headers, text and HTML
// (the HTML in a sandboxed iframe from a route of its own, whose CSP loads nothing remote and runs
// nothing); delete one or all (POST forms with the session's CSRF token).

import type {StoredMessage} from '../mail-store.js'

import {type MailProvider, SMTP_HOST} from '../mail.js'
import {bytes, html, securityHeaders, table} from './html.js'
import {parseMessage} from './mime.js'
import {attachmentNames} from './shared.js'
import {type DashboardPage, type DashboardRequest, postButton, type ServiceDashboard, unavailable} from './view.js'

const MESSAGE_ID = /^[0-9a-z]{8,12}-[0-9a-f]{8}$/

/** The HTML body's own policy: nothing remote, no script, no forms, inline styles and data: images only. */
export const MAIL_HTML_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; frame-ancestors 'self'"

export function mailDashboard(provider: MailProvider): ServiceDashboard {
  return {
    async render(d: DashboardRequest) {
      let messages: StoredMessage[] | undefined
      let failure
      try {
        messages = await provider.messages.list(d.addon.id)
      } catch (error) {
        failure = unavailable(error)
      }

      const notice = d.rest.length === 0 ? noticeOf(new URL(d.req.url ?? '/', 'http://x').searchParams.get('deleted')) : undefined
      return {
        body: html`
        ${failure}
        ${notice === undefined ? '' : html`<p role="status">${notice}</p>`}
        <p class="note">Mail sent through this add-on's SMTP server (${SMTP_HOST}:${provider.smtpPort ?? '—'}) is captured here and never delivered. ${attachmentNames(d).join(', ')}</p>
        <h2 id="messages">Messages${messages === undefined ? '' : ` (${messages.length})`}</h2>
        ${messages === undefined || messages.length === 0 ? '' : html`<div class="actions">${postButton(d, `${d.base}messages/delete-all`, 'Delete all messages', 'danger')}</div>`}
        ${messages === undefined
          ? ''
          : table(
            ['Received', 'From', 'To', 'Subject', 'Size'],
            messages.map(m => [m.receivedAt, m.from ?? '<>', m.to.join(', '), html`<a href="${d.base}messages/${m.id}">${m.subject === null || m.subject === '' ? '(no subject)' : m.subject}</a>`, bytes(m.size)]),
            'No mail captured yet.', [4],
          )}
      `,
      }
    },

    async route(d: DashboardRequest): Promise<DashboardPage | true | undefined> {
      const [first, id, action] = d.rest
      if (first !== 'messages') return undefined
      const {method} = d.req
      if (method === 'POST' && id === 'delete-all' && action === undefined) {
        const n = await provider.messages.deleteAll(d.addon.id)
        redirectTo(d, `${d.base}?deleted=${n}`)
        return true
      }

      if (id === undefined || !MESSAGE_ID.test(id)) return undefined
      if (method === 'POST' && action === 'delete') {
        const deleted = await provider.messages.delete(d.addon.id, id)
        redirectTo(d, `${d.base}?deleted=${deleted ? 1 : 0}`)
        return true
      }

      if (method !== 'GET') return undefined
      const found = await provider.messages.read(d.addon.id, id)
      if (found === undefined) return {status: 404, title: 'Message not found', body: html`<p>This message is not (or no longer) kept. <a href="${d.base}">All messages</a></p>`}
      const parsed = parseMessage(found.raw)
      if (action === 'html') {
        // the HTML part alone, under its own CSP (sandbox: an opaque origin, no script), framed by the message page only
        const body = parsed.html ?? ''
        securityHeaders(d.res)
        d.res.setHeader('Content-Security-Policy', MAIL_HTML_CSP)
        d.res.setHeader('X-Frame-Options', 'SAMEORIGIN')
        d.res.setHeader('Content-Type', 'text/html; charset=utf-8')
        d.res.setHeader('Content-Length', Buffer.byteLength(body))
        d.res.writeHead(200).end(body)
        return true
      }

      if (action !== undefined) return undefined
      const m = found.message
      return {
        title: m.subject ?? '(no subject)',
        body: html`
          <p><a href="${d.base}">← All messages</a></p>
          <h2 id="message">${m.subject === null || m.subject === '' ? '(no subject)' : m.subject}</h2>
          <dl class="kv">
            <dt>From</dt><dd>${m.from ?? '<>'}</dd>
            <dt>To</dt><dd>${m.to.join(', ')}</dd>
            <dt>Received</dt><dd>${m.receivedAt}</dd>
            <dt>Size</dt><dd>${bytes(m.size)}</dd>
          </dl>
          <div class="actions">${postButton(d, `${d.base}messages/${m.id}/delete`, 'Delete this message', 'danger')}</div>
          ${parsed.html === null
            ? ''
            : html`<h2 id="html">HTML</h2>
            <p class="note">Shown sandboxed: scripts do not run and remote content (images, fonts, tracking pixels) is not loaded.</p>
            <iframe title="The message's HTML body" sandbox="" referrerpolicy="no-referrer" src="${d.base}messages/${m.id}/html"></iframe>`}
          <h2 id="text">Text</h2>
          ${parsed.text === null ? html`<p class="note">No text part.</p>` : html`<pre>${parsed.text}</pre>`}
          ${parsed.attachments.length === 0 ? '' : html`<h2 id="attachments">Attachments</h2>${table(['Name', 'Type', 'Size'], parsed.attachments.map(a => [a.filename ?? '(unnamed)', a.type, bytes(a.size)]), '', [2])}`}
          <h2 id="headers">Headers</h2>
          <div class="scroll"><table><tbody>${parsed.headers.map(h => html`<tr><th scope="row">${h.name}</th><td class="mono">${h.value}</td></tr>`)}</tbody></table></div>
          <details><summary>Raw message</summary><pre>${found.raw.toString('utf8')}</pre></details>
        `,
      }
    },
  }
}

function noticeOf(deleted: null | string): string | undefined {
  if (deleted === null || !/^\d+$/.test(deleted)) return undefined
  const n = Number(deleted)
  return n === 0 ? 'Nothing was deleted (the message was gone already).' : `Deleted ${n} message${n === 1 ? '' : 's'}.`
}

function redirectTo(d: DashboardRequest, location: string): void {
  securityHeaders(d.res)
  d.res.setHeader('Location', location)
  d.res.setHeader('Content-Length', 0)
  d.res.writeHead(303).end()
}
