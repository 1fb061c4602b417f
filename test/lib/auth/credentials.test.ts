import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {CredentialStore} from '../../../src/lib/auth/credentials.js'
import {Keychain} from '../../../src/lib/auth/keychain.js'
import {netrcPassword} from '../../../src/lib/auth/netrc.js'

function memoryKeychain(initial: Record<string, string> = {}): Keychain {
  const items = new Map(Object.entries(initial))
  return {
    available: async () => true,
    delete: async a => items.delete(a),
    get: async a => items.get(a),
    async set(a, s) {
      items.set(a, s)
    },
  }
}

describe('credential order', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cred-order-'))
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  it('HEROKU_API_KEY wins and is never stored', async () => {
    const keychain = memoryKeychain({'api.heroku.com': 'from-keychain'})
    const store = new CredentialStore({env: {HEROKU_API_KEY: ' from-env\n', XDG_CONFIG_HOME: dir}, keychain})
    expect(await store.read('https://api.heroku.com')).to.deep.equal({source: 'env', token: 'from-env'})
  })

  it('reads the keychain, then the file, then ~/.netrc', async () => {
    const netrc = join(dir, 'netrc')
    writeFileSync(netrc, 'machine api.other.test\n  login x\n  password wrong\nmachine api.heroku.com login me@example.com password from-netrc\n')
    const env = {XDG_CONFIG_HOME: dir}
    const keychain = memoryKeychain()
    const store = new CredentialStore({env, keychain, netrcPath: netrc})
    expect(await store.read('https://api.heroku.com')).to.deep.equal({source: 'netrc', token: 'from-netrc'})
    await keychain.set('api.heroku.com', 'from-keychain')
    expect(await store.read('https://api.heroku.com')).to.deep.equal({source: 'keychain', token: 'from-keychain'})
  })

  it('never writes the netrc and leaves it in place on forget', async () => {
    const netrc = join(dir, 'netrc')
    writeFileSync(netrc, 'machine api.heroku.com login a password p\n')
    const store = new CredentialStore({env: {XDG_CONFIG_HOME: dir}, keychain: memoryKeychain(), netrcPath: netrc})
    expect(await store.forget('https://api.heroku.com')).to.deep.equal([])
    expect(netrcPassword('api.heroku.com', netrc)).to.equal('p')
  })

  it('parses netrc entries on one line or many, ignoring comments and defaults', () => {
    const netrc = join(dir, 'netrc')
    writeFileSync(netrc, '# comment\ndefault login d password dp\nmachine git.heroku.com\n\tlogin a\n\tpassword gp\nmachine api.heroku.com login a password ap\n')
    expect(netrcPassword('api.heroku.com', netrc)).to.equal('ap')
    expect(netrcPassword('git.heroku.com', netrc)).to.equal('gp')
    expect(netrcPassword('nowhere.test', netrc)).to.equal(undefined)
    expect(netrcPassword('x', join(dir, 'missing'))).to.equal(undefined)
  })
})
