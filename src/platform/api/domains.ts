// Domains: the default APP.localhost domain plus custom hostnames (pointed at APP.localhost).
import {commitChange} from '../changes.js'
import {isNullableString, parseBody} from '../http/body.js'
import {invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import type {AppRow} from '../store/apps.js'
import {deleteDomain, type DomainRow, findDomain, hostnameTaken, insertDomain, listDomains} from '../store/domains.js'
import {type ApiRoute, DEFAULT_DOMAIN, type PlatformContext, type RequestContext} from './context.js'
import {appRef, requireApp, requireParam} from './resolve.js'

const HOSTNAME = /^(?:\*\.)?(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

export function serializeDomain(platform: PlatformContext, app: AppRow, domain: DomainRow): object {
  return {
    acm_status: null,
    acm_status_reason: null,
    app: appRef(app),
    cname: domain.kind === 'custom' ? platform.urls.appHostname(app.name) : null,
    created_at: domain.created_at,
    hostname: domain.hostname,
    id: domain.id,
    kind: domain.kind,
    updated_at: domain.updated_at,
    // No DNS check is made locally, so the record's status is not claimed either way.
    status: 'none',
    sni_endpoint: null,
  }
}

function requireDomain(ctx: RequestContext, app: AppRow): DomainRow {
  const domain = findDomain(ctx.platform.store, app.id, requireParam(ctx, 'domain').toLowerCase())
  if (domain === undefined) throw notFound("Couldn't find that domain.")
  return domain
}

const createBody = {
  hostname: (value: unknown, field: string) => {
    if (typeof value !== 'string') throw invalidParams(`"${field}" must be a string.`)
    const hostname = value.toLowerCase().replace(/\.$/, '')
    if (!HOSTNAME.test(hostname)) throw invalidParams(`${JSON.stringify(value)} is not a valid hostname.`)
    // victim.localhost would answer for the app `victim` of another account, and then keep its
    // owner from creating that app at all
    if (hostname === DEFAULT_DOMAIN || hostname.endsWith(`.${DEFAULT_DOMAIN}`)) {
      throw invalidParams(`${hostname} is in *.${DEFAULT_DOMAIN}, which is reserved for apps' default domains; add a hostname of a domain you control.`)
    }
    return hostname
  },
  sni_endpoint: (value: unknown, field: string) => {
    const endpoint = isNullableString(value, field)
    if (endpoint !== null) throw invalidParams('SNI endpoints are not supported by this platform; pass "sni_endpoint": null.')
    return endpoint
  },
}

export const domainRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/apps/{app}/domains',
    handler(ctx) {
      const app = requireApp(ctx)
      return list(listDomains(ctx.platform.store, app.id).map(d => serializeDomain(ctx.platform, app, d)), {fields: ['id', 'hostname']})
    },
  },
  {
    method: 'POST',
    path: '/apps/{app}/domains',
    handler(ctx) {
      const app = requireApp(ctx)
      const body = parseBody(ctx.body, createBody, ['hostname'])
      const hostname = body.hostname!
      const domain = commitChange(ctx.platform, pending => {
        if (hostnameTaken(ctx.platform.store, hostname)) throw invalidParams(`${hostname} is already in use by an app.`)
        pending.add('domain.created', {appId: app.id, appName: app.name, hostname})
        return insertDomain(ctx.platform.store, {appId: app.id, hostname, kind: 'custom'})
      })
      return json(serializeDomain(ctx.platform, app, domain), 201)
    },
  },
  {method: 'GET', path: '/apps/{app}/domains/{domain}', handler: ctx => (app => json(serializeDomain(ctx.platform, app, requireDomain(ctx, app))))(requireApp(ctx))},
  {
    method: 'DELETE',
    path: '/apps/{app}/domains/{domain}',
    handler(ctx) {
      const app = requireApp(ctx)
      const domain = requireDomain(ctx, app)
      if (domain.kind === 'heroku') throw invalidParams(`${domain.hostname} is the app's default domain and cannot be removed.`)
      commitChange(ctx.platform, pending => {
        deleteDomain(ctx.platform.store, domain.id)
        pending.add('domain.deleted', {appId: app.id, appName: app.name, hostname: domain.hostname})
      })
      return json(serializeDomain(ctx.platform, app, domain))
    },
  },
]
