// A certificate authority for tests, made with openssl: a CA and leaf certificates it signs for
// 127.0.0.1/localhost, and HTTPS servers presenting them — the local platform's arrangement.

import type {IncomingMessage, ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:https'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface TestCa {
  /** the CA certificate's file (what DATA/tls/ca.pem is) */
  caPath: string
  cleanup(): void
  dir: string
  /** a leaf key and certificate for 127.0.0.1 and localhost, signed by the CA */
  leaf(name: string): {cert: string, key: string}
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

/** undefined when openssl is missing (the caller skips). */
export function makeTestCa(): TestCa | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'test-ca-'))
  const caPath = join(dir, 'ca.pem')
  const caKey = join(dir, 'ca-key.pem')
  try {
    execFileSync('openssl', ['req', '-x509', ...EC, '-subj', '/CN=heroku-toolbelt test CA', '-days', '2', '-keyout', caKey, '-out', caPath,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], {stdio: 'ignore'})
  } catch {
    rmSync(dir, {force: true, recursive: true})
    return undefined
  }

  return {
    caPath,
    cleanup: () => rmSync(dir, {force: true, recursive: true}),
    dir,
    leaf(name) {
      const key = join(dir, `${name}-key.pem`)
      const csr = join(dir, `${name}.csr`)
      const cert = join(dir, `${name}.pem`)
      const ext = join(dir, `${name}.ext`)
      writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n')
      execFileSync('openssl', ['req', ...EC, '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', csr], {stdio: 'ignore'})
      execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', caPath, '-CAkey', caKey, '-CAcreateserial', '-days', '2', '-out', cert, '-extfile', ext], {stdio: 'ignore'})
      return {cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8')}
    },
  }
}

export interface TestHttpsServer {
  close(): Promise<void>
  /** TCP connections accepted so far */
  connections(): number
  origin: string
  server: Server
}

/** An HTTPS server on 127.0.0.1 with a leaf of `ca`. */
export async function startHttpsServer(ca: TestCa, name: string, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestHttpsServer> {
  const server = createServer(ca.leaf(name), handler)
  const sockets = new Set<import('node:stream').Duplex>()
  let connections = 0
  server.on('connection', socket => {
    connections++
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  return {
    close: () => new Promise<void>(resolve => {
      server.close(() => resolve())
      for (const socket of sockets) socket.destroy()
    }),
    connections: () => connections,
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
  }
}
