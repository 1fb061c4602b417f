// Password guessing is throttled per client and account: an attacker locks out themselves, not
// the owner. Unit tests with a fake clock, then a real platform seen from two loopback addresses.
import {expect} from 'chai'
import {request} from 'node:http'

import {clientKey, LoginThrottle} from '../../../src/platform/auth/login-throttle.js'
import {startTestPlatform, type TestPlatform} from '../helpers.js'

describe('login throttle', () => {
  let now = 0
  const throttle = (options: Partial<ConstructorParameters<typeof LoginThrottle>[0]> = {}) => {
    now = 1_000_000
    return new LoginThrottle({maxFailures: 3, windowMs: 60_000, ...options}, () => now)
  }

  const failTimes = (t: LoginThrottle, client: string, email: string, times: number) => {
    for (let i = 0; i < times; i++) {
      t.check(client, email)
      t.recordFailure(client, email)
    }
  }

  const refused = (t: LoginThrottle, client: string, email: string): string | undefined => {
    try {
      t.check(client, email)
      return undefined
    } catch (error) {
      return (error as Error).message
    }
  }

  it('refuses the client that failed too often for an account, not the others', () => {
    const t = throttle()
    failTimes(t, 'attacker', 'owner@example.com', 3)
    expect(refused(t, 'attacker', 'OWNER@example.com')).to.match(/for this account from this client; try again in 1 minute/)
    expect(refused(t, 'owner', 'owner@example.com')).to.equal(undefined)
  })

  it('caps one client over all accounts, and a login of its own does not reset that', () => {
    const t = throttle()
    // 3 per client and account, 9 per client
    failTimes(t, 'attacker', 'a@example.com', 3)
    t.recordSuccess('attacker', 'mine@example.com')
    failTimes(t, 'attacker', 'b@example.com', 3)
    t.recordSuccess('attacker', 'mine@example.com')
    failTimes(t, 'attacker', 'c@example.com', 3)
    expect(refused(t, 'attacker', 'd@example.com')).to.match(/from this client/)
    expect(refused(t, 'other', 'd@example.com')).to.equal(undefined)
  })

  it('locks an account for everyone only after failures from many clients', () => {
    const t = throttle()
    // 3 per client and account, 9 per client, 60 per account: one client cannot get there
    for (let client = 0; client < 19; client++) failTimes(t, `client-${client}`, 'owner@example.com', 3)
    expect(refused(t, 'owner', 'owner@example.com')).to.equal(undefined)
    failTimes(t, 'client-19', 'owner@example.com', 3)
    expect(refused(t, 'owner', 'owner@example.com')).to.match(/for this account;/)
  })

  it('forgets failures after the window', () => {
    const t = throttle()
    failTimes(t, 'attacker', 'owner@example.com', 3)
    now += 60_001
    expect(refused(t, 'attacker', 'owner@example.com')).to.equal(undefined)
  })

  it('keys clients by IPv4 address and by IPv6 /64', () => {
    expect(clientKey('127.0.0.2')).to.equal('127.0.0.2')
    expect(clientKey('::ffff:10.0.0.1')).to.equal('10.0.0.1')
    expect(clientKey('2001:db8:1:2:aaaa::1')).to.equal(clientKey('2001:DB8:1:2:bbbb:cccc:dddd:eeee'))
    expect(clientKey('2001:db8:1:2::1')).to.not.equal(clientKey('2001:db8:1:3::1'))
    expect(clientKey('::1')).to.equal('0:0:0:0::/64')
    expect(clientKey(undefined)).to.equal('unknown')
  })
})

/** POST /oauth/authorizations with email:password, from `localAddress` (any of 127/8 on Linux). */
function loginFrom(t: TestPlatform, localAddress: string, password: string): Promise<{body: {id?: string, message?: string}, status: number}> {
  const url = new URL('/oauth/authorizations', t.platform.url)
  const authorization = `Basic ${Buffer.from(`${t.owner.account.email}:${password}`).toString('base64')}`
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST', localAddress,
      headers: {Authorization: authorization, Accept: 'application/vnd.heroku+json; version=3', 'Content-Type': 'application/json'},
    }, res => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', chunk => {
        text += chunk
      })
      res.on('end', () => resolve({status: res.statusCode!, body: JSON.parse(text) as {id?: string}}))
    })
    req.on('error', reject)
    req.end('{}')
  })
}

describe('platform API: wrong passwords from one client do not lock the owner out', () => {
  let t: TestPlatform

  before(async () => {
    t = await startTestPlatform({loginThrottle: {maxFailures: 3, windowMs: 60_000}})
  })

  after(() => t.close())

  it('the guessing client is refused (429); the owner logs in from another client', async () => {
    for (let i = 0; i < 3; i++) expect((await loginFrom(t, '127.0.0.2', 'wrong guess')).status).to.equal(401)
    const refused = await loginFrom(t, '127.0.0.2', t.owner.password)
    expect(refused.status).to.equal(429)
    expect(refused.body.id).to.equal('rate_limit')
    expect((await loginFrom(t, '127.0.0.1', t.owner.password)).status).to.equal(201)
  })

  it('a client that keeps guessing after that is still refused, the owner still is not', async () => {
    for (let i = 0; i < 10; i++) expect((await loginFrom(t, '127.0.0.2', 'wrong guess')).status).to.equal(429)
    expect((await loginFrom(t, '127.0.0.1', t.owner.password)).status).to.equal(201)
    expect((await t.client.get('/account')).status).to.equal(200)
  })
})
