// apps:transfer: hand an app to another account (POST /account/app-transfers {app, recipient}:
// the recipient accepts it, so it stays pending until then — "email sent" on Heroku) or to a
// team (PATCH /teams/apps/{app} {owner}, Heroku's teams). --bulk picks several apps on a terminal.
import type {App, AppTransfer} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'
import type {Prompter} from '../ui/prompter.js'

import {paths} from '../api/paths.js'
import {UsageError} from '../errors.js'
import {confirmDestructive} from './confirm.js'

// an email goes to a person, anything else names a team (team names have no @); laxer than the
// Heroku CLI's test so that a local platform's jane@localhost is a person too
const EMAIL = /^[^\s@]+@[^\s@]+$/
const isTeamOwner = (email: string | undefined) => /@herokumanager\.com$/.test(email ?? '')

export interface TransferOptions {
  api: ApiClient
  /** the app (--app, or the git remote); not needed with bulk */
  app?: string
  bulk?: boolean
  confirm?: string
  locked?: boolean
  out: Output
  prompter: Prompter
  recipient: string
}

async function transferOne(opts: TransferOptions, app: string, ownerEmail: string | undefined, label: boolean): Promise<App | AppTransfer> {
  const {api, out, recipient} = opts
  const toPerson = EMAIL.test(recipient)
  const personal = toPerson && !isTeamOwner(ownerEmail)
  const spinner = await out.spinner(`${personal ? 'Initiating transfer of' : 'Transferring'} ${app}${label ? ` to ${recipient}` : ''}`)
  try {
    const result = personal
      ? await api.post<AppTransfer>(paths.appTransfers(), {app, recipient})
      : await api.patch<App>(paths.teamApp(app), {owner: recipient})
    spinner.succeed((result as AppTransfer).state === 'pending' ? 'email sent' : undefined)
    return result
  } catch (error) {
    spinner.fail()
    throw error
  }
}

/** The app-transfers (to a person) or team apps (to a team), as the API answered each. */
export async function transferApps(opts: TransferOptions): Promise<Array<App | AppTransfer>> {
  const {api, out, prompter} = opts
  if (opts.bulk) {
    const apps = (await api.list<App>(paths.apps())).sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))
    const chosen = await prompter.checkbox('Select applications you would like to transfer', apps.map(a => ({name: `${a.name} (${a.owner?.email ?? ''})`, value: a})), {flag: '--app', what: 'which apps to transfer'})
    out.warn(`Transferring applications to ${opts.recipient}...`)
    const results: Array<App | AppTransfer> = []
    for (const app of chosen) {
      try {
        results.push(await transferOne(opts, app.name ?? '', app.owner?.email, false))
      } catch (error) {
        out.warn(`${app.name}: ${(error as Error).message}`)
      }
    }

    return results
  }

  if (opts.app === undefined) throw new UsageError('No app specified.', {hint: 'Pass --app APP, or --bulk to pick several on a terminal.'})
  const app = await api.get<App>(paths.app(opts.app).self)
  const name = app.name ?? opts.app
  if (opts.locked && !isTeamOwner(app.owner?.email) && EMAIL.test(opts.recipient)) {
    throw new UsageError('--locked applies to apps transferred to a team only.', {hint: `Transfer ${name} without --locked.`})
  }

  // a team app given to a person loses its collaborators, as Heroku warns
  if (EMAIL.test(opts.recipient) && isTeamOwner(app.owner?.email)) {
    await confirmDestructive({action: 'transfer it to a person: all collaborators will be removed from this app', app: name, confirm: opts.confirm, out, prompter})
  }

  const result = await transferOne(opts, name, app.owner?.email, true)
  // the team app as locked is the app as it now is
  return [opts.locked ? await api.patch<App>(paths.teamApp(name), {locked: true}) : result]
}
