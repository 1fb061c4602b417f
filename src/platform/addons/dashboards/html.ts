// What every dashboard page shares: escaping, the layout (small inline CSS under a per-response
// nonce, no script, no CDN), the security headers and the HTML response itself.
//
// Everything a page shows goes through html`…` (or esc()): a mail subject, a table name or a key
// is untrusted input. Only values made with html`…` or raw() are inserted unescaped.

import type {ServerResponse} from 'node:http'

import {randomBytes} from 'node:crypto'

/** HTML a template produced (already escaped); anything else inserted into html`…` is escaped. */
export class Html {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text
  }
}

const ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;'}

/** Text made safe for element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replaceAll(/[&<>"'`]/g, c => ESCAPES[c])
}

export const raw = (text: string): Html => new Html(text)

type Part = boolean | Html | null | number | readonly Part[] | string | undefined

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return ''
  if (part instanceof Html) return part.text
  if (Array.isArray(part)) return part.map(p => render(p)).join('')
  return esc(part)
}

/** A template whose interpolations are escaped (arrays joined, Html kept, null/false dropped). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]
  return new Html(out)
}

export function newNonce(): string {
  return randomBytes(16).toString('base64')
}

const CSS = `
:root{color-scheme:light dark;--fg:#1d1d28;--muted:#5c5c6e;--bg:#f6f6f9;--card:#fff;--line:#dcdce4;--accent:#5a2fa8;--bad:#b3261e;--good:#1b7f3b}
@media (prefers-color-scheme:dark){:root{--fg:#ececf3;--muted:#a9a9bb;--bg:#15151c;--card:#1f1f29;--line:#34343f;--accent:#b79cf0;--bad:#f2867f;--good:#6fcf8e}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--card);padding:.5rem;z-index:1}
header{background:var(--card);border-bottom:1px solid var(--line);padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between}
header .who{color:var(--muted);font-size:.9rem;display:flex;gap:.75rem;align-items:center;flex-wrap:wrap}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.25rem 0 1rem;overflow-wrap:anywhere}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.sub{color:var(--muted);margin-top:-.75rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.75rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem}
.card dt{color:var(--muted);font-size:.85rem}.card dd{margin:0;font-size:1.25rem;font-weight:600;overflow-wrap:anywhere}
.scroll{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:.5rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.45rem .75rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.85rem;color:var(--muted);font-weight:600;white-space:nowrap}
td.mono,td code{overflow-wrap:anywhere}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr:last-child td{border-bottom:0}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9rem}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.75rem;margin:0}
dl.kv{display:grid;grid-template-columns:minmax(7rem,max-content) 1fr;gap:.25rem 1rem;background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem;margin:0}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;overflow-wrap:anywhere}
details summary{cursor:pointer;color:var(--accent)}
button,.button{font:inherit;border:1px solid var(--accent);background:var(--accent);color:#fff;border-radius:.35rem;padding:.35rem .8rem;cursor:pointer;text-decoration:none;display:inline-block}
button.quiet{background:transparent;color:var(--accent)}
button.danger{background:var(--bad);border-color:var(--bad)}
form.inline{display:inline}
.actions{display:flex;gap:.5rem;flex-wrap:wrap;margin:.5rem 0}
.note{color:var(--muted);font-size:.9rem}
.error{color:var(--bad);font-weight:600}
label{display:block;margin:.75rem 0 .25rem}
input[type=email],input[type=password]{font:inherit;width:100%;padding:.5rem;border:1px solid var(--line);border-radius:.35rem;background:var(--card);color:var(--fg)}
.narrow{max-width:24rem;margin:2rem auto}
iframe{width:100%;min-height:24rem;border:1px solid var(--line);border-radius:.5rem;background:#fff}
@media (max-width:40rem){main{padding:.75rem}th,td{padding:.4rem .5rem}dl.kv{grid-template-columns:1fr}dl.kv dd{margin-bottom:.35rem}}
`

export interface PageOptions {
  body: Html
  /** the header's right side (who is signed in, sign out) */
  header?: Html
  nonce: string
  title: string
}

export function page({title, nonce, header, body}: PageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style nonce="${esc(nonce)}">${CSS}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><strong>Local platform · add-ons</strong>${header ? `<div class="who">${header.text}</div>` : ''}</header>
<main id="main">
${body.text}
</main>
</body>
</html>
`
}

export interface HtmlResponseOptions {
  /** extra CSP directives or overrides, e.g. {'form-action': "'self' https://partner.example"} */
  csp?: Record<string, string>
  headers?: Record<string, string>
  nonce: string
  status?: number
}

/** The dashboards' CSP: nothing but the page's own nonce'd style, images from here, frames from here. */
export function contentSecurityPolicy(nonce: string, overrides: Record<string, string> = {}): string {
  const directives: Record<string, string> = {
    'default-src': "'none'",
    'style-src': `'nonce-${nonce}'`,
    'img-src': "'self' data:",
    'frame-src': "'self'",
    'form-action': "'self'",
    'base-uri': "'none'",
    'frame-ancestors': "'none'",
    ...overrides,
  }
  return Object.entries(directives).map(([name, value]) => `${name} ${value}`).join('; ')
}

/** Headers every dashboard response carries (the CSP comes per response). */
export function securityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
}

export function sendHtml(res: ServerResponse, document: string, {status = 200, nonce, csp, headers = {}}: HtmlResponseOptions): void {
  securityHeaders(res)
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(nonce, csp))
  res.setHeader('X-Frame-Options', 'DENY')
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  res.setHeader('Content-Type', 'text/html; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(document))
  res.writeHead(status).end(res.req?.method === 'HEAD' ? undefined : document)
}

export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  securityHeaders(res)
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  res.setHeader('Location', location)
  res.setHeader('Content-Length', 0)
  res.writeHead(303).end()
}

// --- small formatting helpers --------------------------------------------------------

export function bytes(value: null | number | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let n = value
  let unit = 0
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024
    unit++
  }

  return `${unit === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[unit]}`
}

export function count(value: null | number | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toLocaleString('en-US')
}

export function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)} %` : '—'
}

export const card = (label: string, value: Part): Html => html`<div class="card"><dt>${label}</dt><dd>${value}</dd></div>`
export const cards = (items: Html[]): Html => html`<dl class="cards">${items}</dl>`

export function table(headings: readonly (string | {num?: boolean, text: string})[], rows: readonly (readonly Part[])[], empty: string, numeric: readonly number[] = []): Html {
  if (rows.length === 0) return html`<p class="note">${empty}</p>`
  const head = headings.map((h, i) => {
    const text = typeof h === 'string' ? h : h.text
    return numeric.includes(i) ? html`<th scope="col" class="num">${text}</th>` : html`<th scope="col">${text}</th>`
  })
  const body = rows.map(row => html`<tr>${row.map((cell, i) => numeric.includes(i) ? html`<td class="num">${cell}</td>` : html`<td>${cell}</td>`)}</tr>`)
  return html`<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`
}
