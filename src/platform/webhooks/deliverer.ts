// Sends recorded webhook deliveries (publisher.ts) to their receivers, as Heroku does:
//
//   POST url, Content-Type: application/json, the event's payload plus webhook_metadata,
//   Heroku-Webhook-Hmac-SHA256: base64(HMAC-SHA256(secret, exact body)), Heroku-Webhook-Id: the
//   delivery's id (the same on every attempt: a receiver dedupes by it), Authorization if set.
//
// A 2xx answer succeeds. A notify webhook gets one attempt; a sync one is retried with
// exponential backoff until it succeeds or its retry window (72 h by default) is over, then it
// failed. Every delivery's state is in SQLite before and after each attempt, so a platform that
// stopped (or crashed) resumes what was pending when it starts again. Attempts never run inside
// an API request: they start from a timer, a few at a time.
import {createHmac} from 'node:crypto'

import type {PlatformContext} from '../api/context.js'

import {newId, nowIso} from '../ids.js'
import {
  type DeliveryRow, type DeliveryStatus, findDeliveryById, findEventById, findWebhookById, listOpenDeliveries,
  recordAttemptEnd, recordAttemptStart, type WebhookAttempt,
} from '../store/webhooks.js'
import {publishPlatformEvents} from './publisher.js'

export interface WebhookDeliveryOptions {
  /** the wait after the first failed attempt, doubled after each further one */
  backoffInitialMs: number
  /** the longest wait between two attempts */
  backoffMaxMs: number
  /** attempts in flight at once, across all apps */
  concurrency: number
  /** how long a sync delivery is retried, from its event; Heroku: 72 hours */
  retryWindowMs: number
  /** one attempt's time limit (connect, send, answer); Heroku: 10 s */
  timeoutMs: number
}

export const DEFAULT_WEBHOOK_DELIVERY: WebhookDeliveryOptions = {
  retryWindowMs: 72 * 3_600_000,
  backoffInitialMs: 10_000,
  backoffMaxMs: 3_600_000,
  timeoutMs: 10_000,
  concurrency: 4,
}

/** How much of a receiver's answer is kept with the delivery. */
export const MAX_RESPONSE_EXCERPT = 1024

export class WebhookDeliverer {
  private readonly options: WebhookDeliveryOptions
  private readonly inFlight = new Map<string, Promise<void>>()
  private readonly aborts = new Set<AbortController>()
  private timer: NodeJS.Timeout | undefined
  private timerAt = Number.POSITIVE_INFINITY
  private unsubscribe: (() => void) | undefined
  private closed = false

  constructor(private readonly platform: PlatformContext, options: Partial<WebhookDeliveryOptions> = {}) {
    this.options = {...DEFAULT_WEBHOOK_DELIVERY, ...options}
  }

  /** Subscribes to the platform's events and resumes what an earlier run left pending. */
  start(): void {
    this.unsubscribe = publishPlatformEvents(this.platform, this.platform.events, {retryWindowMs: this.options.retryWindowMs, published: () => this.wake()})
    this.wake()
  }

  async close(): Promise<void> {
    this.closed = true
    this.unsubscribe?.()
    clearTimeout(this.timer)
    for (const abort of this.aborts) abort.abort()
    await Promise.allSettled(this.inFlight.values())
  }

  /** Looks for due deliveries soon (never in the caller's stack: an API request is not held up). */
  private wake(): void {
    this.arm(Date.now())
  }

  private arm(at: number): void {
    if (this.closed || at >= this.timerAt) return
    clearTimeout(this.timer)
    this.timerAt = at
    // a timer's delay is a 32-bit number of milliseconds
    this.timer = setTimeout(() => {
      this.timerAt = Number.POSITIVE_INFINITY
      this.timer = undefined
      this.run()
    }, Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1))
    this.timer.unref?.()
  }

  private run(): void {
    if (this.closed) return
    const now = Date.now()
    for (const delivery of listOpenDeliveries(this.platform.store)) {
      if (this.inFlight.has(delivery.id)) continue
      const due = delivery.next_attempt_at ?? now
      if (due > now) {
        this.arm(due)
        break
      }

      // at the limit: the next attempt to end looks again (finally → wake)
      if (this.inFlight.size >= this.options.concurrency) break
      const attempt = this.attempt(delivery).catch(error => {
        this.platform.log(`webhook delivery ${delivery.id} failed unexpectedly: ${(error as Error).stack ?? String(error)}`)
      }).finally(() => {
        this.inFlight.delete(delivery.id)
        this.wake()
      })
      this.inFlight.set(delivery.id, attempt)
    }
  }

  private async attempt(delivery: DeliveryRow): Promise<void> {
    const {store} = this.platform
    const webhook = findWebhookById(store, delivery.webhook_id)
    const event = findEventById(store, delivery.event_id)
    if (webhook === undefined || event === undefined) return
    const started = nowIso()
    const attempt: WebhookAttempt = {id: newId(), code: null, error_class: null, status: 'scheduled', created_at: started, updated_at: started}
    recordAttemptStart(store, delivery.id, attempt)
    const payload = JSON.parse(event.payload) as Record<string, unknown>
    const body = JSON.stringify({
      ...payload,
      webhook_metadata: {attempt: {id: attempt.id}, delivery: {id: delivery.id}, event: {id: event.id, include: event.include}, webhook: {id: webhook.id}},
    })
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Heroku-Webhook-Hmac-SHA256': createHmac('sha256', webhook.secret).update(body).digest('base64'),
      'Heroku-Webhook-Id': delivery.id,
      'User-Agent': 'heroku-toolbelt-platform/webhooks',
    }
    if (webhook.authorization !== null) headers.Authorization = webhook.authorization
    const outcome = await this.send(webhook.url, headers, body)
    if (this.closed && outcome.aborted) {
      // stopped mid-attempt: the next start attempts it again
      recordAttemptEnd(store, delivery.id, {status: delivery.num_attempts === 0 ? 'pending' : 'retrying', nextAttemptAt: Date.now(), attempt: {...attempt, status: 'failed', error_class: 'PlatformStopped', updated_at: nowIso()}, response: null})
      return
    }

    const succeeded = outcome.code !== null && outcome.code >= 200 && outcome.code < 300
    const attempts = delivery.num_attempts + 1
    const retryAt = Date.now() + Math.min(this.options.backoffInitialMs * 2 ** (attempts - 1), this.options.backoffMaxMs)
    let status: DeliveryStatus
    let nextAttemptAt: null | number = null
    if (succeeded) {
      status = 'succeeded'
    } else if (webhook.level === 'sync' && retryAt <= delivery.give_up_at) {
      status = 'retrying'
      nextAttemptAt = retryAt
    } else {
      status = 'failed'
    }

    recordAttemptEnd(store, delivery.id, {
      status, nextAttemptAt,
      attempt: {...attempt, code: outcome.code, error_class: outcome.errorClass, status: succeeded ? 'succeeded' : 'failed', updated_at: nowIso()},
      response: outcome.code === null ? null : {code: outcome.code, body: outcome.body},
    })
  }

  private async send(url: string, headers: Record<string, string>, body: string): Promise<{aborted: boolean, body: string, code: null | number, errorClass: null | string}> {
    const abort = new AbortController()
    this.aborts.add(abort)
    const timeout = setTimeout(() => abort.abort(new TimeoutError()), this.options.timeoutMs)
    try {
      const response = await fetch(url, {method: 'POST', headers, body, redirect: 'manual', signal: abort.signal})
      const excerpt = await readExcerpt(response)
      const ok = response.status >= 200 && response.status < 300
      return {code: response.status, body: excerpt, errorClass: ok ? null : `HTTP${response.status}`, aborted: false}
    } catch (error) {
      const reason = abort.signal.aborted ? abort.signal.reason : error
      return {code: null, body: '', errorClass: errorClass(reason), aborted: abort.signal.aborted && !(reason instanceof TimeoutError)}
    } finally {
      clearTimeout(timeout)
      this.aborts.delete(abort)
    }
  }

  /** For tests: the deliveries still in flight have settled. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled(this.inFlight.values())
  }

  /** For tests and the API: the delivery as stored now. */
  delivery(id: string): DeliveryRow | undefined {
    return findDeliveryById(this.platform.store, id)
  }
}

class TimeoutError extends Error {
  constructor() {
    super('the receiver did not answer in time')
    this.name = 'Timeout'
  }
}

/** A short name for why an attempt failed: Timeout, ECONNREFUSED, ENOTFOUND, … */
function errorClass(error: unknown): string {
  if (error instanceof TimeoutError) return 'Timeout'
  const {cause} = (error as {cause?: {code?: unknown}})
  if (cause && typeof cause.code === 'string') return cause.code
  if (error instanceof Error) return error.name
  return 'Error'
}

/** The first MAX_RESPONSE_EXCERPT bytes of the answer; the rest is not read. */
async function readExcerpt(response: Response): Promise<string> {
  if (response.body === null) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < MAX_RESPONSE_EXCERPT) {
      const {done, value} = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.length
    }
  } catch {
    // the answer's status is what counts; a body cut off is kept as far as it came
  } finally {
    reader.cancel().catch(() => {})
  }

  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_EXCERPT).toString('utf8')
}
