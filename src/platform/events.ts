// What happened in the platform, emitted after the change committed. The dyno supervisor,
// router and log router (later issues) subscribe here instead of being called by the API.
import {EventEmitter} from 'node:events'

import type {DynoSnapshot, DynoState} from './dynos/dyno.js'
import type {AddonRow, AttachmentRow} from './store/addons.js'
import type {CollaboratorRow} from './store/collaborators.js'
import type {SniEndpointRow} from './store/sni-endpoints.js'

export interface AppRef {
  appId: string
  appName: string
}

export interface PlatformEventMap {
  /** an add-on was attached to the app (AppRef: the attachment's app) */
  'addon-attachment.created': AppRef & {attachmentId: string, userId: string}
  /** the rows may be gone (a destroyed add-on): them as they were */
  'addon-attachment.deleted': AppRef & {addon: AddonRow, attachment: AttachmentRow, userId?: string}
  /** an add-on was created (its app is the billing app), `provisioning` or already provisioned */
  'addon.created': AppRef & {addonId: string, userId: string}
  /** the row is gone: it as it was, with the app it was billed to */
  'addon.destroyed': AppRef & {addon: AddonRow, userId?: string}
  /** an add-on's name, plan or state changed: what it was before */
  'addon.updated': AppRef & {addonId: string, previous: {name?: string, plan?: string, state?: string}, userId?: string}
  'app.created': AppRef
  'app.deleted': AppRef
  'app.maintenance.changed': AppRef & {maintenance: boolean}
  'app.renamed': AppRef & {previousName: string}
  'build.created': AppRef & {buildId: string}
  /** a build ended (its status and output are stored): app webhooks send api:build update */
  'build.finished': AppRef & {buildId: string, status: 'failed' | 'succeeded'}
  'collaborator.created': AppRef & {collaborator: CollaboratorRow, userId: string}
  'collaborator.deleted': AppRef & {collaborator: CollaboratorRow, userId: string}
  'domain.created': AppRef & {hostname: string}
  'domain.deleted': AppRef & {hostname: string}
  /** the supervisor gave the app a dyno (formation or one-off; a restart's replacement too) */
  'dyno.created': AppRef & {dyno: DynoSnapshot}
  /** a dyno left the app (stopped for good, scaled away, replaced, a one-off that ended) */
  'dyno.destroyed': AppRef & {dyno: DynoSnapshot}
  /** a dyno's state changed (starting, up, crashed, down) */
  'dyno.updated': AppRef & {dyno: DynoSnapshot, previousState: DynoState}
  /** restart requests: all dynos, one process type, or one dyno */
  'dynos.restart': AppRef & {dyno?: string, type?: string}
  'dynos.stop': AppRef & {dyno?: string, type?: string}
  'formation.changed': AppRef & {changes: {quantity: number, size: string, type: string}[]}
  /**
   * Every config change, rollback, add-on attach/detach and deploy makes a release. A deploy may
   * also add or remove process types (formation follows the slug), so a supervisor reconciles
   * the whole formation on this event, not only on formation.changed.
   */
  'release.created': AppRef & {description: string, releaseId: string, slugId: null | string, status: 'pending' | 'succeeded', version: number}
  /**
   * A release became the app's current one: at once when it has no release phase, else once its
   * release command succeeded. The dyno supervisor runs the current release.
   */
  'release.current': AppRef & {releaseId: string, version: number}
  /** an SNI endpoint was added, replaced or removed, or a domain's endpoint changed: what the router serves by SNI */
  'sni-endpoint.changed': AppRef
  'sni-endpoint.created': AppRef & {endpointId: string, userId: string}
  /** the row is gone: it as it was, with the domains it served then */
  'sni-endpoint.deleted': AppRef & {domainIds: string[], endpoint: SniEndpointRow, userId: string}
  /** its certificate was replaced: the row before */
  'sni-endpoint.updated': AppRef & {endpointId: string, previous: SniEndpointRow, userId: string}
}

export type PlatformEventName = keyof PlatformEventMap

export class PlatformEvents {
  // eslint-disable-next-line unicorn/prefer-event-target -- emit() calls each of listeners(event) under its own try/catch; EventTarget has no listener list and sends a throwing listener to uncaughtException
  private readonly emitter = new EventEmitter()

  constructor(private readonly onListenerError: (event: string, error: unknown) => void = () => {}) {
    this.emitter.setMaxListeners(50)
  }

  on<E extends PlatformEventName>(event: E, listener: (payload: PlatformEventMap[E]) => void): () => void {
    this.emitter.on(event, listener)
    return () => this.emitter.off(event, listener)
  }

  /** A failing listener must not fail the API request whose change already committed. */
  emit<E extends PlatformEventName>(event: E, payload: PlatformEventMap[E]): void {
    for (const listener of this.emitter.listeners(event)) {
      try {
        (listener as (p: PlatformEventMap[E]) => void)(payload)
      } catch (error) {
        this.onListenerError(event, error)
      }
    }
  }
}
