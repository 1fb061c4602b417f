// App webhooks, their events and deliveries as the API shows them (app-webhook, app-webhook-event,
// app-webhook-delivery in the schema), and the entities a webhook may include.
import type {AppRow} from '../store/apps.js'

import {type DeliveryRow, type WebhookAttempt, type WebhookEventRow, webhookIncludes, type WebhookRow} from '../store/webhooks.js'

/** What a delivered event's `version` says, as on Heroku. */
export const PAYLOAD_VERSION = 'application/vnd.heroku+json; version=3'

/** The entities this platform sends events for: a webhook may include these. */
export const EMITTED_INCLUDES = ['api:addon', 'api:addon-attachment', 'api:app', 'api:build', 'api:collaborator', 'api:domain', 'api:dyno', 'api:formation', 'api:release', 'api:sni-endpoint'] as const
export type EmittedInclude = (typeof EMITTED_INCLUDES)[number]

/** Heroku's other entities: known names, but this platform has no such changes to send (yet). */
export const NOT_EMITTED_INCLUDES = ['dyno'] as const

export function serializeWebhook(app: AppRow, webhook: WebhookRow): object {
  return {
    app: {id: app.id, name: app.name},
    created_at: webhook.created_at,
    id: webhook.id,
    include: webhookIncludes(webhook),
    level: webhook.level,
    updated_at: webhook.updated_at,
    url: webhook.url,
  }
}

export function serializeEvent(event: WebhookEventRow): object {
  const payload = JSON.parse(event.payload) as Record<string, unknown>
  return {
    created_at: event.created_at,
    id: event.id,
    include: event.include,
    payload: {
      action: payload.action,
      actor: payload.actor,
      data: payload.data,
      previous_data: payload.previous_data,
      resource: payload.resource,
      version: payload.version,
      published_at: payload.published_at,
    },
    updated_at: event.updated_at,
  }
}

export function serializeDelivery(delivery: DeliveryRow, webhook: {id: string, level: string}, event: {id: string, include: string}): object {
  const attempt = delivery.last_attempt === null ? null : JSON.parse(delivery.last_attempt) as WebhookAttempt
  return {
    created_at: delivery.created_at,
    event: {id: event.id, include: event.include},
    id: delivery.id,
    num_attempts: delivery.num_attempts,
    next_attempt_at: delivery.next_attempt_at === null ? null : new Date(delivery.next_attempt_at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    last_attempt: attempt,
    status: delivery.status,
    updated_at: delivery.updated_at,
    webhook: {id: webhook.id, level: webhook.level},
  }
}
