import {expect} from 'chai'
import {mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {CredentialStore} from '../../../src/lib/auth/credentials.js'
import {CredentialFile} from '../../../src/lib/auth/file-store.js'
import {Keychain, KeychainUnavailableError, OsKeychain} from '../../../src/lib/auth/keychain.js'
import {caught} from '../../helpers/failure.js'

const API_URL = 'http://127.0.0.1:5400'

/** A keychain that never answers, as on a machine with no Secret Service. */
const absentKeychain: Keychain = {
  available: async () => false,
  delete: async () => false,
  get: async () => undefined,
  async set() {
    throw new KeychainUnavailableError('no keychain service')
  },
}

describe('the OS keychain (real Secret Service)', () => {
  // a service name of its own: the suite never touches a real heroku-toolbelt entry
  const service = `heroku-toolbelt-test-${process.pid}`
  const keychain = new OsKeychain(service)

  before(async function () {
    if (await keychain.available()) return
    // CI installs gnome-keyring and runs the suite in a private D-Bus session (scripts/test.sh)
    if (process.env.CI) throw new Error('No Secret Service answered in CI: the keychain must be tested for real')
    this.skip()
  })

  it('stores, reads and deletes a token', async () => {
    await keychain.set('127.0.0.1:5400', 'token-one')
    expect(await keychain.get('127.0.0.1:5400')).to.equal('token-one')
    await keychain.set('127.0.0.1:5400', 'token-two')
    expect(await keychain.get('127.0.0.1:5400')).to.equal('token-two')
    expect(await keychain.delete('127.0.0.1:5400')).to.equal(true)
    expect(await keychain.get('127.0.0.1:5400')).to.equal(undefined)
    expect(await keychain.delete('127.0.0.1:5400')).to.equal(false)
  })

  it('keeps one token per API host', async () => {
    await keychain.set('a.test', 'A')
    await keychain.set('b.test', 'B')
    expect([await keychain.get('a.test'), await keychain.get('b.test')]).to.deep.equal(['A', 'B'])
    await keychain.delete('a.test')
    await keychain.delete('b.test')
  })

  it('is what the credential store uses, leaving no plain-text copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cred-'))
    try {
      const file = new CredentialFile({XDG_CONFIG_HOME: dir})
      file.set('127.0.0.1:5400', 'stale')
      const store = new CredentialStore({env: {}, file, keychain, netrcPath: join(dir, 'none')})
      expect(await store.save(API_URL, 'fresh')).to.equal('keychain')
      expect(file.get('127.0.0.1:5400')).to.equal(undefined)
      expect(await store.read(API_URL)).to.deep.equal({source: 'keychain', token: 'fresh'})
      expect(await store.forget(API_URL)).to.deep.equal(['keychain'])
      expect(await store.read(API_URL)).to.equal(undefined)
    } finally {
      rmSync(dir, {force: true, recursive: true})
    }
  })
})

describe('a machine without a keychain', () => {
  it('reports the keychain unavailable instead of reading "no token" (no D-Bus at all)', async () => {
    const saved = process.env.DBUS_SESSION_BUS_ADDRESS
    process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/bus'
    try {
      const keychain = new OsKeychain(`heroku-toolbelt-test-absent-${process.pid}`, 2000)
      expect(await keychain.available()).to.equal(false)
      expect(await keychain.get('x')).to.equal(undefined)
      const err = await keychain.set('x', 'y').catch(caught)
      expect(err).to.be.instanceOf(KeychainUnavailableError)
    } finally {
      if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS
      else process.env.DBUS_SESSION_BUS_ADDRESS = saved
    }
  })

  it('falls back to a 0600 file, announced once on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cred-'))
    try {
      const warnings: string[] = []
      const env = {XDG_CONFIG_HOME: dir}
      const store = new CredentialStore({env, keychain: absentKeychain, netrcPath: join(dir, 'none'), warn: w => warnings.push(w)})
      expect(await store.save(API_URL, 'tok')).to.equal('file')
      const path = join(dir, 'heroku-toolbelt', 'credentials.json')
      expect(statSync(path).mode & 0o777).to.equal(0o600)
      expect(warnings).to.have.length(1)
      expect(warnings[0]).to.include(path).and.to.match(/plain text/).and.to.match(/gnome-keyring/)
      expect(await store.read(API_URL)).to.deep.equal({source: 'file', token: 'tok'})
      expect(warnings).to.have.length(1)
      expect(await store.forget(API_URL)).to.deep.equal(['file'])
      expect(await store.read(API_URL)).to.equal(undefined)
    } finally {
      rmSync(dir, {force: true, recursive: true})
    }
  })
})
