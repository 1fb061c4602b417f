import type {AddOn} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'

import {paths} from '../api/paths.js'

/**
 * An add-on by name, id or attachment name: in the app's context when an app is known
 * (GET /apps/{app}/addons/{addon}), globally otherwise (GET /addons/{addon}).
 */
export function findAddon(api: ApiClient, addon: string, app?: string): Promise<AddOn> {
  return app ? api.get<AddOn>(paths.app(app).addon(addon).self) : api.get<AddOn>(paths.addon(addon))
}
