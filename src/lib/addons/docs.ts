import type {AddOn, AddOnService} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'

import {ApiError} from '../api/api-error.js'
import {paths} from '../api/paths.js'
import {withServicesHint} from './unknown-service.js'

/** Where Heroku keeps the documentation of its add-on services (as the Heroku CLI opens it). */
export const DEVCENTER = 'https://devcenter.heroku.com/articles/'

/**
 * The documentation page of an add-on service, given the service (`heroku-redis`, `heroku-redis:mini`)
 * or, as the Heroku CLI accepts too, the name of an add-on of it (`redis-round-2`).
 *
 * The URL is the service's own when the platform's service object carries one (`docs_url`: the
 * Platform API schema has no such field, so only a platform that adds it gives one); otherwise
 * the service's Dev Center article, which is where Heroku documents every service it sells. The
 * service is looked up first, so that a typo fails with the platform's own 404 and a hint.
 */
export async function serviceDocsUrl(api: ApiClient, service: string): Promise<{service: AddOnService, url: string}> {
  const name = service.split(':')[0]
  let found: AddOnService
  try {
    found = await api.get<AddOnService>(paths.addonService(name))
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error
    // not a service: perhaps an add-on, whose service it is about
    const addon = await api.get<AddOn>(paths.addon(name)).catch(() => undefined)
    if (!addon?.addon_service?.name) throw withServicesHint(error, name)
    found = {...addon.addon_service} as AddOnService
  }

  const own = (found as {docs_url?: unknown}).docs_url
  const url = typeof own === 'string' && /^https?:\/\//.test(own) ? own : DEVCENTER + encodeURIComponent(found.name ?? name)
  return {service: found, url}
}
