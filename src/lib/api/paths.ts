// Every Platform API path the CLI builds, and the one place their segments are percent-encoded.
// URLs that API objects carry (app.git_url, build.output_stream_url, …) are followed as given,
// never rebuilt here (DESIGN: follow the links the API returns).

type Segment = number | string

/** `/a/b/c` from segments, each percent-encoded: an app or add-on name can never split a path. */
export function apiPath(...segments: Segment[]): string {
  return segments.map(s => `/${encodeURIComponent(String(s))}`).join('')
}

/** `base/collection`, or `base/collection/id` when id is given. */
const member = (base: string, collection: string, id?: Segment): string => `${base}${id === undefined ? apiPath(collection) : apiPath(collection, id)}`

/** The paths under /apps/{app}. */
export function appPaths(app: string) {
  const self = apiPath('apps', app)
  return {
    self,
    addon: (addon: string) => addonOfApp(self, addon),
    addons: () => `${self}/addons`,
    attachment: (attachment: string) => member(self, 'addon-attachments', attachment),
    attachments: () => `${self}/addon-attachments`,
    build: (id?: string) => member(self, 'builds', id),
    buildpackInstallations: () => `${self}/buildpack-installations`,
    cache: () => `${self}/cache`,
    cachePurge: () => `${self}/cache/purge`,
    collaborator: (email?: string) => member(self, 'collaborators', email),
    configVars: () => `${self}/config-vars`,
    domain: (hostname?: string) => member(self, 'domains', hostname),
    /** all dynos, or one by name (web.1) */
    dyno: (name?: string) => member(self, 'dynos', name),
    dynoStop: (name: string) => `${member(self, 'dynos', name)}/actions/stop`,
    feature: (feature?: string) => member(self, 'features', feature),
    /** the whole formation (list, batch update) */
    formation: () => `${self}/formation`,
    /** one process type's formation (the restart and stop endpoints say formations, plural) */
    formationOfType: (type: string) => member(self, 'formations', type),
    formationStop: (type: string) => `${member(self, 'formations', type)}/actions/stop`,
    logDrain: (id?: string) => member(self, 'log-drains', id),
    logSessions: () => `${self}/log-sessions`,
    pipelineCoupling: () => `${self}/pipeline-couplings`,
    release: (version?: number | string) => member(self, 'releases', version),
    slug: (id: string) => member(self, 'slugs', id),
    sniEndpoint: (name?: string) => member(self, 'sni-endpoints', name),
    webhook: (id?: string) => member(self, 'webhooks', id),
    webhookDelivery: (id?: string) => member(self, 'webhook-deliveries', id),
    webhookEvent: (id?: string) => member(self, 'webhook-events', id),
  }
}

/** The paths under /apps/{app}/addons/{addon}, including the Postgres backups API. */
function addonOfApp(appSelf: string, addon: string) {
  const self = member(appSelf, 'addons', addon)
  return {
    self,
    backup: (id?: number | string) => member(self, 'backups', id),
    backupPublicUrl: (id: number | string) => `${member(self, 'backups', id)}/actions/public-url`,
    backupRestore: (id: number | string) => `${member(self, 'backups', id)}/actions/restore`,
    restore: (id?: number | string) => member(self, 'restores', id),
    sso: () => `${self}/sso`,
  }
}

export const paths = {
  account: () => '/account',
  accountFeature: (feature?: string) => member('/account', 'features', feature),
  appTransfers: () => '/account/app-transfers',
  /** GET /addons/{addon}, or every add-on of the account */
  addon: (addon?: string) => member('', 'addons', addon),
  addonAttachments: (addon: string) => `${member('', 'addons', addon)}/addon-attachments`,
  addonProvider: (id?: string) => member('/platform', 'addon-providers', id),
  addonService: (service?: string) => member('', 'addon-services', service),
  addonServicePlans: (service: string) => `${member('', 'addon-services', service)}/plans`,
  app: appPaths,
  apps: () => '/apps',
  attachment: (id?: string) => member('', 'addon-attachments', id),
  attachmentResolve: () => '/actions/addon-attachments/resolve',
  /** `~` is the authorization of the token in use */
  oauthAuthorization: (id?: string) => member('/oauth', 'authorizations', id),
  pipeline: (pipeline?: string) => member('', 'pipelines', pipeline),
  pipelineCoupling: (id?: string) => member('', 'pipeline-couplings', id),
  pipelineCouplings: (pipeline: string) => `${member('', 'pipelines', pipeline)}/pipeline-couplings`,
  pipelinePromotions: () => '/pipeline-promotions',
  promotionTargets: (promotion: string) => `${member('', 'pipeline-promotions', promotion)}/promotion-targets`,
  teamApp: (app: string) => member('/teams', 'apps', app),
}
