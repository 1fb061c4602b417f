/**
 * The git host of a platform: HEROKU_GIT_HOST, else `git.X` for an API at `api.X`
 * (git.heroku.com for api.heroku.com), else the API's own host and port (the local platform
 * serves git beside its API).
 */
export function gitHostFor(apiUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.HEROKU_GIT_HOST) return env.HEROKU_GIT_HOST.replace(/^https?:\/\//, '').replace(/\/.*$/, '').toLowerCase()
  const url = new URL(apiUrl)
  if (url.hostname.startsWith('api.')) return `git.${url.hostname.slice(4)}`.toLowerCase()
  return url.host.toLowerCase()
}

/** The git base URL whose credential helper we configure (scheme of the API). */
export function gitBaseUrlFor(apiUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  const scheme = new URL(apiUrl).protocol === 'http:' && !env.HEROKU_GIT_HOST ? 'http' : 'https'
  return `${scheme}://${gitHostFor(apiUrl, env)}`
}
