// App webhooks: subscriptions, the events sent to them and their deliveries (webhooks/).

import type {Store} from './database.js'

import {isUuid, newId, nowIso} from '../ids.js'

export type WebhookLevel = 'notify' | 'sync'
export type DeliveryStatus = 'failed' | 'pending' | 'retrying' | 'scheduled' | 'succeeded'

export interface WebhookRow {
  app_id: string
  authorization: null | string
  created_at: string
  id: string
  /** JSON array of entity names (api:release …) */
  include: string
  level: WebhookLevel
  secret: string
  updated_at: string
  url: string
}

export interface WebhookEventRow {
  app_id: string
  created_at: string
  id: string
  include: string
  /** JSON: the event's payload without webhook_metadata (that is per delivery) */
  payload: string
  updated_at: string
}

export interface WebhookAttempt {
  code: null | number
  created_at: string
  error_class: null | string
  id: string
  status: 'failed' | 'scheduled' | 'succeeded'
  updated_at: string
}

export interface DeliveryRow {
  app_id: string
  created_at: string
  event_id: string
  /** epoch ms: no attempt starts after this */
  give_up_at: number
  id: string
  /** JSON WebhookAttempt */
  last_attempt: null | string
  /** JSON {code, body}: the receiver's last answer, its body cut short */
  last_response: null | string
  /** epoch ms; null once the delivery succeeded or failed for good */
  next_attempt_at: null | number
  num_attempts: number
  status: DeliveryStatus
  updated_at: string
  webhook_id: string
}

/** Events (and their deliveries) kept per app: the oldest beyond this are dropped. */
export const MAX_EVENTS_PER_APP = 1000

export function insertWebhook(store: Store, input: {appId: string, authorization: null | string, include: string[], level: WebhookLevel, secret: string, url: string}): WebhookRow {
  const now = nowIso()
  const id = newId()
  store.run(
    'INSERT INTO app_webhooks (id, app_id, url, include, level, secret, authorization, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    id, input.appId, input.url, JSON.stringify(input.include), input.level, input.secret, input.authorization, now, now,
  )
  return findWebhookById(store, id)!
}

export function findWebhookById(store: Store, id: string): undefined | WebhookRow {
  return store.get<WebhookRow>('SELECT * FROM app_webhooks WHERE id = ?', id)
}

export function findWebhook(store: Store, appId: string, identity: string): undefined | WebhookRow {
  if (!isUuid(identity)) return undefined
  return store.get<WebhookRow>('SELECT * FROM app_webhooks WHERE app_id = ? AND id = ?', appId, identity.toLowerCase())
}

export function listWebhooks(store: Store, appId: string): WebhookRow[] {
  return store.all<WebhookRow>('SELECT * FROM app_webhooks WHERE app_id = ? ORDER BY created_at, id', appId)
}

export function updateWebhook(store: Store, id: string, changes: {authorization?: null | string, include?: string[], level?: WebhookLevel, secret?: string, url?: string}): WebhookRow {
  const current = findWebhookById(store, id)!
  store.run(
    'UPDATE app_webhooks SET url = ?, include = ?, level = ?, secret = ?, authorization = ?, updated_at = ? WHERE id = ?',
    changes.url ?? current.url,
    changes.include ? JSON.stringify(changes.include) : current.include,
    changes.level ?? current.level,
    changes.secret ?? current.secret,
    changes.authorization === undefined ? current.authorization : changes.authorization,
    nowIso(), id,
  )
  return findWebhookById(store, id)!
}

export function deleteWebhook(store: Store, id: string): void {
  store.run('DELETE FROM app_webhooks WHERE id = ?', id)
}

export const webhookIncludes = (row: WebhookRow): string[] => JSON.parse(row.include) as string[]

export function insertEvent(store: Store, input: {appId: string, createdAt: string, id: string, include: string, payload: object}): WebhookEventRow {
  store.run(
    'INSERT INTO app_webhook_events (id, app_id, include, payload, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    input.id, input.appId, input.include, JSON.stringify(input.payload), input.createdAt, input.createdAt,
  )
  // bounded: the app's oldest events go, and their deliveries with them (ON DELETE CASCADE)
  store.run(
    `DELETE FROM app_webhook_events WHERE app_id = ? AND id NOT IN
       (SELECT id FROM app_webhook_events WHERE app_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?)`,
    input.appId, input.appId, MAX_EVENTS_PER_APP,
  )
  return findEventById(store, input.id)!
}

export function findEventById(store: Store, id: string): undefined | WebhookEventRow {
  return store.get<WebhookEventRow>('SELECT * FROM app_webhook_events WHERE id = ?', id)
}

export function findEvent(store: Store, appId: string, identity: string): undefined | WebhookEventRow {
  if (!isUuid(identity)) return undefined
  return store.get<WebhookEventRow>('SELECT * FROM app_webhook_events WHERE app_id = ? AND id = ?', appId, identity.toLowerCase())
}

export function listEvents(store: Store, appId: string): WebhookEventRow[] {
  return store.all<WebhookEventRow>('SELECT * FROM app_webhook_events WHERE app_id = ? ORDER BY created_at, rowid', appId)
}

export function insertDelivery(store: Store, input: {appId: string, createdAt: string, eventId: string, giveUpAt: number, nextAttemptAt: number, webhookId: string}): DeliveryRow {
  const id = newId()
  store.run(
    `INSERT INTO app_webhook_deliveries (id, app_id, webhook_id, event_id, status, num_attempts, next_attempt_at, give_up_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)`,
    id, input.appId, input.webhookId, input.eventId, input.nextAttemptAt, input.giveUpAt, input.createdAt, input.createdAt,
  )
  return findDeliveryById(store, id)!
}

export function findDeliveryById(store: Store, id: string): DeliveryRow | undefined {
  return store.get<DeliveryRow>('SELECT * FROM app_webhook_deliveries WHERE id = ?', id)
}

export function findDelivery(store: Store, appId: string, identity: string): DeliveryRow | undefined {
  if (!isUuid(identity)) return undefined
  return store.get<DeliveryRow>('SELECT * FROM app_webhook_deliveries WHERE app_id = ? AND id = ?', appId, identity.toLowerCase())
}

export function listDeliveries(store: Store, appId: string, status?: DeliveryStatus): DeliveryRow[] {
  return status === undefined
    ? store.all<DeliveryRow>('SELECT * FROM app_webhook_deliveries WHERE app_id = ? ORDER BY created_at, rowid', appId)
    : store.all<DeliveryRow>('SELECT * FROM app_webhook_deliveries WHERE app_id = ? AND status = ? ORDER BY created_at, rowid', appId, status)
}

/** Deliveries still to attempt, soonest first. */
export function listOpenDeliveries(store: Store): DeliveryRow[] {
  return store.all<DeliveryRow>("SELECT * FROM app_webhook_deliveries WHERE status IN ('pending', 'scheduled', 'retrying') AND next_attempt_at IS NOT NULL ORDER BY next_attempt_at, rowid")
}

export function recordAttemptStart(store: Store, id: string, attempt: WebhookAttempt): void {
  store.run(
    "UPDATE app_webhook_deliveries SET num_attempts = num_attempts + 1, last_attempt = ?, status = CASE status WHEN 'pending' THEN 'scheduled' ELSE status END, updated_at = ? WHERE id = ?",
    JSON.stringify(attempt), nowIso(), id,
  )
}

export function recordAttemptEnd(
  store: Store,
  id: string,
  result: {attempt: WebhookAttempt, nextAttemptAt: null | number, response: null | {body: string, code: null | number}, status: DeliveryStatus},
): void {
  store.run(
    'UPDATE app_webhook_deliveries SET status = ?, next_attempt_at = ?, last_attempt = ?, last_response = ?, updated_at = ? WHERE id = ?',
    result.status, result.nextAttemptAt, JSON.stringify(result.attempt), result.response === null ? null : JSON.stringify(result.response), nowIso(), id,
  )
}
