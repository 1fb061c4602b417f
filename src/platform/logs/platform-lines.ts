// The platform's own log lines about an app, as Heroku writes them (source heroku, dyno api):
//   heroku[api]: Release v5 created by user ann@example.com
//   heroku[api]: Scaled to web@2:Standard-1X worker@1:Basic by user …
// Dyno state lines (heroku[web.1]: State changed from starting to up) come from the supervisor,
// router lines from the router, build lines from the builder.
import type {PlatformEvents} from '../events.js'
import type {Store} from '../store/database.js'
import type {LogRouter} from './log-router.js'

import {findAccountById} from '../store/accounts.js'
import {listFormations} from '../store/formations.js'
import {findReleaseById} from '../store/releases.js'

const sizeName = (size: string): string => size.charAt(0).toUpperCase() + size.slice(1)

/** Subscribes; returns the unsubscribe function. */
export function logPlatformEvents(events: PlatformEvents, store: Store, logs: LogRouter): () => void {
  const offs = [
    events.on('release.created', e => {
      const release = findReleaseById(store, e.releaseId)
      const user = release ? findAccountById(store, release.user_id)?.email : undefined
      logs.write({appId: e.appId, source: 'heroku', dyno: 'api', message: `Release v${e.version} created by user ${user ?? 'unknown'}`})
    }),
    events.on('formation.changed', e => {
      const all = listFormations(store, e.appId)
      const scaled = all.map(f => `${f.type}@${f.quantity}:${sizeName(f.size)}`).join(' ')
      logs.write({appId: e.appId, source: 'heroku', dyno: 'api', message: `Scaled to ${scaled}`})
    }),
    events.on('dynos.restart', e => {
      logs.write({appId: e.appId, source: 'heroku', dyno: 'api', message: `Restart ${e.dyno ?? e.type ?? 'all'} dynos`})
    }),
    events.on('dynos.stop', e => {
      logs.write({appId: e.appId, source: 'heroku', dyno: 'api', message: `Stop ${e.dyno ?? e.type} dynos`})
    }),
    events.on('app.deleted', e => logs.forget(e.appId)),
    // the drains' syslog HOST is the app's name
    events.on('app.renamed', e => logs.drainsChanged(e.appId)),
  ]
  return () => {
    for (const off of offs) off()
  }
}
