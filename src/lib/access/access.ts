// Collaborators of an app (/apps/{app}/collaborators): who has access, adding and removing
// people by email. Personal apps have no fine-grained permissions (team apps do, on Heroku).
import type {Collaborator} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'

/** GET /apps/{app}/collaborators: a table of email and role (and permissions, where any), by email. */
export async function listAccess(opts: {api: ApiClient, app: string, out: Output}): Promise<Collaborator[]> {
  const {api, out, app} = opts
  const collaborators = await api.list<Collaborator>(paths.app(app).collaborator())
  const rows = [...collaborators]
    .filter(c => !/herokumanager\.com$/.test(c.user?.email ?? ''))
    .sort((a, b) => (a.user?.email ?? '').localeCompare(b.user?.email ?? ''))
  const showPermissions = rows.some(c => (c.permissions ?? []).length > 0)
  await out.table(rows, [
    {header: 'Email', get: c => c.user?.email},
    {header: 'Role', get: c => c.role ?? 'collaborator'},
    ...(showPermissions ? [{header: 'Permissions', get: (c: Collaborator) => (c.permissions ?? []).map(p => p.name ?? '').sort().join(', ')}] : []),
  ])
  return collaborators
}

export interface AddAccessOptions {
  api: ApiClient
  app: string
  email: string
  out: Output
  /** team apps' permissions on Heroku; personal apps have none */
  permissions?: string
}

/** POST /apps/{app}/collaborators {user}: the person must have an account (the server says so otherwise). */
export async function addAccess(opts: AddAccessOptions): Promise<Collaborator> {
  const {api, out, app, email} = opts
  if (opts.permissions !== undefined) out.warn('--permissions applies to team apps only; a personal app\'s collaborators have full access except destroying, renaming, transferring and managing collaborators.')
  return out.withSpinner(`Adding ${email} access to the app ${app}`, () => api.post<Collaborator>(paths.app(app).collaborator(), {user: email}))
}

/** DELETE /apps/{app}/collaborators/{email}. */
export async function removeAccess(opts: {api: ApiClient, app: string, email: string, out: Output}): Promise<Collaborator> {
  const {api, out, app, email} = opts
  return out.withSpinner(`Removing ${email} access from the app ${app}`, () => api.delete<Collaborator>(paths.app(app).collaborator(email)))
}
