import type {AddOnService} from '@heroku-cli/schema'

import type {ApiClient} from '../api/client.js'

/**
 * The documentation page of an add-on service. The API carries no docs URL, so this is where
 * Heroku keeps them (as the Heroku CLI does); the service is looked up first so that a typo
 * fails with the platform's own 404.
 */
export async function serviceDocsUrl(api: ApiClient, service: string): Promise<{service: AddOnService; url: string}> {
  const name = service.split(':')[0]
  const found = await api.get<AddOnService>(`/addon-services/${encodeURIComponent(name)}`)
  return {service: found, url: `https://devcenter.heroku.com/articles/${encodeURIComponent(found.name ?? name)}`}
}
