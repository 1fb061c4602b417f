// The add-on provider interface: a provider owns one service (e.g. postgresql), its plans, and
// the real resources behind each add-on. The platform stores what providers return and turns
// it into config vars on every app the add-on is attached to.

export interface AddonPlanDefinition {
  /** the part after "service:", e.g. "essential-0" */
  name: string
  humanName: string
  description: string
  default?: boolean
  /** monthly price in cents; the local platform bills nothing but the field is part of plans */
  priceCents?: number
}

export interface AddonServiceDefinition {
  /** e.g. "heroku-postgresql" */
  name: string
  humanName: string
  /** the first attachment's name when the app has none of this add-on yet, e.g. "DATABASE" */
  primaryAttachmentName: string
  /** prefix of further attachments' names, e.g. "HEROKU_POSTGRESQL" → HEROKU_POSTGRESQL_RED */
  attachmentNamePrefix: string
  plans: readonly AddonPlanDefinition[]
}

export interface ProvisionContext {
  addonId: string
  addonName: string
  appName: string
  plan: string
  /** provider-specific options passed with `heroku addons:create … -- --key value` */
  options: Record<string, string>
}

export interface ProvisionResult {
  /** the provider's own handle for the resource, kept to deprovision it later */
  providerId: string
  /** config vars by suffix, e.g. {URL: "postgres://…"}; an attachment named DATABASE exposes DATABASE_URL */
  configVars: Record<string, string>
  webUrl?: string | null
  message?: string | null
}

export interface ProvisionedAddon {
  addonId: string
  addonName: string
  providerId: string
  plan: string
  configVars: Record<string, string>
}

export type Availability = {available: true} | {available: false, reason: string}

export interface AddonProvider {
  readonly service: AddonServiceDefinition
  /** whether provisioning can work right now, e.g. the backing server is configured */
  availability(): Availability
  provision(ctx: ProvisionContext): Promise<ProvisionResult>
  deprovision(addon: ProvisionedAddon): Promise<void>
  /** moves an add-on to another plan; returns new config vars if they change */
  changePlan(addon: ProvisionedAddon, toPlan: string): Promise<{configVars?: Record<string, string>, message?: string | null}>
  /** releases connections etc. when the platform stops */
  close?(): Promise<void>
}

/** A provider failure the user can act on (shown as 422 with this message). */
export class ProviderError extends Error {}
