// App features (labs): the features that mean something on this platform, and each app's choice.
// The catalogue is code (what a feature does is code too); the table keeps only the choices an
// app made, so a feature nobody touched is at its default. Account features: none here — nothing
// this platform does for an account depends on one (GET /account/features is an empty list).

import type {Store} from './database.js'

import {nameBasedId, nowIso} from '../ids.js'

export interface FeatureDefinition {
  /** what an app has before it chose */
  default: boolean
  description: string
  display_name: string
  doc_url: string
  feedback_email: string
  name: string
  /** Heroku's maturity: alpha, beta or public (general features are managed by `heroku features`) */
  state: 'alpha' | 'beta' | 'public'
}

export const PREBOOT = 'preboot'
export const RUNTIME_DYNO_METADATA = 'runtime-dyno-metadata'

export const APP_FEATURES: readonly FeatureDefinition[] = [
  {
    name: PREBOOT,
    display_name: 'Preboot',
    description: 'Start new web dynos and switch traffic to them before the old ones stop (on every deploy, config change and restart). On by default here; disabled, old dynos stop first.',
    doc_url: 'https://devcenter.heroku.com/articles/preboot',
    state: 'public',
    default: true,
    feedback_email: '',
  },
  {
    name: RUNTIME_DYNO_METADATA,
    display_name: 'Runtime Dyno Metadata',
    description: 'Dynos get HEROKU_APP_ID, HEROKU_APP_NAME, HEROKU_APP_DEFAULT_DOMAIN_NAME, HEROKU_DYNO_ID, HEROKU_RELEASE_VERSION, HEROKU_RELEASE_CREATED_AT, HEROKU_SLUG_COMMIT and HEROKU_SLUG_DESCRIPTION. Enabling or disabling restarts the app\'s dynos.',
    doc_url: 'https://devcenter.heroku.com/articles/dyno-metadata',
    state: 'beta',
    default: false,
    feedback_email: '',
  },
]

export const ACCOUNT_FEATURES: readonly FeatureDefinition[] = []

export interface AppFeature extends Omit<FeatureDefinition, 'default'> {
  created_at: string
  enabled: boolean
  id: string
  updated_at: string
}

interface AppFeatureRow {
  app_id: string
  created_at: string
  enabled: number
  name: string
  updated_at: string
}

/** A feature by name or id (the schema's identity). */
export function featureDefinition(catalogue: readonly FeatureDefinition[], identity: string): FeatureDefinition | undefined {
  const lower = identity.toLowerCase()
  return catalogue.find(f => f.name === identity || featureId(f.name) === lower)
}

export const featureId = (name: string): string => nameBasedId('app-feature', name)

function toFeature(def: FeatureDefinition, row: AppFeatureRow | undefined, appCreatedAt: string): AppFeature {
  const {default: enabledByDefault, ...rest} = def
  return {
    ...rest,
    id: featureId(def.name),
    enabled: row ? row.enabled === 1 : enabledByDefault,
    created_at: row?.created_at ?? appCreatedAt,
    updated_at: row?.updated_at ?? appCreatedAt,
  }
}

export function listAppFeatures(store: Store, app: {created_at: string, id: string}): AppFeature[] {
  const rows = new Map(store.all<AppFeatureRow>('SELECT * FROM app_features WHERE app_id = ?', app.id).map(r => [r.name, r]))
  return APP_FEATURES.map(def => toFeature(def, rows.get(def.name), app.created_at))
}

export function getAppFeature(store: Store, app: {created_at: string, id: string}, def: FeatureDefinition): AppFeature {
  return toFeature(def, store.get<AppFeatureRow>('SELECT * FROM app_features WHERE app_id = ? AND name = ?', app.id, def.name), app.created_at)
}

export function setAppFeature(store: Store, appId: string, name: string, enabled: boolean): void {
  const now = nowIso()
  store.run(
    'INSERT INTO app_features (app_id, name, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (app_id, name) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at',
    appId, name, enabled ? 1 : 0, now, now,
  )
}

/** Whether the app has the feature on (its choice, else the feature's default). */
export function appFeatureEnabled(store: Store, appId: string, name: string): boolean {
  const row = store.get<{enabled: number}>('SELECT enabled FROM app_features WHERE app_id = ? AND name = ?', appId, name)
  if (row) return row.enabled === 1
  return APP_FEATURES.find(f => f.name === name)?.default ?? false
}
