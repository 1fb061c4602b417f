// App webhooks: subscriptions (webhooks, webhooks:add/info/update/remove), what was delivered
// (webhooks:deliveries, webhooks:deliveries:info) and the events (webhooks:events[:info]).
import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {header} from '../api/client.js'
import {paths} from '../api/paths.js'
import {UsageError} from '../errors.js'

export interface AppWebhook {
  app?: {id: string, name: string}
  created_at: string
  id: string
  include: string[]
  level: 'notify' | 'sync'
  updated_at: string
  url: string
}

/** webhooks:add's result: the webhook, and its signing secret (shown once; Heroku-Webhook-Secret). */
export type AddedWebhook = AppWebhook & {secret: null | string}

export interface WebhookDelivery {
  created_at: string
  event: {id: string, include: string}
  id: string
  last_attempt: null | {code: null | number, created_at: string, error_class: null | string, id: string, status: string, updated_at: string}
  next_attempt_at: null | string
  num_attempts: number
  status: string
  updated_at: string
  webhook: {id: string, level: string}
}

export interface WebhookEvent {
  created_at: string
  id: string
  include: string
  payload: {action: string, actor?: {email: string, id: string}, data: unknown, previous_data?: unknown, published_at?: null | string, resource: string, version: string}
  updated_at: string
}

export const WEBHOOK_LEVELS = ['notify', 'sync'] as const
export const DELIVERY_STATUSES = ['pending', 'scheduled', 'retrying', 'failed', 'succeeded'] as const
/** as the official CLI: the newest 1000 deliveries */
const MAX_DELIVERIES = 1000

/** `api:release, api:build` → ['api:release', 'api:build'] */
export function parseIncludes(text: string): string[] {
  const includes = text.split(',').map(s => s.trim()).filter(Boolean)
  if (includes.length === 0) throw new UsageError('--include names no entity.', {hint: 'Pass e.g. --include api:release,api:build.'})
  return includes
}

export async function listWebhooks(opts: {api: ApiClient, app: string, out: Output}): Promise<AppWebhook[]> {
  const {api, out, app} = opts
  const webhooks = await api.list<AppWebhook>(paths.app(app).webhook())
  if (webhooks.length === 0) {
    out.log(`${app} has no webhooks`)
    out.log('Use heroku webhooks:add to add one.')
    return webhooks
  }

  webhooks.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))
  await out.table(webhooks, [
    {get: w => w.id, header: 'Webhook ID'},
    {get: w => w.url, header: 'URL'},
    {get: w => w.include.join(','), header: 'Include'},
    {get: w => w.level, header: 'Level'},
  ])
  return webhooks
}

export interface WebhookInput {
  authorization?: string
  include?: string[]
  level?: string
  secret?: string
  url?: string
}

export async function addWebhook(opts: {api: ApiClient, app: string, input: WebhookInput & {include: string[], level: string, url: string}, out: Output}): Promise<AddedWebhook> {
  const {api, out, app, input} = opts
  const response = await out.withSpinner(`Adding webhook to ${app}`, () => api.request<AppWebhook>(paths.app(app).webhook(), {
    body: {authorization: input.authorization, include: input.include, level: input.level, secret: input.secret, url: input.url},
    method: 'POST',
  }))
  const secret = header(response.headers, 'heroku-webhook-secret') ?? null
  if (secret) {
    out.heading('Webhooks Signing Secret')
    out.log(secret)
  } else {
    out.warn('no secret found')
  }

  return {...response.body, secret}
}

export async function webhookInfo(opts: {api: ApiClient, app: string, id: string, out: Output}): Promise<AppWebhook> {
  const webhook = await opts.api.get<AppWebhook>(paths.app(opts.app).webhook(opts.id))
  opts.out.heading(webhook.id)
  opts.out.keyValues([
    ['Include', webhook.include.join(',')],
    ['Level', webhook.level],
    ['URL', webhook.url],
    ['Webhook ID', webhook.id],
  ])
  return webhook
}

export async function updateWebhook(opts: {api: ApiClient, app: string, id: string, input: WebhookInput, out: Output}): Promise<AppWebhook> {
  const {api, out, app, input} = opts
  const body = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined))
  if (Object.keys(body).length === 0) {
    throw new UsageError('Nothing to update.', {hint: 'Pass one or more of --include, --level, --url, --secret, --authorization.'})
  }

  return out.withSpinner(`Updating webhook ${opts.id} for ${app}`, () => api.patch<AppWebhook>(paths.app(app).webhook(opts.id), body))
}

export async function removeWebhook(opts: {api: ApiClient, app: string, id: string, out: Output}): Promise<AppWebhook> {
  const {api, out, app} = opts
  return out.withSpinner(`Removing webhook ${opts.id} from ${app}`, () => api.delete<AppWebhook>(paths.app(app).webhook(opts.id)))
}

const attemptCode = (d: WebhookDelivery) => (d.last_attempt?.code ? String(d.last_attempt.code) : '')

/** The newest deliveries (at most 1000), shown oldest first as the official CLI shows them. */
export async function listDeliveries(opts: {api: ApiClient, app: string, out: Output, status?: string}): Promise<WebhookDelivery[]> {
  const {api, out, app} = opts
  const query = opts.status === undefined ? '' : `?eq[status]=${encodeURIComponent(opts.status)}`
  const deliveries = await api.list<WebhookDelivery>(`${paths.app(app).webhookDelivery()}${query}`, {limit: MAX_DELIVERIES, max: MAX_DELIVERIES, order: 'desc', sortBy: 'seq'})
  if (deliveries.length === 0) {
    out.log(`${app} has no deliveries`)
    return deliveries
  }

  deliveries.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))
  if (deliveries.length === MAX_DELIVERIES) {
    out.warn(`Only showing the ${MAX_DELIVERIES} most recent deliveries`)
    out.warn('It is possible to filter deliveries by using the --status flag')
  }

  await out.table(deliveries, [
    {get: d => d.id, header: 'Delivery ID'},
    {get: d => d.created_at, header: 'Created'},
    {get: d => d.status, header: 'Status'},
    {get: d => d.event.include, header: 'Include'},
    {get: d => d.webhook.level, header: 'Level'},
    {get: d => String(d.num_attempts), header: 'Attempts'},
    {get: attemptCode, header: 'Code'},
    {get: d => d.last_attempt?.error_class ?? '', header: 'Error'},
    {get: d => d.next_attempt_at ?? '', header: 'Next Attempt'},
  ])
  return deliveries
}

/** One delivery, shown with the payload of its event; returns the delivery as the API gave it. */
export async function deliveryInfo(opts: {api: ApiClient, app: string, id: string, out: Output}): Promise<WebhookDelivery> {
  const {api, out, app} = opts
  const delivery = await api.get<WebhookDelivery>(paths.app(app).webhookDelivery(opts.id))
  const event = await api.get<WebhookEvent>(paths.app(app).webhookEvent(delivery.event.id))
  out.heading(delivery.id)
  out.keyValues([
    ['Created', delivery.created_at],
    ['Event', delivery.event.id],
    ['Webhook', delivery.webhook.id],
    ['Status', delivery.status],
    ['Include', delivery.event.include],
    ['Level', delivery.webhook.level],
    ['Attempts', String(delivery.num_attempts)],
    ['Code', attemptCode(delivery)],
    ['Error', delivery.last_attempt?.error_class],
    ['Next Attempt', delivery.next_attempt_at],
  ])
  out.log()
  out.heading('Event Payload')
  out.log(JSON.stringify(event.payload, null, 2))
  return delivery
}

export async function listEvents(opts: {api: ApiClient, app: string, out: Output}): Promise<WebhookEvent[]> {
  const {api, out, app} = opts
  out.warn('heroku webhooks:events is deprecated, please use heroku webhooks:deliveries')
  const events = await api.list<WebhookEvent>(paths.app(app).webhookEvent())
  if (events.length === 0) {
    out.log(`${app} has no events`)
    return events
  }

  events.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))
  await out.table(events, [
    {get: e => e.id, header: 'Event ID'},
    {get: e => e.payload.resource, header: 'Resource'},
    {get: e => e.payload.action, header: 'Action'},
    {get: e => e.payload.published_at ?? '', header: 'Published At'},
  ])
  return events
}

export async function eventInfo(opts: {api: ApiClient, app: string, id: string, out: Output}): Promise<WebhookEvent> {
  const {api, out, app} = opts
  out.warn('heroku webhooks:events:info is deprecated, please use heroku webhooks:deliveries:info')
  const event = await api.get<WebhookEvent>(paths.app(app).webhookEvent(opts.id))
  out.heading(event.id)
  out.log(JSON.stringify(event.payload, null, 2))
  return event
}
