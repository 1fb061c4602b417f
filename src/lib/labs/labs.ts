// Labs: experimental features of the account (/account/features) and of an app
// (/apps/{app}/features), as the Heroku CLI has them: a feature name is looked up among the
// account's features first, then, with an app, among the app's.
import type {Account, AccountFeature, AppFeature} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {ApiError} from '../api/api-error.js'
import {paths} from '../api/paths.js'

type Feature = AccountFeature | AppFeature

export interface LabsList {
  /** the app's features (null without an app) */
  app: AppFeature[] | null
  user: AccountFeature[]
}

/** general features are managed by `heroku features`, not labs */
const experimental = <T extends Feature>(features: T[]): T[] => features.filter(f => f.state !== 'general')

function printFeatures(out: Output, features: Feature[]): void {
  const sorted = [...features].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))
  const longest = Math.max(0, ...sorted.map(f => (f.name ?? '').length))
  for (const f of sorted) {
    const mark = `${f.enabled ? '[+]' : '[ ]'} ${(f.name ?? '').padEnd(longest)}`
    out.log(`${f.enabled ? out.color.green(mark) : mark}  ${f.description ?? ''}`)
  }
}

/** `heroku labs [-a APP]`: the account's experimental features, and the app's with an app. */
export async function listLabs(opts: {api: ApiClient, app?: string, out: Output}): Promise<LabsList> {
  const {api, out, app} = opts
  const [account, user, appFeatures] = await Promise.all([
    api.get<Account>(paths.account()),
    api.list<AccountFeature>(paths.accountFeature()),
    app === undefined ? null : api.list<AppFeature>(paths.app(app).feature()),
  ])
  const result: LabsList = {app: appFeatures && experimental(appFeatures), user: experimental(user)}
  out.heading(`User Features ${account.email ?? ''}`)
  printFeatures(out, result.user)
  if (result.app) {
    out.log()
    out.heading(`App Features ${app}`)
    printFeatures(out, result.app)
  }

  return result
}

interface Found {
  feature: Feature
  /** where to PATCH it, and who it is for (the account's email or the app) */
  path: string
  target: () => Promise<string>
}

/** The account's feature of that name, else (with an app) the app's; the 404 of the last look-up. */
async function findFeature(api: ApiClient, name: string, app?: string): Promise<Found> {
  try {
    const feature = await api.get<AccountFeature>(paths.accountFeature(name))
    return {feature, path: paths.accountFeature(name), target: async () => (await api.get<Account>(paths.account())).email ?? ''}
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404 || app === undefined) throw error
  }

  const feature = await api.get<AppFeature>(paths.app(app).feature(name))
  return {feature, path: paths.app(app).feature(name), target: async () => app}
}

/** `heroku labs:info FEATURE [-a APP]` */
export async function labsInfo(opts: {api: ApiClient, app?: string, feature: string, out: Output}): Promise<Feature> {
  const {out} = opts
  const {feature} = await findFeature(opts.api, opts.feature, opts.app)
  out.heading(feature.name ?? opts.feature)
  out.keyValues([
    ['Description', feature.description],
    ['Enabled', feature.enabled ? out.color.green('true') : out.color.red('false')],
    ['Docs', feature.doc_url],
  ])
  return feature
}

/** `heroku labs:enable` / `labs:disable FEATURE [-a APP]`: the feature as it is now. */
export async function setLabsFeature(opts: {api: ApiClient, app?: string, enabled: boolean, feature: string, out: Output}): Promise<Feature> {
  const {api, out, enabled} = opts
  const found = await findFeature(api, opts.feature, opts.app)
  const target = await found.target()
  const spinner = await out.spinner(`${enabled ? 'Enabling' : 'Disabling'} ${out.color.cyan(opts.feature)} for ${out.color.magenta(target)}`)
  try {
    const feature = await api.patch<Feature>(found.path, {enabled})
    spinner.succeed()
    return feature
  } catch (error) {
    spinner.fail()
    throw error
  }
}
