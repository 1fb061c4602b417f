// Every API route, by resource.

import type {ApiRoute} from './context.js'

import {accountRoutes} from './account.js'
import {addonAttachmentRoutes} from './addon-attachments.js'
import {addonProviderRoutes} from './addon-providers.js'
import {addonServiceRoutes} from './addon-services.js'
import {addonRoutes} from './addons.js'
import {appTransferRoutes} from './app-transfers.js'
import {appRoutes} from './apps.js'
import {buildpackInstallationRoutes} from './buildpack-installations.js'
import {buildRoutes} from './builds.js'
import {cacheRoutes} from './cache.js'
import {collaboratorRoutes} from './collaborators.js'
import {configVarRoutes} from './config-vars.js'
import {domainRoutes} from './domains.js'
import {dynoRoutes} from './dynos.js'
import {featureRoutes} from './features.js'
import {formationRoutes} from './formation.js'
import {logDrainRoutes} from './log-drains.js'
import {logSessionRoutes} from './log-sessions.js'
import {oauthAuthorizationRoutes} from './oauth-authorizations.js'
import {pgBackupRoutes} from './pg-backups.js'
import {pipelineRoutes} from './pipelines.js'
import {regionStackRoutes} from './regions-stacks.js'
import {releaseRoutes} from './releases.js'
import {resolveActionRoutes} from './resolve-actions.js'
import {slugRoutes} from './slugs.js'
import {sniEndpointRoutes} from './sni-endpoints.js'
import {webhookRoutes} from './webhooks.js'

export const apiRoutes: readonly ApiRoute[] = [
  ...accountRoutes,
  ...oauthAuthorizationRoutes,
  ...appRoutes,
  ...collaboratorRoutes,
  ...appTransferRoutes,
  ...configVarRoutes,
  ...releaseRoutes,
  ...formationRoutes,
  ...dynoRoutes,
  ...addonServiceRoutes,
  ...addonRoutes,
  ...addonAttachmentRoutes,
  ...resolveActionRoutes,
  ...domainRoutes,
  ...sniEndpointRoutes,
  ...logSessionRoutes,
  ...logDrainRoutes,
  ...buildRoutes,
  ...buildpackInstallationRoutes,
  ...slugRoutes,
  ...regionStackRoutes,
  // the router's HTTP cache: this platform's own, outside the v3 schema
  ...cacheRoutes,
  ...addonProviderRoutes,
  // heroku-postgresql backups: this platform's own (Heroku has them in its Postgres API)
  ...pgBackupRoutes,
  ...webhookRoutes,
  ...featureRoutes,
  ...pipelineRoutes,
]
