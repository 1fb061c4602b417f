// Method + path-template dispatch: "/apps/{app}/config-vars" matches "/apps/my-app/config-vars"
// with params {app: "my-app"}. Identity placeholders accept an id or a name; handlers resolve them.
import type {PageOptions} from './pagination.js'

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'

/** who may call a route */
export type RouteAuth =
  /** Bearer token (or Basic with the token as password) */
  | 'token'
  /** also Basic email:password, for creating the first token */
  | 'password'

export type ApiResult =
  | {kind: 'json', status: number, body: unknown, headers?: Record<string, string>}
  /** an already serialized JSON body (e.g. config vars stored as JSON), sent as is */
  | {kind: 'raw-json', status: number, text: string}
  | {kind: 'list', items: object[], page: PageOptions}

export const json = (body: unknown, status = 200, headers?: Record<string, string>): ApiResult => ({kind: 'json', status, body, headers})
export const rawJson = (text: string, status = 200): ApiResult => ({kind: 'raw-json', status, text})
export const list = (items: object[], page: PageOptions): ApiResult => ({kind: 'list', items, page})

export interface Route<C> {
  method: HttpMethod
  path: string
  auth?: RouteAuth
  handler: (ctx: C) => ApiResult | Promise<ApiResult>
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
  match(method: string, segments: readonly string[]): {route: Route<C>, params: Record<string, string>} | undefined {
    let best: {route: Route<C>, params: Record<string, string>, literals: number} | undefined
    for (const candidate of this.routes.get(method) ?? []) {
      if (candidate.segments.length !== segments.length) continue
      const params: Record<string, string> = {}
      let literals = 0
      let ok = true
      for (let i = 0; i < segments.length; i++) {
        const pattern = candidate.segments[i]
        if (typeof pattern === 'string') {
          if (pattern !== segments[i]) {
            ok = false
            break
          }
          literals++
        } else {
          params[pattern.param] = segments[i]
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
