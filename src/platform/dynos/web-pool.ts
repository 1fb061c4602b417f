// The contract between the dyno supervisor and the HTTP router: the supervisor keeps each app's
// web pool current (dynos/supervisor.ts), the router reads it and sends each request to one of
// its backends (router/router.ts). Neither knows more of the other than this.

/** A web dyno the router may send requests to. */
export interface Backend {
  /** requests in flight, kept by the router (upgraded connections included) */
  inflight: number
  readonly name: string
  readonly port: number
  /** of those, upgraded connections (WebSocket …): they may last for hours, a stop does not wait for them */
  upgraded?: number
}

/** The web side of an app, kept current for the router. */
export interface WebPool {
  crashed: number
  /** changes (deploy, scale, restart) queued or under way: dynos may be about to appear */
  pending: number
  starting: number
  /** web dynos in state up that take new requests */
  up: Backend[]
  /** web dynos the formation asks for */
  wanted: number
}

/** What the router asks of the supervisor (tests give the router pools of their own). */
export interface WebPools {
  /** told when a web dyno leaves its pool to be stopped: its kept-alive connections go */
  onRetired?(listener: (backend: Backend) => void): () => void
  /** resolves when the app's pool changes (a web dyno came up, crashed …) or after `ms` */
  poolChanged(appId: string, ms: number): Promise<void>
  /** the app's pool, the same object while the app lives; undefined: no dynos ever ran */
  webPool(appId: string): undefined | WebPool
}
