import {ApiError} from '../api/api-error.js'

/**
 * Is this the platform saying it knows no such add-on service or plan? Heroku answers a 404
 * ("Couldn't find either the add-on service or the add-on plan of …", "Couldn't find that add-on
 * service.") and some platforms a 422 with the same words; a 404 about the app is not one.
 */
export function isUnknownService(error: unknown): error is ApiError {
  if (!(error instanceof ApiError) || (error.status !== 404 && error.status !== 422)) return false
  if (error.resource === 'app') return false
  return /add-?on[ _-]?(service|plan)/i.test(error.resource ?? '') || /add-on (service|plan)/i.test(error.message)
}

/**
 * The same error, with a hint that names the commands listing what exists: the services, and the
 * plans of the service when one was named (SERVICE:PLAN). Any other error is returned as it is.
 */
export function withServicesHint(error: unknown, serviceOrPlan: string): unknown {
  if (!isUnknownService(error)) return error
  const [service, plan] = serviceOrPlan.split(':')
  const hint = plan === undefined
    ? 'See the available services with heroku addons:services.'
    : `See the available services with heroku addons:services, and the plans of ${service} with heroku addons:plans ${service}.`
  return Object.assign(new ApiError({...error, message: error.message}), {hint})
}
