// SNI endpoints: a certificate (and its key) uploaded for an app's custom domains, which the
// router then serves for them over HTTPS by SNI. A certificate is checked before anything is
// stored: PEM only, the chain parses (each certificate signed by the next), the key matches the
// leaf, and the leaf is valid now; otherwise 422 naming what is wrong. The key is never returned.
//
// Which domains an endpoint serves: a domain has at most one endpoint (domain.sni_endpoint). An
// endpoint, when created, takes the app's custom domains its certificate covers (SAN names, a
// wildcard standing for one label as in TLS) that have none; a domain added with
// "sni_endpoint": null takes the first endpoint covering it; PATCH /apps/{app}/domains/{domain}
// chooses one (it must cover the domain) or none. An updated certificate keeps the domains it still
// covers; those it no longer covers, and those of a deleted endpoint, go to another endpoint
// covering them, or to none.
import {createPrivateKey, type KeyObject, X509Certificate} from 'node:crypto'
import {rootCertificates} from 'node:tls'

import type {AppRow} from '../store/apps.js'
import type {Store} from '../store/database.js'
import type {ApiRoute, RequestContext} from './context.js'

import {commitChange, type PendingEvents} from '../changes.js'
import {parseBody} from '../http/body.js'
import {invalidParams, notFound} from '../http/errors.js'
import {json, list} from '../http/router.js'
import {nameBasedId} from '../ids.js'
import {generateAppName} from '../names.js'
import {type DomainRow, listDomains} from '../store/domains.js'
import {
  type CertificateFacts, deleteSniEndpoint, domainIdsOfEndpoint, endpointCovers, findSniEndpoint, insertSniEndpoint, listSniEndpoints,
  setDomainSniEndpoint, sniEndpointNameTaken, type SniEndpointRow, updateSniEndpoint,
} from '../store/sni-endpoints.js'
import {appRef, requireApp, requireParam} from './resolve.js'

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]+?\r?\n-----END CERTIFICATE-----/g
const PEM_ANY = /^\s*-----BEGIN [A-Z0-9 ]+-----/
/** at most this many certificates in a chain */
const MAX_CHAIN = 10

/** `domains` is passed for a removed endpoint: the domains it served. */
export function serializeSniEndpoint(store: Store, app: AppRow, row: SniEndpointRow, domains = domainIdsOfEndpoint(store, row.id)): object {
  return {
    app: appRef(app),
    certificate_chain: row.certificate_chain,
    created_at: row.created_at,
    display_name: null,
    domains,
    id: row.id,
    name: row.name,
    ssl_cert: {
      'ca_signed?': row.ca_signed === 1,
      cert_domains: JSON.parse(row.cert_domains) as string[],
      expires_at: row.expires_at,
      // a uuid, as the schema has it: the same for the same certificate
      id: nameBasedId('ssl-cert', row.fingerprint),
      issuer: row.issuer,
      'self_signed?': row.self_signed === 1,
      starts_at: row.starts_at,
      subject: row.subject,
    },
    updated_at: row.updated_at,
  }
}

// --- checking an upload -------------------------------------------------------------------

const pemString = (what: string) => (value: unknown, field: string): string => {
  if (typeof value !== 'string') throw invalidParams(`"${field}" must be a string: the ${what} in PEM.`)
  if (!PEM_ANY.test(value)) throw invalidParams(`"${field}" is not PEM: expected the ${what} as text starting with "-----BEGIN …-----".`)
  if (value.length > 64 * 1024) throw invalidParams(`"${field}" is too long.`)
  return value
}

const uploadBody = {certificate_chain: pemString('certificate chain'), private_key: pemString('private key')}

/** "/C=US/O=Example/CN=www.example.com", as Heroku shows a certificate's subject and issuer */
function distinguishedName(dn: string): string {
  return dn.split('\n').filter(Boolean).map(part => `/${part}`).join('')
}

function dnsNames(cert: X509Certificate): string[] {
  const names: string[] = []
  for (const entry of (cert.subjectAltName ?? '').split(/,\s*/)) {
    if (entry.startsWith('DNS:')) names.push(entry.slice(4).toLowerCase())
  }

  if (names.length > 0) return [...new Set(names)]
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1]
  return cn ? [cn.toLowerCase()] : []
}

let roots: undefined | X509Certificate[]

/** Whether the chain ends at (or in) one of Node's bundled root CAs. */
function caSigned(chain: X509Certificate[]): boolean {
  roots ??= rootCertificates.map(pem => new X509Certificate(pem))
  const last = chain.at(-1)!
  return roots.some(root => root.fingerprint256 === last.fingerprint256 || (last.checkIssued(root) && last.verify(root.publicKey)))
}

/** The upload, checked; throws a 422 naming what is wrong. */
export function checkCertificate(certificateChain: string, privateKey: string, now = new Date()): CertificateFacts {
  const blocks = certificateChain.match(PEM_CERTIFICATE) ?? []
  if (blocks.length === 0) throw invalidParams('certificate_chain has no PEM certificate ("-----BEGIN CERTIFICATE-----").')
  if (blocks.length > MAX_CHAIN) throw invalidParams(`certificate_chain has ${blocks.length} certificates; at most ${MAX_CHAIN} are accepted.`)
  const chain = blocks.map((pem, index) => {
    try {
      return new X509Certificate(pem)
    } catch (error) {
      throw invalidParams(`certificate_chain: certificate ${index + 1} does not parse (${(error as Error).message}).`)
    }
  })
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i].checkIssued(chain[i + 1]) || !chain[i].verify(chain[i + 1].publicKey)) {
      throw invalidParams(`certificate_chain: certificate ${i + 1} (${distinguishedName(chain[i].subject)}) is not signed by certificate ${i + 2} (${distinguishedName(chain[i + 1].subject)}); list the server's certificate first, then each issuer.`)
    }
  }

  let key: KeyObject
  try {
    key = createPrivateKey({key: privateKey, format: 'pem'})
  } catch (error) {
    throw invalidParams(`private_key is not a PEM private key (${(error as Error).message}).`)
  }

  const leaf = chain[0]
  if (!leaf.checkPrivateKey(key)) throw invalidParams(`private_key does not match the certificate (${distinguishedName(leaf.subject)}).`)
  const startsAt = new Date(leaf.validFrom)
  const expiresAt = new Date(leaf.validTo)
  if (expiresAt.getTime() <= now.getTime()) throw invalidParams(`The certificate expired on ${expiresAt.toISOString()}.`)
  if (startsAt.getTime() > now.getTime()) throw invalidParams(`The certificate is not valid before ${startsAt.toISOString()}.`)
  const certDomains = dnsNames(leaf)
  if (certDomains.length === 0) throw invalidParams('The certificate names no domain (no DNS subjectAltName and no CN).')
  const selfSigned = leaf.checkIssued(leaf) && leaf.verify(leaf.publicKey)
  return {
    certificateChain: blocks.join('\n') + '\n',
    // what is stored is the key as given (PEM): the router hands it to node:tls as it is
    privateKey,
    certDomains,
    issuer: distinguishedName(leaf.issuer),
    subject: distinguishedName(leaf.subject),
    startsAt: startsAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    expiresAt: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    caSigned: !selfSigned && caSigned(chain),
    selfSigned,
    fingerprint: leaf.fingerprint256,
  }
}

// --- which domains an endpoint serves -----------------------------------------------------

/** The app's first endpoint (oldest) whose certificate covers the hostname, other than `except`. */
export function coveringEndpoint(store: Store, appId: string, hostname: string, except?: string): SniEndpointRow | undefined {
  return listSniEndpoints(store, appId).find(e => e.id !== except && endpointCovers(e, hostname))
}

/** Domains of the app without an endpoint, or whose endpoint no longer covers them, matched again. */
function rematch(store: Store, app: AppRow): void {
  const endpoints = listSniEndpoints(store, app.id)
  for (const domain of listDomains(store, app.id) as (DomainRow & {sni_endpoint_id?: null | string})[]) {
    if (domain.kind !== 'custom') continue
    const current = endpoints.find(e => e.id === domain.sni_endpoint_id)
    if (current && endpointCovers(current, domain.hostname)) continue
    const next = endpoints.find(e => endpointCovers(e, domain.hostname))
    if ((next?.id ?? null) !== (domain.sni_endpoint_id ?? null)) setDomainSniEndpoint(store, domain.id, next?.id ?? null)
  }
}

function changed(pending: PendingEvents, app: AppRow): void {
  pending.add('sni-endpoint.changed', {appId: app.id, appName: app.name})
}

function requireEndpoint(ctx: RequestContext, app: AppRow): SniEndpointRow {
  const endpoint = findSniEndpoint(ctx.platform.store, app.id, requireParam(ctx, 'sni_endpoint'))
  if (endpoint === undefined) throw notFound("Couldn't find that SNI endpoint.", 'sni_endpoint')
  return endpoint
}

export const sniEndpointRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/apps/{app}/sni-endpoints',
    handler(ctx) {
      const app = requireApp(ctx)
      const {store} = ctx.platform
      return list(listSniEndpoints(store, app.id).map(e => serializeSniEndpoint(store, app, e)), {fields: ['id', 'name']})
    },
  },
  {
    method: 'POST',
    path: '/apps/{app}/sni-endpoints',
    handler(ctx) {
      const app = requireApp(ctx)
      const body = parseBody(ctx.body, uploadBody, ['certificate_chain', 'private_key'])
      const facts = checkCertificate(body.certificate_chain!, body.private_key!)
      const {store} = ctx.platform
      const endpoint = commitChange(ctx.platform, pending => {
        const name = generateAppName(name => sniEndpointNameTaken(store, name))
        const row = insertSniEndpoint(store, {appId: app.id, name, ...facts})
        rematch(store, app)
        changed(pending, app)
        pending.add('sni-endpoint.created', {appId: app.id, appName: app.name, endpointId: row.id, userId: ctx.account.id})
        return row
      })
      return json(serializeSniEndpoint(store, app, endpoint), 201)
    },
  },
  {
    method: 'GET',
    path: '/apps/{app}/sni-endpoints/{sni_endpoint}',
    handler(ctx) {
      const app = requireApp(ctx)
      return json(serializeSniEndpoint(ctx.platform.store, app, requireEndpoint(ctx, app)))
    },
  },
  {
    method: 'PATCH',
    path: '/apps/{app}/sni-endpoints/{sni_endpoint}',
    handler(ctx) {
      const app = requireApp(ctx)
      const endpoint = requireEndpoint(ctx, app)
      const body = parseBody(ctx.body, uploadBody, ['certificate_chain', 'private_key'])
      const facts = checkCertificate(body.certificate_chain!, body.private_key!)
      const {store} = ctx.platform
      const updated = commitChange(ctx.platform, pending => {
        const row = updateSniEndpoint(store, endpoint.id, facts)
        rematch(store, app)
        changed(pending, app)
        pending.add('sni-endpoint.updated', {appId: app.id, appName: app.name, endpointId: row.id, previous: endpoint, userId: ctx.account.id})
        return row
      })
      return json(serializeSniEndpoint(store, app, updated))
    },
  },
  {
    method: 'DELETE',
    path: '/apps/{app}/sni-endpoints/{sni_endpoint}',
    handler(ctx) {
      const app = requireApp(ctx)
      const endpoint = requireEndpoint(ctx, app)
      const {store} = ctx.platform
      const domainIds = domainIdsOfEndpoint(store, endpoint.id)
      const shown = serializeSniEndpoint(store, app, endpoint, domainIds)
      commitChange(ctx.platform, pending => {
        deleteSniEndpoint(store, endpoint.id)
        rematch(store, app)
        changed(pending, app)
        pending.add('sni-endpoint.deleted', {appId: app.id, appName: app.name, endpoint, domainIds, userId: ctx.account.id})
      })
      return json(shown)
    },
  },
]
