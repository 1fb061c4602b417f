// SNI endpoints: certificates uploaded for an app's custom domains, and which domain uses which.
// The private key is kept here (the store is the data dir's 0600 SQLite file) and nowhere else.

import type {Store} from './database.js'

import {isUuid, newId, nowIso} from '../ids.js'

export interface SniEndpointRow {
  app_id: string
  ca_signed: number
  /** JSON array of the certificate's DNS names (SAN, else its CN) */
  cert_domains: string
  certificate_chain: string
  created_at: string
  expires_at: string
  fingerprint: string
  id: string
  issuer: string
  name: string
  private_key: string
  self_signed: number
  starts_at: string
  subject: string
  updated_at: string
}

/** What is read from a validated certificate (api/sni-endpoints.ts) and stored with it. */
export interface CertificateFacts {
  caSigned: boolean
  certDomains: string[]
  certificateChain: string
  expiresAt: string
  fingerprint: string
  issuer: string
  privateKey: string
  selfSigned: boolean
  startsAt: string
  subject: string
}

export function insertSniEndpoint(store: Store, input: CertificateFacts & {appId: string, name: string}): SniEndpointRow {
  const now = nowIso()
  const id = newId()
  store.run(
    `INSERT INTO sni_endpoints (id, app_id, name, certificate_chain, private_key, cert_domains, issuer, subject, starts_at, expires_at, ca_signed, self_signed, fingerprint, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id, input.appId, input.name, input.certificateChain, input.privateKey, JSON.stringify(input.certDomains), input.issuer, input.subject,
    input.startsAt, input.expiresAt, input.caSigned ? 1 : 0, input.selfSigned ? 1 : 0, input.fingerprint, now, now,
  )
  return store.get<SniEndpointRow>('SELECT * FROM sni_endpoints WHERE id = ?', id)!
}

export function updateSniEndpoint(store: Store, id: string, facts: CertificateFacts): SniEndpointRow {
  store.run(
    `UPDATE sni_endpoints SET certificate_chain = ?, private_key = ?, cert_domains = ?, issuer = ?, subject = ?, starts_at = ?, expires_at = ?,
       ca_signed = ?, self_signed = ?, fingerprint = ?, updated_at = ? WHERE id = ?`,
    facts.certificateChain, facts.privateKey, JSON.stringify(facts.certDomains), facts.issuer, facts.subject, facts.startsAt, facts.expiresAt,
    facts.caSigned ? 1 : 0, facts.selfSigned ? 1 : 0, facts.fingerprint, nowIso(), id,
  )
  return store.get<SniEndpointRow>('SELECT * FROM sni_endpoints WHERE id = ?', id)!
}

export function sniEndpointNameTaken(store: Store, name: string): boolean {
  return store.get('SELECT 1 FROM sni_endpoints WHERE name = ?', name) !== undefined
}

/** By id or name, within the app. */
export function findSniEndpoint(store: Store, appId: string, identity: string): SniEndpointRow | undefined {
  return isUuid(identity)
    ? store.get<SniEndpointRow>('SELECT * FROM sni_endpoints WHERE app_id = ? AND id = ?', appId, identity.toLowerCase())
    : store.get<SniEndpointRow>('SELECT * FROM sni_endpoints WHERE app_id = ? AND name = ?', appId, identity)
}

export function listSniEndpoints(store: Store, appId: string): SniEndpointRow[] {
  return store.all<SniEndpointRow>('SELECT * FROM sni_endpoints WHERE app_id = ? ORDER BY created_at, name', appId)
}

/** Deletes the endpoint; its domains are left with none (the caller may match them again). */
export function deleteSniEndpoint(store: Store, id: string): void {
  store.run('UPDATE domains SET sni_endpoint_id = NULL WHERE sni_endpoint_id = ?', id)
  store.run('DELETE FROM sni_endpoints WHERE id = ?', id)
}

/** {id, name} of an endpoint, for a domain's sni_endpoint field. */
export function sniEndpointRef(store: Store, id: null | string | undefined): null | {id: string, name: string} {
  if (!id) return null
  return store.get<{id: string, name: string}>('SELECT id, name FROM sni_endpoints WHERE id = ?', id) ?? null
}

/** ids of the domains that use the endpoint */
export function domainIdsOfEndpoint(store: Store, endpointId: string): string[] {
  return store.all<{id: string}>('SELECT id FROM domains WHERE sni_endpoint_id = ? ORDER BY hostname', endpointId).map(r => r.id)
}

export function setDomainSniEndpoint(store: Store, domainId: string, endpointId: null | string): void {
  store.run('UPDATE domains SET sni_endpoint_id = ?, updated_at = ? WHERE id = ?', endpointId, nowIso(), domainId)
}

/** The certificate and key the router serves for `hostname`: a custom domain with an endpoint. */
export function servedCertificate(store: Store, hostname: string): undefined | {certificate_chain: string, private_key: string} {
  return store.get<{certificate_chain: string, private_key: string}>(`SELECT e.certificate_chain, e.private_key FROM domains d JOIN sni_endpoints e ON e.id = d.sni_endpoint_id
     WHERE d.hostname = ? AND d.kind = 'custom' AND e.app_id = d.app_id`, hostname)
}

/**
 * Whether a certificate name covers `hostname` as TLS does (RFC 6125 §6.4.3): equal (case
 * insensitive), or a wildcard `*.example.com` standing for exactly one left-most label. A wildcard
 * domain (`*.example.com`) is covered by the same wildcard name only.
 */
export function certificateNameCovers(certName: string, hostname: string): boolean {
  const name = certName.toLowerCase().replace(/\.$/, '')
  const host = hostname.toLowerCase().replace(/\.$/, '')
  if (name === host) return true
  if (!name.startsWith('*.') || host.startsWith('*.')) return false
  const dot = host.indexOf('.')
  return dot > 0 && host.slice(dot + 1) === name.slice(2)
}

export function endpointCovers(row: Pick<SniEndpointRow, 'cert_domains'>, hostname: string): boolean {
  return (JSON.parse(row.cert_domains) as string[]).some(name => certificateNameCovers(name, hostname))
}
