// Versioned schema migrations. Append only: never edit a migration that has shipped.
export interface Migration {
  name: string
  sql: string
  version: number
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
-- secrets the platform derives URL capabilities from (HMAC), generated once
CREATE TABLE platform_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT,
  password_hash TEXT NOT NULL,
  allow_tracking INTEGER NOT NULL DEFAULT 1,
  beta INTEGER NOT NULL DEFAULT 0,
  last_login TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE oauth_authorizations (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  token_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  scope TEXT NOT NULL,
  expires_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX oauth_authorizations_account ON oauth_authorizations(account_id);

CREATE TABLE apps (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  owner_id TEXT NOT NULL REFERENCES accounts(id),
  maintenance INTEGER NOT NULL DEFAULT 0,
  config TEXT NOT NULL DEFAULT '{}',
  released_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX apps_owner ON apps(owner_id);

CREATE TABLE slugs (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  process_types TEXT NOT NULL,
  checksum TEXT,
  commit_sha TEXT,
  commit_description TEXT,
  buildpack_provided_description TEXT,
  size INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX slugs_app ON slugs(app_id);

CREATE TABLE releases (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  description TEXT NOT NULL,
  status TEXT NOT NULL,
  slug_id TEXT REFERENCES slugs(id),
  config TEXT NOT NULL,
  addon_plan_names TEXT NOT NULL DEFAULT '[]',
  user_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (app_id, version)
);

CREATE TABLE formations (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  command TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  size TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (app_id, type)
);

CREATE TABLE builds (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  status TEXT NOT NULL,
  source_blob TEXT NOT NULL,
  buildpacks TEXT,
  slug_id TEXT,
  release_id TEXT,
  output TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX builds_app ON builds(app_id);

CREATE TABLE addons (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  app_id TEXT NOT NULL REFERENCES apps(id),
  service TEXT NOT NULL,
  plan TEXT NOT NULL,
  provider_id TEXT NOT NULL,
  state TEXT NOT NULL,
  config TEXT NOT NULL,
  provision_message TEXT,
  web_url TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX addons_app ON addons(app_id);

CREATE TABLE addon_attachments (
  id TEXT PRIMARY KEY,
  addon_id TEXT NOT NULL REFERENCES addons(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  namespace TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (app_id, name)
);
CREATE INDEX addon_attachments_addon ON addon_attachments(addon_id);

CREATE TABLE domains (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  hostname TEXT NOT NULL UNIQUE COLLATE NOCASE,
  kind TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX domains_app ON domains(app_id);

CREATE TABLE log_sessions (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  secret_hash TEXT NOT NULL UNIQUE,
  options TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'buildpack installations',
    sql: `
-- an app's buildpacks in the order they run; none = auto-detect among the built-in ones
CREATE TABLE buildpack_installations (
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  url TEXT NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (app_id, ordinal)
);
`,
  },
  {
    version: 3,
    name: 'release phase output',
    sql: `
-- what the release command printed (the release phase: build/release-phase.ts)
ALTER TABLE releases ADD COLUMN output TEXT NOT NULL DEFAULT '';
`,
  },
  {
    version: 4,
    name: 'add-on provisioning options',
    sql: `
-- what addons:create passed to the provider (-- --key value), kept so that a provisioning the
-- platform's restart interrupted is resumed with the same options (addons/lifecycle.ts)
ALTER TABLE addons ADD COLUMN provision_options TEXT NOT NULL DEFAULT '{}';
`,
  },
  {
    version: 5,
    name: 'add-on partner providers',
    sql: `
-- partner add-on providers registered through the Add-on Partner API (addons/partner.ts): the
-- manifest as given (its api.password is what the platform sends in Basic auth, so it is kept,
-- in this 0600 file only), and the account that registered it and alone may remove it
CREATE TABLE addon_providers (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES accounts(id),
  manifest TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- config a partner sent (PATCH /addons/{id}/config) while its add-on was still provisioning:
-- applied to the apps when it reports the add-on provisioned
CREATE TABLE addon_partner_pending_config (
  addon_id TEXT PRIMARY KEY REFERENCES addons(id) ON DELETE CASCADE,
  config TEXT NOT NULL
);
`,
  },
  {
    version: 6,
    name: 'add-on dashboard sessions',
    sql: `
-- browser sessions of the add-on dashboards (addons/dashboards/): the cookie's secret only as a
-- sha256; addon_id NULL = signed in with email and password (every add-on the account may see),
-- else started by an SSO link and valid for that add-on only. Times are epoch milliseconds.
CREATE TABLE dashboard_sessions (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  addon_id TEXT REFERENCES addons(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions(expires_at);
-- single-use SSO tokens (GET /apps/{app}/addons/{addon}/sso), as sha256; used_at once followed
CREATE TABLE dashboard_sso_tokens (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  addon_id TEXT NOT NULL REFERENCES addons(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX dashboard_sso_tokens_expiry ON dashboard_sso_tokens(expires_at);
`,
  },
  {
    version: 7,
    name: 'heroku-postgresql backups',
    sql: `
-- pg:backups (addons/pg-backups.ts): captures (pg_dump -Fc into a 0600 file under
-- DATA/addons/heroku-postgresql/backups/<addon_id>/) and restores (pg_restore of one), numbered
-- per app and kind as Heroku names them (b001, r001); a transfer the platform's stop interrupted
-- is found pending/running by no live job and marked failed when next read
CREATE TABLE pg_transfers (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  addon_id TEXT NOT NULL REFERENCES addons(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('backup', 'restore')),
  num INTEGER NOT NULL,
  source_id TEXT REFERENCES pg_transfers(id) ON DELETE SET NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
  size_bytes INTEGER,
  error TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  updated_at TEXT NOT NULL,
  UNIQUE (app_id, kind, num)
);
CREATE INDEX pg_transfers_addon ON pg_transfers(addon_id, kind);
`,
  },
  {
    version: 8,
    name: 'sni endpoints',
    sql: `
-- certificates uploaded for an app's custom domains (api/sni-endpoints.ts): the chain as given,
-- its private key (PEM, in this 0600 file only; never returned by the API) and what was read
-- from the leaf; domains.sni_endpoint_id is the endpoint the router serves for that hostname
CREATE TABLE sni_endpoints (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  name TEXT NOT NULL UNIQUE,
  certificate_chain TEXT NOT NULL,
  private_key TEXT NOT NULL,
  cert_domains TEXT NOT NULL,
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  starts_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  ca_signed INTEGER NOT NULL,
  self_signed INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX sni_endpoints_app ON sni_endpoints(app_id);
ALTER TABLE domains ADD COLUMN sni_endpoint_id TEXT REFERENCES sni_endpoints(id) ON DELETE SET NULL;
`,
  },
  {
    version: 9,
    name: 'app webhooks',
    sql: `
-- app webhooks (webhooks/): subscriptions, the events they were sent, and one delivery per
-- event and webhook; the secret is kept (it signs every delivery) and shown only on create.
-- Times the deliverer schedules by are epoch milliseconds; the rest ISO text as elsewhere.
CREATE TABLE app_webhooks (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  include TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('notify', 'sync')),
  secret TEXT NOT NULL,
  authorization TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX app_webhooks_app ON app_webhooks(app_id);
CREATE TABLE app_webhook_events (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  include TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX app_webhook_events_app ON app_webhook_events(app_id, created_at);
CREATE TABLE app_webhook_deliveries (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  webhook_id TEXT NOT NULL REFERENCES app_webhooks(id) ON DELETE CASCADE,
  event_id TEXT NOT NULL REFERENCES app_webhook_events(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('pending', 'scheduled', 'retrying', 'failed', 'succeeded')),
  num_attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  give_up_at INTEGER NOT NULL,
  last_attempt TEXT,
  last_response TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX app_webhook_deliveries_app ON app_webhook_deliveries(app_id, created_at);
CREATE INDEX app_webhook_deliveries_due ON app_webhook_deliveries(status, next_attempt_at);
`,
  },
  {
    version: 10,
    name: 'log drains',
    sql: `
-- log drains (api/log-drains.ts, logs/drains.ts): where an app's log lines are delivered
-- (syslog://, syslog+tls://, https://); the token (d.UUID) is what the receiver is told
CREATE TABLE log_drains (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  token TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (app_id, url)
);
`,
  },
  {
    version: 11,
    name: 'collaborators and app transfers',
    sql: `
-- collaborators (api/collaborators.ts): accounts other than the owner that may use an app
-- (deploy, config, scale, logs, run, add-ons); only the owner destroys, renames, transfers it or
-- manages its collaborators. The owner is not a row here: apps.owner_id says who it is.
CREATE TABLE collaborators (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (app_id, account_id)
);
CREATE INDEX collaborators_account ON collaborators(account_id);
-- app transfers (api/app-transfers.ts): the owner offers an app to another account, which
-- accepts or declines; at most one pending transfer per app
CREATE TABLE app_transfers (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  owner_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  recipient_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'declined')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX app_transfers_pending ON app_transfers(app_id) WHERE state = 'pending';
CREATE INDEX app_transfers_recipient ON app_transfers(recipient_id);
`,
  },
  {
    version: 12,
    name: 'pipelines',
    sql: `
-- pipelines (api/pipelines.ts, pipelines/): an account's pipelines, the apps coupled to them at
-- a stage (an app is in one pipeline at most), and promotions of one app's slug to others
CREATE TABLE pipelines (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  owner_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (owner_id, name)
);
CREATE TABLE pipeline_couplings (
  id TEXT PRIMARY KEY,
  pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL UNIQUE REFERENCES apps(id) ON DELETE CASCADE,
  stage TEXT NOT NULL CHECK (stage IN ('test', 'review', 'development', 'staging', 'production')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX pipeline_couplings_pipeline ON pipeline_couplings(pipeline_id);
CREATE TABLE pipeline_promotions (
  id TEXT PRIMARY KEY,
  pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
  source_app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  source_release_id TEXT NOT NULL,
  source_slug_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'completed')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE pipeline_promotion_targets (
  id TEXT PRIMARY KEY,
  promotion_id TEXT NOT NULL REFERENCES pipeline_promotions(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  release_id TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  error_message TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX pipeline_promotion_targets_promotion ON pipeline_promotion_targets(promotion_id);
`,
  },
  {
    version: 13,
    name: 'app features',
    sql: `
-- the labs features an app turned on or off (store/features.ts has the catalogue and defaults;
-- a feature without a row here is at its default)
CREATE TABLE app_features (
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (app_id, name)
);
`,
  },
]
