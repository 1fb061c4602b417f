import type {AddOn} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'

/**
 * An add-on by name, id or attachment name: in the app's context when an app is known
 * (GET /apps/{app}/addons/{addon}), globally otherwise (GET /addons/{addon}).
 */
export function findAddon(api: ApiClient, addon: string, app?: string): Promise<AddOn> {
  const id = encodeURIComponent(addon)
  return app ? api.get<AddOn>(`/apps/${encodeURIComponent(app)}/addons/${id}`) : api.get<AddOn>(`/addons/${id}`)
}

export function addonApp(addon: AddOn): string | undefined {
  return addon.app?.name
}

export function planName(addon: AddOn): string | undefined {
  return addon.plan?.name
}

export function serviceName(addon: AddOn): string | undefined {
  return addon.addon_service?.name ?? addon.plan?.name?.split(':')[0]
}
