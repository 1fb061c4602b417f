// From the platform's events (events.ts) to webhook events: for each change an app's webhooks
// include, one app-webhook-event with the entity as the API serializes it, and one pending
// delivery per webhook, in one transaction. Sending is the deliverer's (deliverer.ts).

import type {PlatformContext} from '../api/context.js'
import type {PlatformEvents} from '../events.js'

import {serializeAttachment} from '../api/addon-attachments.js'
import {serializeAddon} from '../api/addons.js'
import {serializeApp} from '../api/apps.js'
import {serializeBuild} from '../api/builds.js'
import {serializeCollaborator} from '../api/collaborators.js'
import {serializeDomain} from '../api/domains.js'
import {serializeDyno} from '../api/dynos.js'
import {serializeFormation} from '../api/formation.js'
import {serializeRelease} from '../api/releases.js'
import {serializeSniEndpoint} from '../api/sni-endpoints.js'
import {newId, nowIso} from '../ids.js'
import {findAccountById} from '../store/accounts.js'
import {findAddonById, findAppAttachment} from '../store/addons.js'
import {type AppRow, findAppById} from '../store/apps.js'
import {findBuildById} from '../store/builds.js'
import {findDomain} from '../store/domains.js'
import {listFormations} from '../store/formations.js'
import {currentRelease, findReleaseById} from '../store/releases.js'
import {findSniEndpoint} from '../store/sni-endpoints.js'
import {insertDelivery, insertEvent, listWebhooks, webhookIncludes} from '../store/webhooks.js'
import {type EmittedInclude, PAYLOAD_VERSION} from './serialize.js'

export interface WebhookChange {
  action: 'create' | 'destroy' | 'update'
  /** who made the change; the app's owner when the change does not say */
  actorId?: string
  data: object
  include: EmittedInclude
  previousData?: object
}

export interface PublisherOptions {
  /** called once rows were written: the deliverer looks for due deliveries */
  published: () => void
  /** how long a sync delivery is retried, from its event (Heroku: 72 h) */
  retryWindowMs: number
}

/** Records `change` for every webhook of the app that includes it; returns how many deliveries. */
export function publish(platform: PlatformContext, app: AppRow, change: WebhookChange, options: PublisherOptions): number {
  const {store} = platform
  const webhooks = listWebhooks(store, app.id).filter(w => webhookIncludes(w).includes(change.include))
  if (webhooks.length === 0) return 0
  const actor = findAccountById(store, change.actorId ?? app.owner_id) ?? findAccountById(store, app.owner_id)
  const now = nowIso()
  const eventId = newId()
  const payload = {
    action: change.action,
    actor: {email: actor?.email ?? 'deleted-user@localhost', id: actor?.id ?? app.owner_id},
    created_at: now,
    data: change.data,
    id: eventId,
    previous_data: change.previousData ?? {},
    published_at: now,
    resource: change.include.replace(/^api:/, ''),
    sequence: null,
    updated_at: now,
    version: PAYLOAD_VERSION,
  }
  const nowMs = Date.now()
  store.transaction(() => {
    insertEvent(store, {id: eventId, appId: app.id, include: change.include, payload, createdAt: now})
    for (const webhook of webhooks) {
      // a notify webhook gets one attempt: it gives up at once after it
      insertDelivery(store, {appId: app.id, webhookId: webhook.id, eventId, nextAttemptAt: nowMs, giveUpAt: webhook.level === 'sync' ? nowMs + options.retryWindowMs : nowMs, createdAt: now})
    }
  })
  options.published()
  return webhooks.length
}

/** Subscribes to the platform's events; returns the unsubscriber. */
export function publishPlatformEvents(platform: PlatformContext, events: PlatformEvents, options: PublisherOptions): () => void {
  const {store} = platform
  const withApp = <T extends {appId: string}>(work: (app: AppRow, event: T) => void) => (event: T) => {
    const app = findAppById(store, event.appId)
    if (app !== undefined) work(app, event)
  }

  const owner = (app: AppRow) => findAccountById(store, app.owner_id)
  const releaseData = (app: AppRow, releaseId: string) => {
    const release = findReleaseById(store, releaseId)
    if (release === undefined) return
    const user = (id: string) => ({id, email: findAccountById(store, id)?.email ?? 'deleted-user@localhost'})
    return {release, data: serializeRelease(app, release, currentRelease(store, app.id)?.version ?? 0, user, platform.urls)}
  }

  /** previous_data of an add-on: the fields that changed, as the API shows them */
  const previousAddon = (previous: {name?: string, plan?: string, state?: string}) => ({
    ...(previous.name === undefined ? {} : {name: previous.name}),
    ...(previous.plan === undefined ? {} : {plan: {id: platform.catalog.findPlan(previous.plan)?.plan.id ?? null, name: previous.plan}}),
    ...(previous.state === undefined ? {} : {state: previous.state}),
  })

  // releases created pending (a release phase runs): their going live is an update
  const pendingReleases = new Set<string>()
  const unsubscribers = [
    events.on('release.created', withApp((app, e) => {
      if (e.status === 'pending') pendingReleases.add(e.releaseId)
      const found = releaseData(app, e.releaseId)
      if (found) publish(platform, app, {include: 'api:release', action: 'create', data: found.data, actorId: found.release.user_id}, options)
    })),
    events.on('release.current', withApp((app, e) => {
      if (!pendingReleases.delete(e.releaseId)) return
      const found = releaseData(app, e.releaseId)
      if (found) publish(platform, app, {include: 'api:release', action: 'update', data: found.data, actorId: found.release.user_id}, options)
    })),
    events.on('build.created', withApp((app, e) => {
      const build = findBuildById(store, e.buildId)
      if (build) publish(platform, app, {include: 'api:build', action: 'create', data: serializeBuild(platform, app, build), actorId: build.user_id}, options)
    })),
    events.on('build.finished', withApp((app, e) => {
      const build = findBuildById(store, e.buildId)
      if (build) publish(platform, app, {include: 'api:build', action: 'update', data: serializeBuild(platform, app, build), previousData: {status: 'pending'}, actorId: build.user_id}, options)
    })),
    events.on('formation.changed', withApp((app, e) => {
      const changed = new Set(e.changes.map(c => c.type))
      for (const formation of listFormations(store, app.id).filter(f => changed.has(f.type))) {
        publish(platform, app, {include: 'api:formation', action: 'update', data: serializeFormation(app, formation)}, options)
      }
    })),
    events.on('app.renamed', withApp((app, e) => {
      const account = owner(app)
      if (account) publish(platform, app, {include: 'api:app', action: 'update', data: serializeApp(platform, app, account), previousData: {name: e.previousName}}, options)
    })),
    events.on('app.maintenance.changed', withApp((app, e) => {
      const account = owner(app)
      if (account) publish(platform, app, {include: 'api:app', action: 'update', data: serializeApp(platform, app, account), previousData: {maintenance: !e.maintenance}}, options)
    })),
    events.on('domain.created', withApp((app, e) => {
      const domain = findDomain(store, app.id, e.hostname)
      if (domain) publish(platform, app, {include: 'api:domain', action: 'create', data: serializeDomain(platform, app, domain)}, options)
    })),
    events.on('domain.deleted', withApp((app, e) => {
      // the row is gone: what the API showed of it, as far as the event tells
      publish(platform, app, {include: 'api:domain', action: 'destroy', data: {app: {id: app.id, name: app.name}, hostname: e.hostname, kind: 'custom'}}, options)
    })),
    events.on('addon.created', withApp((app, e) => {
      const addon = findAddonById(store, e.addonId)
      if (addon) publish(platform, app, {include: 'api:addon', action: 'create', data: serializeAddon(platform, addon, app), actorId: e.userId}, options)
    })),
    events.on('addon.updated', withApp((app, e) => {
      const addon = findAddonById(store, e.addonId)
      if (addon) publish(platform, app, {include: 'api:addon', action: 'update', data: serializeAddon(platform, addon, app), previousData: previousAddon(e.previous), actorId: e.userId}, options)
    })),
    events.on('addon.destroyed', withApp((app, e) => {
      // as the API's DELETE answers it: deprovisioned, no attachments left
      publish(platform, app, {include: 'api:addon', action: 'destroy', data: serializeAddon(platform, {...e.addon, state: 'deprovisioned'}, app), actorId: e.userId}, options)
    })),
    events.on('addon-attachment.created', withApp((app, e) => {
      const attachment = findAppAttachment(store, app.id, e.attachmentId)
      if (attachment) publish(platform, app, {include: 'api:addon-attachment', action: 'create', data: serializeAttachment(platform, attachment), actorId: e.userId}, options)
    })),
    events.on('addon-attachment.deleted', withApp((app, e) => {
      // the add-on's billing app names it in the data; gone with it, there is nothing to show
      if (findAppById(store, e.addon.app_id) === undefined) return
      publish(platform, app, {include: 'api:addon-attachment', action: 'destroy', data: serializeAttachment(platform, e.attachment, new Set(), e.addon), actorId: e.userId}, options)
    })),
    events.on('collaborator.created', withApp((app, e) => {
      publish(platform, app, {include: 'api:collaborator', action: 'create', data: serializeCollaborator(app, e.collaborator), actorId: e.userId}, options)
    })),
    events.on('collaborator.deleted', withApp((app, e) => {
      publish(platform, app, {include: 'api:collaborator', action: 'destroy', data: serializeCollaborator(app, e.collaborator), actorId: e.userId}, options)
    })),
    events.on('sni-endpoint.created', withApp((app, e) => {
      const endpoint = findSniEndpoint(store, app.id, e.endpointId)
      if (endpoint) publish(platform, app, {include: 'api:sni-endpoint', action: 'create', data: serializeSniEndpoint(store, app, endpoint), actorId: e.userId}, options)
    })),
    events.on('sni-endpoint.updated', withApp((app, e) => {
      const endpoint = findSniEndpoint(store, app.id, e.endpointId)
      if (endpoint === undefined) return
      // what a new certificate changes: the chain and the certificate's facts
      const before = serializeSniEndpoint(store, app, e.previous) as {certificate_chain: string, ssl_cert: object}
      const previousData = {certificate_chain: before.certificate_chain, ssl_cert: before.ssl_cert}
      publish(platform, app, {include: 'api:sni-endpoint', action: 'update', data: serializeSniEndpoint(store, app, endpoint), previousData, actorId: e.userId}, options)
    })),
    events.on('sni-endpoint.deleted', withApp((app, e) => {
      publish(platform, app, {include: 'api:sni-endpoint', action: 'destroy', data: serializeSniEndpoint(store, app, e.endpoint, e.domainIds), actorId: e.userId}, options)
    })),
    // the attach URL is a one-off's single-use secret for whoever runs it: never sent to a receiver
    events.on('dyno.created', withApp((app, e) => {
      publish(platform, app, {include: 'api:dyno', action: 'create', data: serializeDyno(app, e.dyno, null)}, options)
    })),
    events.on('dyno.updated', withApp((app, e) => {
      publish(platform, app, {include: 'api:dyno', action: 'update', data: serializeDyno(app, e.dyno, null), previousData: {state: e.previousState}}, options)
    })),
    events.on('dyno.destroyed', withApp((app, e) => {
      publish(platform, app, {include: 'api:dyno', action: 'destroy', data: serializeDyno(app, e.dyno, null)}, options)
    })),
  ]
  return () => {
    for (const off of unsubscribers) off()
  }
}
