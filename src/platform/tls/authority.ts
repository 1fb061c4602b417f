// The local certificate authority: made at the platform's first start with TLS, kept in
// DATA/tls/ (ca-key.pem 0600, ca.pem), and the leaf certificates it signs.
//
// What it may vouch for is written into the CA certificate itself (nameConstraints, critical):
// DNS localhost and names under it (APP.localhost), IP 127.0.0.0/8 and ::1. A client that trusts
// the CA and someone who stole its key still cannot get a real site's certificate accepted.
// ECDSA P-256 throughout, SHA-256 signatures; the CA lasts 10 years, leaves 397 days (what
// browsers accept for a TLS server certificate).
//
// Pure functions of their inputs and `now`, so that expiry is testable with a fake clock.
import 'reflect-metadata' // tsyringe, under @peculiar/x509, needs a Reflect polyfill loaded first
import {AsnConvert} from '@peculiar/asn1-schema'
import {GeneralName as AsnGeneralName, GeneralSubtree, GeneralSubtrees, id_ce_nameConstraints, NameConstraints} from '@peculiar/asn1-x509'
import * as x509 from '@peculiar/x509'
import {webcrypto} from 'node:crypto'
import {chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {join, resolve} from 'node:path'

type CryptoKey = webcrypto.CryptoKey
type CryptoKeyPair = webcrypto.CryptoKeyPair
const crypto = webcrypto
const EC = {name: 'ECDSA', namedCurve: 'P-256'} as const
const SIGNING = {name: 'ECDSA', hash: 'SHA-256'} as const
const DAY = 24 * 60 * 60 * 1000

/** the CA's life */
export const CA_VALIDITY_DAYS = 3650
/** a leaf's life (at most 398 days: what browsers accept) */
export const LEAF_VALIDITY_DAYS = 397
/** a leaf with less than this left is issued again */
export const LEAF_RENEW_BEFORE_DAYS = 30
/** what the CA may vouch for (nameConstraints permittedSubtrees) */
export const PERMITTED = {dns: ['localhost', '.localhost'], ip: ['127.0.0.0/8', '::1/128']} as const

export const TLS_DIR = 'tls'
export const CA_CERT_FILE = 'ca.pem'
export const CA_KEY_FILE = 'ca-key.pem'

export interface Authority {
  readonly cert: x509.X509Certificate
  /** absolute path of ca.pem */
  readonly certPath: string
  /** the CA certificate, PEM */
  readonly certPem: string
  readonly key: CryptoKey
}

export interface Leaf {
  /** the leaf certificate followed by nothing else (the CA is the trust anchor) */
  certPem: string
  /** serial of the CA that signed it */
  issuerSerial: string
  /** PKCS#8 PEM */
  keyPem: string
  /** its DNS names and IP addresses */
  names: readonly string[]
  notAfter: Date
}

export const tlsDir = (dataDir: string): string => join(dataDir, TLS_DIR)

/** Loads the data dir's CA, or makes one (first start, or the old one expired). */
export async function openAuthority(dataDir: string, options: {log?: (line: string) => void, now?: Date} = {}): Promise<Authority> {
  const now = options.now ?? new Date()
  const dir = resolve(tlsDir(dataDir))
  const certPath = join(dir, CA_CERT_FILE)
  const keyPath = join(dir, CA_KEY_FILE)
  mkdirSync(dir, {recursive: true, mode: 0o700})
  if (existsSync(certPath) && existsSync(keyPath)) {
    const certPem = readFileSync(certPath, 'utf8')
    const cert = new x509.X509Certificate(certPem)
    if (cert.notAfter.getTime() > now.getTime() + DAY) {
      const key = await importKey(readFileSync(keyPath, 'utf8'))
      return {certPem, cert, key, certPath}
    }

    options.log?.(`the local certificate authority in ${dir} expired on ${cert.notAfter.toISOString()}: making a new one (trust it again)`)
  }

  const made = await createAuthority(now)
  // key first: a ca.pem is never there without the key that goes with it
  writePrivate(keyPath, made.keyPem)
  writePrivate(certPath, made.certPem)
  options.log?.(`made a local certificate authority: ${certPath}`)
  return {certPem: made.certPem, cert: made.cert, key: made.key, certPath}
}

export async function createAuthority(now: Date, host = hostname()): Promise<{cert: x509.X509Certificate, certPem: string, key: CryptoKey, keyPem: string}> {
  const keys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']) as CryptoKeyPair
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{CN: [`heroku-toolbelt local platform CA (${host})`]}, {O: ['heroku-toolbelt']}],
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      nameConstraints(),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
    ],
  }, crypto)
  return {certPem: `${cert.toString('pem').trim()}\n`, keyPem: await exportKey(keys.privateKey), cert, key: keys.privateKey}
}

/** A server certificate for `names` (DNS names and IP addresses), signed by the CA. */
export async function issueLeaf(ca: Authority, names: readonly string[], now: Date): Promise<Leaf> {
  const keys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']) as CryptoKeyPair
  const notAfter = new Date(now.getTime() + LEAF_VALIDITY_DAYS * DAY)
  const dn = names.find(name => !isIp(name))
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: [{CN: [dn ?? names[0]]}],
    issuer: ca.cert.subjectName,
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map(name => ({type: isIp(name) ? 'ip' : 'dns', value: name}))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false, crypto),
    ],
  }, crypto)
  return {certPem: `${cert.toString('pem').trim()}\n`, keyPem: await exportKey(keys.privateKey), notAfter, names: [...names], issuerSerial: ca.cert.serialNumber}
}

/** Whether a leaf must be issued again: close to expiry, another CA's, or for other names. */
export function needsReissue(leaf: Leaf, ca: Authority, names: readonly string[], now: Date): boolean {
  if (leaf.notAfter.getTime() - now.getTime() < LEAF_RENEW_BEFORE_DAYS * DAY) return true
  if (leaf.issuerSerial !== ca.cert.serialNumber) return true
  return leaf.names.length !== names.length || leaf.names.some((name, i) => name !== names[i])
}

/** A leaf as kept on disk: key and certificate in one PEM file (0600). */
export function serializeLeaf(leaf: Leaf): string {
  return `${leaf.keyPem.trim()}\n${leaf.certPem.trim()}\n`
}

/** The leaf in a file written by serializeLeaf, or undefined when it is not one (then: issue again). */
export function parseLeaf(text: string, ca: Authority): Leaf | undefined {
  try {
    const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(text)?.[0]
    const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0]
    if (!key || !certPem) return undefined
    const cert = new x509.X509Certificate(certPem)
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension)
    const names = san?.names.items.map(name => name.value) ?? []
    // issued by this CA's key (its authority key identifier): another CA's leaves are issued again
    const aki = cert.getExtension(x509.AuthorityKeyIdentifierExtension)
    const ski = ca.cert.getExtension(x509.SubjectKeyIdentifierExtension)
    if (!aki?.keyId || aki.keyId !== ski?.keyId) return undefined
    return {certPem: `${certPem}\n`, keyPem: `${key}\n`, notAfter: cert.notAfter, names, issuerSerial: ca.cert.serialNumber}
  } catch {
    return undefined
  }
}

export function isIp(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':')
}

/** Written aside and renamed over: a reader never sees half a key. */
export function writePrivate(path: string, content: string): void {
  const partial = `${path}.${process.pid}.partial`
  writeFileSync(partial, content, {mode: 0o600})
  chmodSync(partial, 0o600)
  renameSync(partial, path)
}

function nameConstraints(): x509.Extension {
  const subtree = (name: AsnGeneralName) => new GeneralSubtree({base: name})
  const permitted = new GeneralSubtrees([
    ...PERMITTED.dns.map(dNSName => subtree(new AsnGeneralName({dNSName}))),
    ...PERMITTED.ip.map(iPAddress => subtree(new AsnGeneralName({iPAddress}))),
  ])
  // RFC 5280 §4.2.1.10: conforming CAs MUST mark this extension as critical
  return new x509.Extension(id_ce_nameConstraints, true, AsnConvert.serialize(new NameConstraints({permittedSubtrees: permitted})))
}

/** 128 random bits, high bit clear (a positive INTEGER) */
function serial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[0] &= 0x7F
  return Buffer.from(bytes).toString('hex')
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key)
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY').trim()}\n`
}

async function importKey(pem: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('pkcs8', x509.PemConverter.decode(pem)[0], EC, false, ['sign'])
}
