// SSL certificates of an app's custom domains: the Platform API's sni-endpoints, and which of the
// app's domains use each (domain.sni_endpoint, set with PATCH /apps/{app}/domains/{domain}).
import type {Domain} from '@heroku-cli/schema'

import {X509Certificate} from 'node:crypto'
import {readFile} from 'node:fs/promises'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'
import type {Prompter} from '../ui/prompter.js'

import {paths} from '../api/paths.js'
import {confirmDestructive} from '../apps/confirm.js'
import {UsageError, UserError} from '../errors.js'

/** An SNI endpoint as the Platform API returns it (the schema's `sni-endpoint`). */
export interface SniEndpoint {
  app?: {id: string, name: string}
  certificate_chain: string
  created_at: string
  display_name: null | string
  /** ids of the domains that use it */
  domains: string[]
  id: string
  name: string
  ssl_cert: {
    acm?: boolean
    'ca_signed?': boolean
    cert_domains: string[]
    expires_at: string
    id?: string
    issuer: string
    'self_signed?': boolean
    starts_at: string
    subject: string
  }
  updated_at: string
}

interface Base {
  api: ApiClient
  app: string
  out: Output
}

/** "2027-01-02 03:04 UTC" */
export function formatDate(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

/** Whether a certificate name covers the hostname as TLS does: equal, or `*.` for one label. */
export function certNameCovers(certName: string, hostname: string): boolean {
  const name = certName.toLowerCase()
  const host = hostname.toLowerCase()
  if (name === host) return true
  if (!name.startsWith('*.') || host.startsWith('*.')) return false
  const dot = host.indexOf('.')
  return dot > 0 && host.slice(dot + 1) === name.slice(2)
}

/** The app's custom domains the certificate covers. */
export function matchingDomains(endpoint: SniEndpoint, domains: Domain[]): Domain[] {
  return domains.filter(d => d.kind === 'custom' && d.hostname && endpoint.ssl_cert.cert_domains.some(name => certNameCovers(name, d.hostname!)))
}

const typeOf = (endpoint: SniEndpoint) => (endpoint.ssl_cert.acm ? 'ACM' : 'SNI')

function trustOf(endpoint: SniEndpoint): string {
  if (endpoint.ssl_cert['ca_signed?']) return 'SSL certificate is verified by a root authority.'
  if (endpoint.ssl_cert['self_signed?'] || endpoint.ssl_cert.issuer === endpoint.ssl_cert.subject) return 'SSL certificate is self signed.'
  return 'SSL certificate is not trusted.'
}

function showDetails(out: Output, endpoint: SniEndpoint, domains: Domain[], message = 'Certificate details:'): void {
  const hostnames = endpoint.domains.map(id => domains.find(d => d.id === id)?.hostname ?? id)
  out.log(message)
  out.keyValues([
    ['Name', endpoint.name],
    ['Common Name(s)', endpoint.ssl_cert.cert_domains.join(', ')],
    ['Domain(s)', hostnames.join(', ')],
    ['Expires At', formatDate(endpoint.ssl_cert.expires_at)],
    ['Issuer', endpoint.ssl_cert.issuer],
    ['Starts At', formatDate(endpoint.ssl_cert.starts_at)],
    ['Subject', endpoint.ssl_cert.subject],
  ])
  out.log(trustOf(endpoint))
}

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw new UsageError(`Could not read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`)
  }
}

/** The certificate, then the key: one at a time, so a missing file is named the same way every run. */
async function readCertificateAndKey(certFile: string, keyFile: string): Promise<{certificate: string, key: string}> {
  const certificate = await readPem(certFile, 'certificate file')
  return {certificate, key: await readPem(keyFile, 'key file')}
}

/** GET /apps/{app}/sni-endpoints: a table of name, common names, expiry, trust, type and how many domains use each. */
export async function listCerts(opts: Base): Promise<SniEndpoint[]> {
  const {api, out, app} = opts
  const endpoints = (await api.list<SniEndpoint>(paths.app(app).sniEndpoint())).sort((a, b) => a.name.localeCompare(b.name))
  if (endpoints.length === 0) {
    out.log(`${app} has no SSL certificates.\nUse heroku certs:add CRT KEY to add one.`)
    return endpoints
  }

  await out.table(endpoints, [
    {get: e => e.name, header: 'Name'},
    {get: e => e.ssl_cert.cert_domains.join(', '), header: 'Common Name(s)'},
    {get: e => formatDate(e.ssl_cert.expires_at), header: 'Expires'},
    {get: e => (e.ssl_cert['ca_signed?'] ? 'True' : 'False'), header: 'Trusted'},
    {get: e => typeOf(e), header: 'Type'},
    {get: e => String(e.domains.length), header: 'Domains'},
  ])
  return endpoints
}

/** The endpoint `name`, or the app's only one; more than one without a name is a usage error. */
async function resolveEndpoint(api: ApiClient, app: string, name: string | undefined): Promise<SniEndpoint> {
  if (name) return api.get<SniEndpoint>(paths.app(app).sniEndpoint(name))
  const endpoints = await api.list<SniEndpoint>(paths.app(app).sniEndpoint())
  if (endpoints.length === 0) throw new UserError(`${app} has no SSL certificates.`, {hint: 'Add one with heroku certs:add CRT KEY.'})
  if (endpoints.length > 1) {
    throw new UsageError(`${app} has several SSL certificates: ${endpoints.map(e => e.name).sort().join(', ')}.`, {hint: 'Pass --name NAME.'})
  }

  return endpoints[0]
}

export async function certInfo(opts: Base & {name?: string}): Promise<SniEndpoint> {
  const {api, out, app} = opts
  const endpoint = await resolveEndpoint(api, app, opts.name)
  const domains = endpoint.domains.length > 0 ? await api.list<Domain>(paths.app(app).domain()) : []
  showDetails(out, endpoint, domains)
  return endpoint
}

export interface AddCertOptions extends Base {
  /** paths of the certificate (chain) and key files, PEM */
  certFile: string
  /**
   * The custom domains to use the certificate for. Absent: a person at a terminal is asked about
   * each domain it covers; anywhere else every domain it covers is used.
   */
  domains?: string[]
  keyFile: string
  prompter: Prompter
}

/**
 * POST /apps/{app}/sni-endpoints with the files' contents, then PATCH each chosen custom domain
 * to use it (and the covered domains not chosen to use none, where the platform had given them it).
 */
export async function addCert(opts: AddCertOptions): Promise<SniEndpoint> {
  const {api, out, app} = opts
  const {certificate, key} = await readCertificateAndKey(opts.certFile, opts.keyFile)
  if (opts.domains !== undefined) await checkDomainsFlag(api, app, certificate, opts.domains)
  const spinner = await out.spinner(`Adding SSL certificate to ${app}`)
  let endpoint: SniEndpoint
  try {
    endpoint = await api.post<SniEndpoint>(paths.app(app).sniEndpoint(), {certificate_chain: certificate, private_key: key})
  } catch (error) {
    spinner.fail()
    throw error
  }

  spinner.succeed()
  return associateDomains({api, out, prompter: opts.prompter, app, endpoint, domains: opts.domains})
}

/** --domains names custom domains of the app that the certificate covers (checked before anything is added). */
async function checkDomainsFlag(api: ApiClient, app: string, certificate: string, domains: string[]): Promise<void> {
  let names: string[]
  try {
    names = dnsNames(new X509Certificate(certificate))
  } catch {
    return // not a certificate this machine can read: the API says what is wrong with it
  }

  const custom = new Set((await api.list<Domain>(paths.app(app).domain())).filter(d => d.kind === 'custom').map(d => d.hostname!))
  for (const hostname of domains.map(d => d.trim().toLowerCase()).filter(Boolean)) {
    if (!custom.has(hostname)) throw new UsageError(`${hostname} is not a custom domain of ${app}.`, {hint: `Add it first with heroku domains:add ${hostname}, or leave it out of --domains.`})
    if (!names.some(name => certNameCovers(name, hostname))) throw new UsageError(`The certificate (${names.join(', ')}) does not cover ${hostname}.`, {hint: 'Leave it out of --domains, or add a certificate that names it.'})
  }
}

/** The certificate's DNS names (subjectAltName, else its CN), lower case. */
function dnsNames(cert: X509Certificate): string[] {
  const names = (cert.subjectAltName ?? '').split(/,\s*/).filter(e => e.startsWith('DNS:')).map(e => e.slice(4).toLowerCase())
  if (names.length > 0) return names
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1]
  return cn ? [cn.toLowerCase()] : []
}

async function associateDomains(opts: Base & {domains?: string[], endpoint: SniEndpoint, prompter: Prompter}): Promise<SniEndpoint> {
  const {api, out, prompter, app} = opts
  let {endpoint} = opts
  const appDomains = await api.list<Domain>(paths.app(app).domain())
  const covered = matchingDomains(endpoint, appDomains)
  let chosen: Domain[]
  if (opts.domains !== undefined) {
    const wanted = new Set(opts.domains.map(d => d.trim().toLowerCase()).filter(Boolean))
    chosen = covered.filter(d => wanted.has(d.hostname!))
  } else if (prompter.canPrompt && covered.length > 0) {
    out.log('Almost done! Which of these domains on this application would you like this certificate associated with?')
    chosen = []
    for (const domain of covered) {
      if (await prompter.confirm(`Use ${endpoint.name} for ${domain.hostname}?`, {default: true, flag: '--domains'})) chosen.push(domain)
    }
  } else {
    chosen = covered
  }

  const changes: Promise<unknown>[] = []
  for (const domain of covered) {
    const current = (domain.sni_endpoint as null | undefined | {id?: string})?.id
    const want = chosen.includes(domain)
    if (want && current !== endpoint.id) changes.push(api.patch(paths.app(app).domain(domain.hostname!), {sni_endpoint: endpoint.name}))
    if (!want && current === endpoint.id) changes.push(api.patch(paths.app(app).domain(domain.hostname!), {sni_endpoint: null}))
  }

  if (changes.length > 0) {
    await Promise.all(changes)
    endpoint = await api.get<SniEndpoint>(paths.app(app).sniEndpoint(endpoint.name))
  } else if (chosen.length === 0 && endpoint.domains.length === 0) {
    out.info(`No custom domain of ${app} is covered by ${endpoint.ssl_cert.cert_domains.join(', ')}: add one with heroku domains:add HOSTNAME.`)
  }

  showDetails(out, endpoint, appDomains)
  return endpoint
}

export interface UpdateCertOptions extends Base {
  certFile: string
  keyFile: string
  name?: string
}

/** PATCH /apps/{app}/sni-endpoints/{name}: a new certificate and key for the same endpoint. */
export async function updateCert(opts: UpdateCertOptions): Promise<SniEndpoint> {
  const {api, out, app} = opts
  const {certificate, key} = await readCertificateAndKey(opts.certFile, opts.keyFile)
  const current = await resolveEndpoint(api, app, opts.name)
  const spinner = await out.spinner(`Updating SSL certificate ${current.name} for ${app}`)
  let endpoint: SniEndpoint
  try {
    endpoint = await api.patch<SniEndpoint>(paths.app(app).sniEndpoint(current.name), {certificate_chain: certificate, private_key: key})
  } catch (error) {
    spinner.fail()
    throw error
  }

  spinner.succeed()
  const domains = endpoint.domains.length > 0 ? await api.list<Domain>(paths.app(app).domain()) : []
  showDetails(out, endpoint, domains, 'Updated certificate details:')
  return endpoint
}

/** DELETE /apps/{app}/sni-endpoints/{name}, after --confirm APP or the app's name typed. */
export async function removeCert(opts: Base & {confirm?: string, name?: string, prompter: Prompter}): Promise<SniEndpoint> {
  const {api, out, app} = opts
  const endpoint = await resolveEndpoint(api, app, opts.name)
  await confirmDestructive({action: `remove the SSL certificate ${endpoint.name} (${endpoint.ssl_cert.cert_domains.join(', ')}) from ${app}`, app, confirm: opts.confirm, out, prompter: opts.prompter})
  const spinner = await out.spinner(`Removing SSL certificate ${endpoint.name} from ${app}`)
  try {
    const removed = await api.delete<SniEndpoint>(paths.app(app).sniEndpoint(endpoint.name))
    spinner.succeed()
    return removed
  } catch (error) {
    spinner.fail()
    throw error
  }
}
