// Errors as the Platform API returns them: an HTTP status plus {"id", "message"}.
export type ApiErrorId =
  | 'bad_request'
  | 'conflict'
  | 'forbidden'
  | 'internal_server_error'
  | 'invalid_params'
  | 'method_not_allowed'
  | 'not_acceptable'
  | 'not_found'
  | 'rate_limit'
  | 'request_too_large'
  | 'service_unavailable'
  | 'unauthorized'

export class ApiError extends Error {
  /** which resource a not_found is about, as Heroku says it (`app`, …): clients hint from it */
  resource?: string

  constructor(readonly status: number, readonly id: ApiErrorId, message: string) {
    super(message)
  }

  toBody(): {id: ApiErrorId, message: string, resource?: string} {
    return this.resource === undefined ? {id: this.id, message: this.message} : {id: this.id, message: this.message, resource: this.resource}
  }
}

export const badRequest = (message: string): ApiError => new ApiError(400, 'bad_request', message)
export const unauthorized = (message = 'Invalid credentials provided.'): ApiError => new ApiError(401, 'unauthorized', message)
export const forbidden = (message: string): ApiError => new ApiError(403, 'forbidden', message)
export const notFound = (message: string, resource?: string): ApiError => Object.assign(new ApiError(404, 'not_found', message), {resource})
export const invalidParams = (message: string): ApiError => new ApiError(422, 'invalid_params', message)
export const conflict = (message: string): ApiError => new ApiError(409, 'conflict', message)
