import type {AddOnAttachment} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'

/** POST /addon-attachments: shares an existing add-on with an app. */
export async function attachAddon(opts: {addon: string, api: ApiClient, app: string, as?: string, confirm?: string, out: Output}): Promise<AddOnAttachment> {
  const {api, out} = opts
  const body: Record<string, unknown> = {addon: opts.addon, app: opts.app}
  if (opts.as) body.name = opts.as
  if (opts.confirm) body.confirm = opts.confirm
  const spinner = await out.spinner(`Attaching ${opts.addon}${opts.as ? ` as ${opts.as}` : ''} to ${opts.app}`)
  try {
    const attachment = await api.post<AddOnAttachment>(paths.attachment(), body)
    spinner.succeed()
    out.log(`Attached ${attachment.addon?.name ?? opts.addon} to ${opts.app} as ${attachment.name}`)
    return attachment
  } catch (error) {
    spinner.fail()
    throw error
  }
}

/** GET /apps/{app}/addon-attachments/{name}, then DELETE /addon-attachments/{id}. */
export async function detachAddon(opts: {api: ApiClient, app: string, attachment: string, out: Output}): Promise<AddOnAttachment> {
  const {api, out, app} = opts
  const found = await api.get<AddOnAttachment>(paths.app(app).attachment(opts.attachment))
  const spinner = await out.spinner(`Detaching ${found.name} (${found.addon?.name}) from ${app}`)
  try {
    const detached = await api.delete<AddOnAttachment>(paths.attachment(found.id ?? opts.attachment))
    spinner.succeed()
    return detached
  } catch (error) {
    spinner.fail()
    throw error
  }
}
