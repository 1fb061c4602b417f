// App webhooks (app-webhook, app-webhook-delivery, app-webhook-event): subscriptions to an app's
// changes, what was sent and how each delivery went. Sending is webhooks/deliverer.ts's.
import {randomBytes} from 'node:crypto'

import type {AppRow} from '../store/apps.js'
import type {ApiRoute, RequestContext} from './context.js'

import {type FieldCheck, isNullableString, parseBody} from '../http/body.js'
import {invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {
  deleteWebhook, type DeliveryStatus, findDelivery, findEvent, findEventById, findWebhook, findWebhookById, insertWebhook, listDeliveries,
  listEvents, listWebhooks, updateWebhook, type WebhookLevel, type WebhookRow,
} from '../store/webhooks.js'
import {EMITTED_INCLUDES, NOT_EMITTED_INCLUDES, serializeDelivery, serializeEvent, serializeWebhook} from '../webhooks/serialize.js'
import {requireApp, requireParam} from './resolve.js'

const MAX_URL_LENGTH = 2048
const MAX_SECRET_LENGTH = 1024
const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'scheduled', 'retrying', 'failed', 'succeeded']

const checkUrl: FieldCheck<string> = (value, field) => {
  if (typeof value !== 'string') throw invalidParams(`"${field}" must be a string: the receiver's http(s) URL.`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalidParams(`"${field}" is not a URL: ${JSON.stringify(value.slice(0, 100))}.`)
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidParams(`"${field}" must be an http:// or https:// URL, not ${url.protocol}.`)
  if (value.length > MAX_URL_LENGTH) throw invalidParams(`"${field}" is too long: at most ${MAX_URL_LENGTH} characters.`)
  return value
}

const checkInclude: FieldCheck<string[]> = (value, field) => {
  if (!Array.isArray(value) || value.length === 0 || !value.every(v => typeof v === 'string')) {
    throw invalidParams(`"${field}" must be a non-empty array of entity names, e.g. ["api:release"].`)
  }

  const includes = [...new Set(value.map(v => (v as string).trim()))]
  for (const include of includes) {
    if ((EMITTED_INCLUDES as readonly string[]).includes(include)) continue
    const known = (NOT_EMITTED_INCLUDES as readonly string[]).includes(include)
    throw invalidParams(`"${field}": ${known ? `this platform sends no ${include} events` : `unknown entity ${JSON.stringify(include)}`}; use one or more of ${EMITTED_INCLUDES.join(', ')}.`)
  }

  return includes
}

const checkLevel: FieldCheck<WebhookLevel> = (value, field) => {
  if (value !== 'notify' && value !== 'sync') throw invalidParams(`"${field}" must be "notify" (one attempt) or "sync" (retried until it succeeds).`)
  return value
}

const checkSecret: FieldCheck<null | string> = (value, field) => {
  const secret = isNullableString(value, field)
  if (secret !== null && (secret === '' || secret.length > MAX_SECRET_LENGTH)) throw invalidParams(`"${field}" must be 1 to ${MAX_SECRET_LENGTH} characters.`)
  return secret
}

const checkAuthorization: FieldCheck<null | string> = (value, field) => {
  const header = isNullableString(value, field)
  // a header value: no line breaks (they would split the request), printable text
  // eslint-disable-next-line no-control-regex -- rejecting C0 controls and DEL is the point: an HTTP header value may not carry them (CR/LF would split the request)
  if (header !== null && (header.length > MAX_SECRET_LENGTH || /[\0-\u001F\u007F]/.test(header))) {
    throw invalidParams(`"${field}" must be a header value: at most ${MAX_SECRET_LENGTH} printable characters, no line breaks.`)
  }

  return header
}

const bodySpec = {url: checkUrl, include: checkInclude, level: checkLevel, secret: checkSecret, authorization: checkAuthorization}

function requireWebhook(ctx: RequestContext, app: AppRow): WebhookRow {
  const webhook = findWebhook(ctx.platform.store, app.id, requireParam(ctx, 'webhook'))
  if (webhook === undefined) throw notFound("Couldn't find that webhook.")
  return webhook
}

const generateSecret = (): string => randomBytes(30).toString('hex')

function deliveryView(ctx: RequestContext, delivery: Parameters<typeof serializeDelivery>[0]): object {
  const {store} = ctx.platform
  const webhook = findWebhookById(store, delivery.webhook_id)
  const event = findEventById(store, delivery.event_id)
  return serializeDelivery(delivery, {id: delivery.webhook_id, level: webhook?.level ?? 'notify'}, {id: delivery.event_id, include: event?.include ?? ''})
}

function statusFilter(ctx: RequestContext): DeliveryStatus | undefined {
  const status = ctx.query?.get('eq[status]') ?? undefined
  if (status === undefined) return undefined
  if (!(DELIVERY_STATUSES as readonly string[]).includes(status)) throw invalidParams(`"eq[status]" must be one of ${DELIVERY_STATUSES.join(', ')}.`)
  return status as DeliveryStatus
}

export const webhookRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/apps/{app}/webhooks',
    handler(ctx) {
      const app = requireApp(ctx)
      return list(listWebhooks(ctx.platform.store, app.id).map(w => serializeWebhook(app, w)), {fields: ['id']})
    },
  },
  {
    method: 'POST',
    path: '/apps/{app}/webhooks',
    handler(ctx) {
      const app = requireApp(ctx)
      const body = parseBody(ctx.body, bodySpec, ['url', 'include', 'level'])
      const secret = body.secret ?? generateSecret()
      const webhook = insertWebhook(ctx.platform.store, {appId: app.id, url: body.url!, include: body.include!, level: body.level!, secret, authorization: body.authorization ?? null})
      // the secret is shown this once, in a header as Heroku does (the official CLI reads it there)
      return json(serializeWebhook(app, webhook), 201, {'Heroku-Webhook-Secret': secret})
    },
  },
  {
    method: 'GET',
    path: '/apps/{app}/webhooks/{webhook}',
    handler(ctx) {
      const app = requireApp(ctx)
      return json(serializeWebhook(app, requireWebhook(ctx, app)))
    },
  },
  {
    method: 'PATCH',
    path: '/apps/{app}/webhooks/{webhook}',
    handler(ctx) {
      const app = requireApp(ctx)
      const webhook = requireWebhook(ctx, app)
      const body = parseBody(ctx.body, bodySpec)
      const updated = updateWebhook(ctx.platform.store, webhook.id, {
        url: body.url, include: body.include, level: body.level,
        // a null secret keeps the current one (a webhook always signs)
        secret: body.secret ?? undefined,
        authorization: body.authorization,
      })
      return json(serializeWebhook(app, updated))
    },
  },
  {
    method: 'DELETE',
    path: '/apps/{app}/webhooks/{webhook}',
    handler(ctx) {
      const app = requireApp(ctx)
      const webhook = requireWebhook(ctx, app)
      deleteWebhook(ctx.platform.store, webhook.id)
      return json(serializeWebhook(app, webhook))
    },
  },
  {
    method: 'GET',
    path: '/apps/{app}/webhook-deliveries',
    handler(ctx) {
      const app = requireApp(ctx)
      const deliveries = listDeliveries(ctx.platform.store, app.id, statusFilter(ctx))
      return list(deliveries.map(d => deliveryView(ctx, d)), {fields: ['id', 'seq']})
    },
  },
  {
    method: 'GET',
    path: '/apps/{app}/webhook-deliveries/{delivery}',
    handler(ctx) {
      const app = requireApp(ctx)
      const delivery = findDelivery(ctx.platform.store, app.id, requireParam(ctx, 'delivery'))
      if (delivery === undefined) throw notFound("Couldn't find that webhook delivery.")
      return json(deliveryView(ctx, delivery))
    },
  },
  {
    method: 'GET',
    path: '/apps/{app}/webhook-events',
    handler(ctx) {
      const app = requireApp(ctx)
      return list(listEvents(ctx.platform.store, app.id).map(event => serializeEvent(event)), {fields: ['id']})
    },
  },
  {
    method: 'GET',
    path: '/apps/{app}/webhook-events/{event}',
    handler(ctx) {
      const app = requireApp(ctx)
      const event = findEvent(ctx.platform.store, app.id, requireParam(ctx, 'event'))
      if (event === undefined) throw notFound("Couldn't find that webhook event.")
      return json(serializeEvent(event))
    },
  },
]
