// Method + path-template dispatch: "/apps/{app}/config-vars" matches "/apps/my-app/config-vars"
// with params {app: "my-app"}. Identity placeholders accept an id or a name; handlers resolve them.
import type {PageOptions} from './pagination.js'

export type HttpMethod = 'DELETE' | 'GET' | 'PATCH' | 'POST' | 'PUT'

/** who may call a route */
export type RouteAuth =
  /** Bearer token (or Basic with the token as password) */
  | 'password'
  /** also Basic email:password, for creating the first token */
  | 'token'

export type ApiResult =
  | {body: unknown, headers?: Record<string, string>, kind: 'json', status: number}
  /** an already serialized JSON body (e.g. config vars stored as JSON), sent as is */
  | {items: object[], kind: 'list', page: PageOptions}
  | {kind: 'raw-json', status: number, text: string}

export const json = (body: unknown, status = 200, headers?: Record<string, string>): ApiResult => ({kind: 'json', status, body, headers})
export const rawJson = (text: string, status = 200): ApiResult => ({kind: 'raw-json', status, text})
export const list = (items: object[], page: PageOptions): ApiResult => ({kind: 'list', items, page})

export interface Route<C> {
  auth?: RouteAuth
  handler: (ctx: C) => ApiResult | Promise<ApiResult>
  method: HttpMethod
  path: string
}

interface CompiledRoute<C> {
  route: Route<C>
  segments: (string | {param: string})[]
}

export class Router<C> {
  private readonly routes = new Map<string, CompiledRoute<C>[]>()

  add(...routes: Route<C>[]): this {
    for (const route of routes) {
      const segments = route.path.split('/').filter(Boolean).map(s => (/^\{\w+\}$/.test(s) ? {param: s.slice(1, -1)} : s))
      const forMethod = this.routes.get(route.method) ?? []
      forMethod.push({route, segments})
      this.routes.set(route.method, forMethod)
    }

    return this
  }

  /**
   * Finds the route for a request. Literal segments win over parameters, so
   * "/oauth/authorizations/~" style paths and fixed sub-resources resolve predictably.
   */
  match(method: string, segments: readonly string[]): undefined | {params: Record<string, string>, route: Route<C>} {
    let best: undefined | {literals: number, params: Record<string, string>, route: Route<C>}
    for (const candidate of this.routes.get(method) ?? []) {
      if (candidate.segments.length !== segments.length) continue
      const params: Record<string, string> = {}
      let literals = 0
      let ok = true
      for (const [i, segment] of segments.entries()) {
        const pattern = candidate.segments[i]
        if (typeof pattern === 'string') {
          if (pattern !== segment) {
            ok = false
            break
          }

          literals++
        } else {
          params[pattern.param] = segment
        }
      }

      if (ok && (best === undefined || literals > best.literals)) best = {route: candidate.route, params, literals}
    }

    return best
  }

  /** whether any method serves this path (for a helpful error) */
  hasPath(segments: readonly string[]): boolean {
    return [...this.routes.keys()].some(method => this.match(method, segments) !== undefined)
  }
}
