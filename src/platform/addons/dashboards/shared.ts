// Small pieces several service dashboards use.

import type {DashboardRequest} from './view.js'

import {listAddonAttachments} from '../../store/addons.js'
import {findAppById} from '../../store/apps.js'
import {attachmentConfigVars} from '../lifecycle.js'

/** The config var names the add-on sets, with the app each is on: "DATABASE_URL on my-app". */
export function attachmentNames(d: DashboardRequest): string[] {
  const names: string[] = []
  for (const attachment of listAddonAttachments(d.platform.store, d.addon.id)) {
    const app = findAppById(d.platform.store, attachment.app_id)
    for (const name of Object.keys(attachmentConfigVars(d.addon, attachment.name, d.provider.service))) names.push(`${name} on ${app?.name ?? '?'}`)
  }

  return names
}
