// certs:generate: a self-signed certificate for a custom domain, made with openssl. Not from the
// local platform's CA: that CA is name-constrained to localhost, *.localhost, 127.0.0.0/8 and ::1
// (docs/tls.md), so clients refuse anything it signed for another name. A self-signed
// certificate is for testing: clients trust it only when told to (curl --cacert DOMAIN.crt).
import {execFile} from 'node:child_process'
import {access, chmod} from 'node:fs/promises'
import {join} from 'node:path'
import {promisify} from 'node:util'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'
import type {Prompter} from '../ui/prompter.js'

import {UsageError, UserError} from '../errors.js'
import {addCert, type SniEndpoint} from './certs.js'

const run = promisify(execFile)
const HOSTNAME = /^(?:\*\.)?(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

export interface GenerateCertOptions {
  /** upload it as the app's certificate (certs:add) once made */
  add: boolean
  api: ApiClient
  app: string
  days: number
  /** where DOMAIN.crt and DOMAIN.key are written */
  dir: string
  domain: string
  domains?: string[]
  /** the openssl binary */
  openssl?: string
  out: Output
  /** asks which covered domains to use, with add and no domains */
  prompter: Prompter
}

export interface GeneratedCert {
  certificate_file: string
  key_file: string
  sni_endpoint: null | SniEndpoint
}

/** `*.example.com` → wildcard.example.com: a file name without a glob character */
export const fileBase = (domain: string): string => domain.replace(/^\*\./, 'wildcard.')

export async function generateCert(opts: GenerateCertOptions): Promise<GeneratedCert> {
  const {out} = opts
  const domain = opts.domain.toLowerCase().replace(/\.$/, '')
  if (!HOSTNAME.test(domain)) throw new UsageError(`${opts.domain} is not a valid domain name.`)
  if (!Number.isInteger(opts.days) || opts.days < 1 || opts.days > 825) throw new UsageError('--days must be a whole number from 1 to 825.')
  const certFile = join(opts.dir, `${fileBase(domain)}.crt`)
  const keyFile = join(opts.dir, `${fileBase(domain)}.key`)
  for (const file of [certFile, keyFile]) {
    if (await access(file).then(() => true, () => false)) throw new UsageError(`${file} already exists: nothing was written.`, {hint: 'Remove it, or pass --dir DIR.'})
  }

  const spinner = await out.spinner(`Generating a self-signed certificate for ${domain}`)
  try {
    await run(opts.openssl ?? 'openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile,
      '-days', String(opts.days), '-subj', `/CN=${domain}`, '-addext', `subjectAltName=DNS:${domain}`,
      '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'extendedKeyUsage=serverAuth',
    ])
    await chmod(keyFile, 0o600)
  } catch (error) {
    spinner.fail()
    const e = error as NodeJS.ErrnoException & {stderr?: string}
    if (e.code === 'ENOENT') throw new UserError('openssl is not installed: certs:generate makes the certificate with it.', {hint: 'Install OpenSSL (apt install openssl, brew install openssl), or make a certificate elsewhere and use heroku certs:add CRT KEY.'})
    throw new UserError(`openssl could not make the certificate: ${(e.stderr ?? e.message).trim()}`)
  }

  spinner.succeed()
  out.info(`Wrote ${certFile} and ${keyFile} (the key readable by you only). It is self-signed: clients trust it only when told to.`)
  const sniEndpoint = opts.add ? await addCert({api: opts.api, out, prompter: opts.prompter, app: opts.app, certFile, keyFile, domains: opts.domains}) : null
  return {certificate_file: certFile, key_file: keyFile, sni_endpoint: sniEndpoint}
}
