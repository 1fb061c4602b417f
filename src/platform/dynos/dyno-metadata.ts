// runtime-dyno-metadata (a labs feature, store/features.ts): what a dyno is told about itself when
// its app has the feature on, as Heroku's Dyno Metadata has it: the app, the release it runs, the
// slug's commit and the dyno's id. Read when the process starts, so a change takes effect at the
// next start; api/features.ts restarts the app's dynos when the feature is turned on or off.

import type {Store} from '../store/database.js'
import type {Dyno} from './dyno.js'

import {DEFAULT_DOMAIN} from '../api/context.js'
import {appFeatureEnabled, RUNTIME_DYNO_METADATA} from '../store/features.js'
import {firstReleaseOfSlug} from '../store/releases.js'
import {findSlugById} from '../store/slugs.js'

/** The metadata variables for this dyno, or none when its app has the feature off. */
export function dynoMetadata(store: Store, d: Dyno, appName: string): Record<string, string> {
  if (!appFeatureEnabled(store, d.appId, RUNTIME_DYNO_METADATA)) return {}
  const env: Record<string, string> = {
    HEROKU_APP_ID: d.appId,
    HEROKU_APP_NAME: appName,
    HEROKU_APP_DEFAULT_DOMAIN_NAME: `${appName}.${DEFAULT_DOMAIN}`,
    HEROKU_DYNO_ID: d.id,
  }
  const {release} = d
  if (release) {
    env.HEROKU_RELEASE_VERSION = `v${release.version}`
    env.HEROKU_RELEASE_CREATED_AT = release.created_at.replace(/\.\d{3}Z$/, 'Z')
    if (release.slug_id) {
      const slug = findSlugById(store, release.slug_id)
      if (slug?.commit_sha) env.HEROKU_SLUG_COMMIT = slug.commit_sha
      // Heroku's is the description of the release that deployed the slug ("Deploy 2c3a0b2")
      const deployed = firstReleaseOfSlug(store, d.appId, release.slug_id)
      env.HEROKU_SLUG_DESCRIPTION = deployed?.description ?? release.description
    }
  }

  return env
}
