// Domains: the default APP.localhost domain plus custom hostnames (pointed at APP.localhost).

import type {AppRow} from '../store/apps.js'

import {commitChange} from '../changes.js'
import {isIdentity, parseBody} from '../http/body.js'
import {invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {deleteDomain, type DomainRow, findDomain, hostnameTaken, insertDomain, listDomains} from '../store/domains.js'
import {endpointCovers, findSniEndpoint, setDomainSniEndpoint, sniEndpointRef} from '../store/sni-endpoints.js'
import {type ApiRoute, DEFAULT_DOMAIN, type PlatformContext, type RequestContext} from './context.js'
import {appRef, requireApp, requireParam} from './resolve.js'
import {coveringEndpoint} from './sni-endpoints.js'

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
    // No DNS check is made locally, so the record's status is not claimed either way (and the
    // official CLI's domains:add --wait, which polls while it is "pending", is done at once).
    status: 'none',
    sni_endpoint: sniEndpointRef(platform.store, domain.sni_endpoint_id),
  }
}

function requireDomain(ctx: RequestContext, app: AppRow): DomainRow {
  const domain = findDomain(ctx.platform.store, app.id, requireParam(ctx, 'domain').toLowerCase())
  if (domain === undefined) throw notFound("Couldn't find that domain.")
  return domain
}

const createBody = {
  hostname(value: unknown, field: string) {
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
  sni_endpoint: nullableEndpoint,
}

/** null (none, or on create: the first endpoint covering the hostname) or an endpoint's id or name */
function nullableEndpoint(value: unknown, field: string): null | string {
  return value === null ? null : isIdentity(value, field)
}

/** The app's endpoint `identity`, which must cover `hostname`; a 422 otherwise. */
function chosenEndpoint(ctx: RequestContext, app: AppRow, identity: string, hostname: string): string {
  const endpoint = findSniEndpoint(ctx.platform.store, app.id, identity)
  if (endpoint === undefined) throw invalidParams(`${app.name} has no SNI endpoint ${identity}.`)
  if (!endpointCovers(endpoint, hostname)) throw invalidParams(`The certificate of SNI endpoint ${endpoint.name} does not cover ${hostname}.`)
  return endpoint.id
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
      const endpointId = body.sni_endpoint ? chosenEndpoint(ctx, app, body.sni_endpoint, hostname) : undefined
      const domain = commitChange(ctx.platform, pending => {
        if (hostnameTaken(ctx.platform.store, hostname)) throw invalidParams(`${hostname} is already in use by an app.`)
        pending.add('domain.created', {appId: app.id, appName: app.name, hostname})
        const row = insertDomain(ctx.platform.store, {appId: app.id, hostname, kind: 'custom'})
        const sniEndpointId = endpointId ?? coveringEndpoint(ctx.platform.store, app.id, hostname)?.id
        if (sniEndpointId === undefined) return row
        setDomainSniEndpoint(ctx.platform.store, row.id, sniEndpointId)
        return {...row, sni_endpoint_id: sniEndpointId}
      })
      return json(serializeDomain(ctx.platform, app, domain), 201)
    },
  },
  {method: 'GET', path: '/apps/{app}/domains/{domain}', handler: ctx => (app => json(serializeDomain(ctx.platform, app, requireDomain(ctx, app))))(requireApp(ctx))},
  {
    // the SNI endpoint the router serves for the domain (null: none)
    method: 'PATCH',
    path: '/apps/{app}/domains/{domain}',
    handler(ctx) {
      const app = requireApp(ctx)
      const domain = requireDomain(ctx, app)
      const body = parseBody(ctx.body, {sni_endpoint: nullableEndpoint})
      if (!Object.hasOwn(body, 'sni_endpoint')) throw invalidParams('Missing required field "sni_endpoint".')
      if (domain.kind === 'heroku' && body.sni_endpoint !== null) throw invalidParams(`${domain.hostname} is the app's default domain: it is served with the platform's own certificate.`)
      const endpointId = body.sni_endpoint ? chosenEndpoint(ctx, app, body.sni_endpoint, domain.hostname) : null
      commitChange(ctx.platform, pending => {
        setDomainSniEndpoint(ctx.platform.store, domain.id, endpointId)
        pending.add('sni-endpoint.changed', {appId: app.id, appName: app.name})
      })
      return json(serializeDomain(ctx.platform, app, requireDomain(ctx, app)))
    },
  },
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
