// A change to the platform: one SQLite transaction, then the events describing it. Events are
// emitted only after the commit, so a subscriber never acts on something that was rolled back.
import type {PlatformEventMap, PlatformEventName, PlatformEvents} from './events.js'
import type {Store} from './store/database.js'

import {type AppRow, type ConfigVars} from './store/apps.js'
import {syncFormationWithProcessTypes} from './store/formations.js'
import {currentRelease, insertRelease, type ReleaseRow} from './store/releases.js'
import {findSlug} from './store/slugs.js'

export class PendingEvents {
  private readonly queued: (() => void)[] = []

  constructor(private readonly events: PlatformEvents) {}

  add<E extends PlatformEventName>(event: E, payload: PlatformEventMap[E]): void {
    this.queued.push(() => this.events.emit(event, payload))
  }

  flush(): void {
    for (const emit of this.queued.splice(0)) emit()
  }
}

export function commitChange<T>(platform: {events: PlatformEvents, store: Store}, work: (pending: PendingEvents) => T): T {
  const pending = new PendingEvents(platform.events)
  const result = platform.store.transaction(() => work(pending))
  pending.flush()
  return result
}

export interface ReleaseInput {
  config: ConfigVars
  description: string
  /** the slug to run; defaults to the current release's */
  slugId?: null | string
  userId: string
}

/**
 * Records a release of `app` (inside the caller's transaction) and queues release.created. A
 * release whose slug declares a `release` process type is pending until its release command
 * succeeded (build/release-phase.ts); any other becomes current at once (release.current).
 */
export function releaseApp(store: Store, pending: PendingEvents, app: AppRow, input: ReleaseInput): ReleaseRow {
  // a new release builds on the one the app runs, never on a pending or failed one
  const slugId = input.slugId === undefined ? currentRelease(store, app.id)?.slug_id ?? null : input.slugId
  const slug = slugId === null ? undefined : findSlug(store, app.id, slugId)
  const processTypes = slug ? JSON.parse(slug.process_types) as Record<string, string> : {}
  const status = processTypes.release ? 'pending' : 'succeeded'
  // the formation follows the slug once the release is current (release-phase.ts, for a pending one)
  if (input.slugId !== undefined && slug && status === 'succeeded') syncFormationWithProcessTypes(store, app.id, processTypes)
  const release = insertRelease(store, {appId: app.id, userId: input.userId, description: input.description, config: input.config, slugId, status})
  pending.add('release.created', {appId: app.id, appName: app.name, releaseId: release.id, version: release.version, slugId, description: release.description, status})
  if (status === 'succeeded') pending.add('release.current', {appId: app.id, appName: app.name, releaseId: release.id, version: release.version})
  return release
}
