// App and account features (the schema's app-feature and account-feature): the labs features that
// mean something here (store/features.ts) and each app's choice. runtime-dyno-metadata takes
// effect at once: changing it restarts the app's formation dynos (web dynos prebooted when preboot
// is on), so that they start with or without the metadata (dynos/dyno-metadata.ts). preboot takes
// effect at the next deploy, config change or restart (dynos/formation.ts). No account features.

import type {AppRow} from '../store/apps.js'
import type {ApiRoute, RequestContext} from './context.js'

import {isBoolean, parseBody} from '../http/body.js'
import {notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {ACCOUNT_FEATURES, APP_FEATURES, type FeatureDefinition, featureDefinition, getAppFeature, listAppFeatures, RUNTIME_DYNO_METADATA, setAppFeature} from '../store/features.js'
import {requireApp, requireParam} from './resolve.js'

function requireFeature(ctx: RequestContext, catalogue: readonly FeatureDefinition[], kind: 'account' | 'app'): FeatureDefinition {
  const def = featureDefinition(catalogue, requireParam(ctx, 'feature'))
  if (def === undefined) throw notFound(`Couldn't find that ${kind} feature.`, `${kind}_feature`)
  return def
}

function setFeature(ctx: RequestContext, app: AppRow, def: FeatureDefinition): object {
  const {enabled} = parseBody(ctx.body, {enabled: isBoolean}, ['enabled'])
  const before = getAppFeature(ctx.platform.store, app, def).enabled
  setAppFeature(ctx.platform.store, app.id, def.name, enabled!)
  if (before !== enabled && def.name === RUNTIME_DYNO_METADATA) ctx.platform.events.emit('dynos.restart', {appId: app.id, appName: app.name})
  return getAppFeature(ctx.platform.store, app, def)
}

export const featureRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/apps/{app}/features',
    handler: ctx => list(listAppFeatures(ctx.platform.store, requireApp(ctx)), {fields: ['name', 'id']}),
  },
  {
    method: 'GET',
    path: '/apps/{app}/features/{feature}',
    handler(ctx) {
      const app = requireApp(ctx)
      return json(getAppFeature(ctx.platform.store, app, requireFeature(ctx, APP_FEATURES, 'app')))
    },
  },
  {
    method: 'PATCH',
    path: '/apps/{app}/features/{feature}',
    handler(ctx) {
      const app = requireApp(ctx)
      return json(setFeature(ctx, app, requireFeature(ctx, APP_FEATURES, 'app')))
    },
  },
  {method: 'GET', path: '/account/features', handler: () => list([], {fields: ['name', 'id']})},
  {method: 'GET', path: '/account/features/{feature}', handler: ctx => json(requireFeature(ctx, ACCOUNT_FEATURES, 'account'))},
  {
    method: 'PATCH',
    path: '/account/features/{feature}',
    handler(ctx) {
      requireFeature(ctx, ACCOUNT_FEATURES, 'account')
      return json({})
    },
  },
]
