// A change to the platform: one SQLite transaction, then the events describing it. Events are
// emitted only after the commit, so a subscriber never acts on something that was rolled back.
import type {PlatformEventMap, PlatformEventName, PlatformEvents} from './events.js'
import {type AppRow, type ConfigVars} from './store/apps.js'
import type {Store} from './store/database.js'
import {insertRelease, type ReleaseRow} from './store/releases.js'
import {findSlug} from './store/slugs.js'
import {syncFormationWithProcessTypes} from './store/formations.js'

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

export function commitChange<T>(platform: {store: Store, events: PlatformEvents}, work: (pending: PendingEvents) => T): T {
  const pending = new PendingEvents(platform.events)
  const result = platform.store.transaction(() => work(pending))
  pending.flush()
  return result
}

export interface ReleaseInput {
  userId: string
  description: string
  config: ConfigVars
  /** the slug to run; defaults to the current release's */
  slugId?: string | null
}

/** Records a release of `app` (inside the caller's transaction) and queues release.created. */
export function releaseApp(store: Store, pending: PendingEvents, app: AppRow, input: ReleaseInput): ReleaseRow {
  const slugId = input.slugId === undefined
    ? store.get<{slug_id: string | null}>('SELECT slug_id FROM releases WHERE app_id = ? ORDER BY version DESC LIMIT 1', app.id)?.slug_id ?? null
    : input.slugId
  if (input.slugId !== undefined && slugId !== null) {
    const slug = findSlug(store, app.id, slugId)
    if (slug) syncFormationWithProcessTypes(store, app.id, JSON.parse(slug.process_types) as Record<string, string>)
  }
  const release = insertRelease(store, {appId: app.id, userId: input.userId, description: input.description, config: input.config, slugId})
  pending.add('release.created', {appId: app.id, appName: app.name, releaseId: release.id, version: release.version, slugId, description: release.description})
  return release
}
