// The add-on provider interface: a provider owns one service (e.g. postgresql), its plans, and
// the real resources behind each add-on. The platform stores what providers return and turns
// it into config vars on every app the add-on is attached to.
import type {ServiceProcesses} from '../dynos/service-processes.js'
import type {SandboxStatus} from '../sandbox/sandbox.js'

export interface AddonPlanDefinition {
  default?: boolean
  description: string
  humanName: string
  /** the part after "service:", e.g. "essential-0" */
  name: string
  /** monthly price in cents; the local platform bills nothing but the field is part of plans */
  priceCents?: number
}

export interface AddonServiceDefinition {
  /** prefix of further attachments' names, e.g. "HEROKU_POSTGRESQL" → HEROKU_POSTGRESQL_RED */
  attachmentNamePrefix: string
  humanName: string
  /** e.g. "heroku-postgresql" */
  name: string
  plans: readonly AddonPlanDefinition[]
  /** the first attachment's name when the app has none of this add-on yet, e.g. "DATABASE" */
  primaryAttachmentName: string
}

export interface ProvisionContext {
  addonId: string
  addonName: string
  appName: string
  /** provider-specific options passed with `heroku addons:create … -- --key value` */
  options: Record<string, string>
  plan: string
}

export interface ProvisionResult {
  /** config vars by suffix, e.g. {URL: "postgres://…"}; an attachment named DATABASE exposes DATABASE_URL */
  configVars: Record<string, string>
  message?: null | string
  /**
   * true: the resource is still being made; the provider calls runtime.completeProvisioning (or
   * failProvisioning) later, and configVars/webUrl come with that call (the Partner API's async
   * provisioning). The add-on stays `provisioning` until then.
   */
  pending?: boolean
  /**
   * config vars under their own full names (SMTP_URL), set by the attachment that has the
   * service's primaryAttachmentName only (one per app: a second add-on of the service does not
   * overwrite the first's)
   */
  plainConfigVars?: Record<string, string>
  /** the provider's own handle for the resource, kept to deprovision it later */
  providerId: string
  webUrl?: null | string
}

export interface ProvisionedAddon {
  addonId: string
  addonName: string
  /** by suffix, as provision() gave them (plain ones not included) */
  configVars: Record<string, string>
  plainConfigVars: Record<string, string>
  plan: string
  providerId: string
  state: 'deprovisioned' | 'provisioned' | 'provisioning'
}

export type Availability = {available: false, reason: string} | {available: true}

/** What the platform gives a provider at start: where to keep things, how to run servers, how to log. */
export interface ProviderRuntime {
  /** a line in the log stream of every app the add-on is attached to, shown as heroku[source] */
  addonLog(addonId: string, source: string, message: string): void
  /** this service's add-ons as the store has them (provisioning and provisioned) */
  addons(): ProvisionedAddon[]
  /** the platform API's base URL (what a partner provider calls back) */
  apiUrl: string
  /** finishes an add-on whose provision() answered pending: its config vars reach its apps */
  completeProvisioning(addonId: string, result: Pick<ProvisionResult, 'configVars' | 'message' | 'plainConfigVars' | 'webUrl'>): Promise<void>
  /** the service's own directory, DATA/addons/<service> (made, 0700): its servers' data lives here */
  dir: string
  /** an add-on whose provisioning failed later: deprovisioned, with the reason */
  failProvisioning(addonId: string, reason: string): Promise<void>
  /** the platform's own log; never a password or a URL with credentials in it */
  log(line: string): void
  sandbox: SandboxStatus
  /**
   * runs the service's servers (postgres, redis-server …) under the platform's supervisor (the
   * same mechanism as dynos: sandboxed, recorded, restarted with backoff, stopped with the
   * platform); undefined when the platform runs no processes (tests with dynos: false)
   */
  services?: ServiceProcesses
}

export interface AddonProvider {
  /** whether provisioning can work right now, e.g. the backing server is configured */
  availability(): Availability
  /** moves an add-on to another plan; returns new config vars if they change */
  changePlan(addon: ProvisionedAddon, toPlan: string): Promise<{configVars?: Record<string, string>, message?: null | string}>
  /** releases connections etc. when the platform stops */
  close?(): Promise<void>
  /** removes the resource and its credentials; succeeds when parts (or all) of it are gone already */
  deprovision(addon: ProvisionedAddon): Promise<void>
  /**
   * makes the resource. Idempotent for one addonId (a platform restart while an add-on was
   * provisioning calls it again): derive names from the addonId, reuse what is already there.
   * On failure it throws and leaves nothing behind (the platform also calls deprovision).
   */
  provision(ctx: ProvisionContext): Promise<ProvisionResult>
  readonly service: AddonServiceDefinition
  /**
   * called once when the platform starts (after leftovers of an earlier run are gone), before
   * any provision(): start the servers the existing add-ons need
   */
  start?(runtime: ProviderRuntime): Promise<void>
}

/** A provider failure the user can act on (shown as 422 with this message). */
export class ProviderError extends Error {}
