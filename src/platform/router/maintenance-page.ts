// The maintenance page (H80) of an app with a MAINTENANCE_PAGE_URL config var, as Heroku honours
// it: the router fetches that URL (http or https, within a timeout and a size cap), keeps the page
// in memory and serves it as the 503's body with the content type it came with. A request never
// waits for a fetch: until the page is there, or when fetching it failed (an error status, a
// timeout, too big, a refused connection), the built-in page is served. A fetched page is
// refreshed in the background once it is older than refreshMs (a minute) when a request needs
// it, and at once when the app's config or maintenance mode changes.
import {request as httpRequest, type IncomingMessage} from 'node:http'
import {request as httpsRequest} from 'node:https'

import type {PlatformEvents} from '../events.js'
import type {Store} from '../store/database.js'

import {appConfigJson} from '../store/apps.js'

/** the config var that names the page */
export const MAINTENANCE_PAGE_VAR = 'MAINTENANCE_PAGE_URL'

export interface MaintenancePageOptions {
  /** a page larger than this is refused; 1 MiB */
  maxBytes: number
  /** a page older than this is fetched again (in the background); a minute */
  refreshMs: number
  /** a fetch that takes longer is abandoned (the built-in page is served); 5 s */
  timeoutMs: number
}

export const DEFAULT_MAINTENANCE_PAGE_OPTIONS: MaintenancePageOptions = {timeoutMs: 5000, maxBytes: 1024 * 1024, refreshMs: 60_000}

export interface MaintenancePage {
  body: Buffer
  contentType: string
}

interface Entry {
  /** when the last fetch ended (ok or not); 0: never, or to be refreshed */
  fetchedAt: number
  fetching: boolean
  page?: MaintenancePage
  /** the app's MAINTENANCE_PAGE_URL when read; null: none (or not http/https) */
  url: null | string
}

export class MaintenancePages {
  private readonly entries = new Map<string, Entry>()
  private readonly o: MaintenancePageOptions
  private closed = false

  constructor(private readonly store: Store, options: Partial<MaintenancePageOptions> = {}) {
    this.o = {...DEFAULT_MAINTENANCE_PAGE_OPTIONS, ...options}
  }

  /** The app's fetched page, or undefined (serve the built-in one); never waits. */
  page(appId: string): MaintenancePage | undefined {
    const entry = this.entry(appId)
    if (entry.url === null) return undefined
    if (!entry.fetching && Date.now() - entry.fetchedAt >= this.o.refreshMs) this.fetch(appId, entry)
    return entry.page
  }

  /** Re-reads the app's config and fetches its page again (its config or maintenance changed). */
  changed(appId: string): void {
    const before = this.entries.get(appId)
    this.entries.delete(appId)
    const entry = this.entry(appId)
    // the page already fetched from the same URL serves until the new one is in
    if (before && before.url === entry.url) entry.page = before.page
    if (entry.url !== null) this.fetch(appId, entry)
  }

  /** Keeps pages in step with config and maintenance changes; returns the unsubscribe function. */
  watch(events: PlatformEvents): () => void {
    const offs = [
      events.on('app.maintenance.changed', ({appId, maintenance}) => {
        if (maintenance) this.changed(appId)
        else this.entries.delete(appId)
      }),
      events.on('release.created', ({appId}) => {
        if (this.entries.has(appId)) this.changed(appId)
      }),
      events.on('app.deleted', ({appId}) => this.entries.delete(appId)),
    ]
    return () => {
      for (const off of offs) off()
    }
  }

  close(): void {
    this.closed = true
    this.entries.clear()
  }

  private entry(appId: string): Entry {
    let entry = this.entries.get(appId)
    if (entry === undefined) {
      entry = {url: this.urlOf(appId), fetchedAt: 0, fetching: false}
      this.entries.set(appId, entry)
    }

    return entry
  }

  private urlOf(appId: string): null | string {
    const config = appConfigJson(this.store, appId)
    if (config === undefined) return null
    try {
      const value = (JSON.parse(config) as Record<string, unknown>)[MAINTENANCE_PAGE_VAR]
      if (typeof value !== 'string') return null
      const url = new URL(value.trim())
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null
    } catch {
      return null
    }
  }

  private fetch(appId: string, entry: Entry): void {
    entry.fetching = true
    void fetchPage(entry.url!, this.o).then(page => {
      entry.fetching = false
      entry.fetchedAt = Date.now()
      // an entry replaced meanwhile (config changed) keeps its own fetch's outcome
      if (this.closed || this.entries.get(appId) !== entry) return
      entry.page = page
    })
  }
}

/** GET url: the page on a 2xx within the bounds, else undefined (never rejects). */
export function fetchPage(url: string, o: Pick<MaintenancePageOptions, 'maxBytes' | 'timeoutMs'>): Promise<MaintenancePage | undefined> {
  return new Promise(resolve => {
    let settled = false
    const done = (page: MaintenancePage | undefined) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req.destroy()
      resolve(page)
    }

    const onResponse = (res: IncomingMessage) => {
      const status = res.statusCode ?? 0
      const declared = Number(res.headers['content-length'])
      if (status < 200 || status >= 300 || declared > o.maxBytes) {
        res.resume()
        done(undefined)
        return
      }

      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > o.maxBytes) done(undefined)
        else chunks.push(chunk)
      })
      res.once('end', () => done({body: Buffer.concat(chunks), contentType: res.headers['content-type'] ?? 'text/html; charset=utf-8'}))
      res.once('error', () => done(undefined))
    }

    const requestFn = url.startsWith('https:') ? httpsRequest : httpRequest
    const req = requestFn(url, {method: 'GET', headers: {Accept: 'text/html, */*;q=0.8', 'User-Agent': 'heroku-toolbelt-router'}}, onResponse)
    req.once('error', () => done(undefined))
    const timer = setTimeout(() => done(undefined), o.timeoutMs)
    timer.unref()
    req.end()
  })
}
