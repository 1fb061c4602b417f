import type {AddressInfo} from 'node:net'

import {expect} from 'chai'
import nock from 'nock'
import {createServer} from 'node:http'

import {ApiError, NetworkError} from '../../../src/lib/api/api-error.js'
import {ApiClient, parseRetryAfter} from '../../../src/lib/api/client.js'
import {failure} from '../../helpers/failure.js'

const BASE = 'https://api.client.test'

function client(extra: Partial<ConstructorParameters<typeof ApiClient>[0]> = {}) {
  const sleeps: number[] = []
  const c = new ApiClient({
    backoffMs: 1,
    baseUrl: BASE,
    async sleep(ms) {
      sleeps.push(ms)
    },
    token: async () => 'secret-token',
    userAgent: 'heroku-toolbelt/1.2.3 node/v20',
    ...extra,
  })
  return {c, sleeps}
}

describe('ApiClient', () => {
  it('sends the v3 Accept header, bearer token, user agent and JSON body', async () => {
    const scope = nock(BASE, {
      reqheaders: {
        accept: 'application/vnd.heroku+json; version=3',
        authorization: 'Bearer secret-token',
        'content-type': 'application/json',
        'user-agent': 'heroku-toolbelt/1.2.3 node/v20',
      },
    }).post('/apps', {name: 'hello'}).reply(201, {name: 'hello'})
    const {c} = client()
    expect(await c.post('/apps', {name: 'hello'})).to.deep.equal({name: 'hello'})
    scope.done()
  })

  it('follows Next-Range across three pages', async () => {
    nock(BASE).get('/apps').matchHeader('range', 'id ..; max=1000').reply(206, [{id: 'a'}, {id: 'b'}], {'Next-Range': ']b..; max=1000'})
    nock(BASE).get('/apps').matchHeader('range', ']b..; max=1000').reply(206, [{id: 'c'}], {'Next-Range': ']c..; max=1000'})
    nock(BASE).get('/apps').matchHeader('range', ']c..; max=1000').reply(200, [{id: 'd'}])
    const {c} = client()
    expect((await c.list<{id: string}>('/apps')).map(a => a.id)).to.deep.equal(['a', 'b', 'c', 'd'])
  })

  it('asks for the newest first with order=desc', async () => {
    nock(BASE).get('/apps/x/releases').matchHeader('range', 'version ..; order=desc,max=1').reply(206, [{version: 9}], {'Next-Range': ']9..; order=desc,max=1'})
    const {c} = client()
    expect(await c.list('/apps/x/releases', {limit: 1, max: 1, order: 'desc', sortBy: 'version'})).to.deep.equal([{version: 9}])
  })

  it('retries a GET on 503, then succeeds', async () => {
    nock(BASE).get('/account').reply(503, {id: 'unavailable', message: 'down'})
    nock(BASE).get('/account').reply(200, {email: 'a@b.c'})
    const {c, sleeps} = client()
    expect(await c.get('/account')).to.deep.equal({email: 'a@b.c'})
    expect(sleeps).to.have.length(1)
  })

  it('gives up after the bounded attempts with the last error', async () => {
    nock(BASE).get('/account').times(3).reply(502, 'bad gateway')
    const {c, sleeps} = client({maxAttempts: 3})
    const err = await failure(c.get('/account'))
    expect(err).to.be.instanceOf(ApiError)
    expect(err.status).to.equal(502)
    expect(sleeps).to.have.length(2)
    expect(sleeps[1]).to.be.at.least(sleeps[0] / 2) // backoff grows
  })

  it('honours Retry-After on 429', async () => {
    nock(BASE).get('/apps').reply(429, {id: 'rate_limit', message: 'Your account reached the API rate limit'}, {'Retry-After': '2'})
    nock(BASE).get('/apps').reply(200, [])
    const {c, sleeps} = client()
    await c.get('/apps')
    expect(sleeps).to.deep.equal([2000])
  })

  it('fails at once when Retry-After is longer than it is willing to wait', async () => {
    nock(BASE).get('/apps').reply(429, {id: 'rate_limit', message: 'slow down'}, {'Retry-After': '3600'})
    const {c, sleeps} = client()
    const err = await failure(c.get('/apps'))
    expect(err.id).to.equal('rate_limit')
    expect(sleeps).to.deep.equal([])
  })

  it('never retries a POST that may have been applied', async () => {
    nock(BASE).post('/apps').reply(503, {id: 'unavailable', message: 'try later'})
    const {c, sleeps} = client()
    const err = await failure(c.post('/apps', {}))
    expect(err).to.be.instanceOf(ApiError)
    expect(err.status).to.equal(503)
    expect(sleeps).to.deep.equal([])
  })

  it('never retries a POST after the connection dropped mid-request', async () => {
    let requests = 0
    const server = createServer((req, _res) => {
      requests++
      req.socket.destroy() // the server may have applied it: the client cannot know
    })
    await new Promise<void>(resolve => {
      server.listen(0, '127.0.0.1', resolve)
    })
    try {
      const {port} = server.address() as AddressInfo
      const c = new ApiClient({backoffMs: 1, baseUrl: `http://127.0.0.1:${port}`, token: async () => 't', userAgent: 'x'})
      const err = await failure(c.post('/apps', {}))
      expect(err).to.be.instanceOf(NetworkError)
      expect(requests).to.equal(1)
      // the same failure on a GET is retried
      await c.get('/apps').catch(() => {})
      expect(requests).to.equal(5)
    } finally {
      server.close()
    }
  })

  it('turns error bodies into typed errors with request id and hint', async () => {
    nock(BASE).get('/apps/nope').reply(404, {id: 'not_found', message: "Couldn't find that app.", resource: 'app'}, {'Request-Id': 'req-123'})
    const {c} = client()
    const err = await failure(c.get('/apps/nope'))
    expect(err).to.be.instanceOf(ApiError)
    expect(err).to.include({id: 'not_found', message: "Couldn't find that app.", requestId: 'req-123', status: 404})
    expect(err.hint).to.match(/No app nope, or you have no access to it/)
  })

  it('names the URL it could not reach', async () => {
    const c = new ApiClient({backoffMs: 1, baseUrl: 'http://127.0.0.1:9', maxAttempts: 1, token: async () => 't', userAgent: 'x'})
    const err = await failure(c.get('/account'))
    expect(err).to.be.instanceOf(NetworkError)
    expect(err.message).to.match(/Could not reach http:\/\/127\.0\.0\.1:9 .*connection refused/)
  })

  it('times out a request that hangs', async () => {
    nock(BASE).get('/account').delay(500).reply(200, {})
    const {c} = client({maxAttempts: 1, timeoutMs: 50})
    const err = await failure(c.get('/account'))
    expect(err).to.be.instanceOf(NetworkError)
  })

  it('logs requests with the Authorization header redacted', async () => {
    nock(BASE).get('/account').reply(200, {}, {'Request-Id': 'r-1'})
    const lines: string[] = []
    const {c} = client({debug: l => lines.push(l)})
    await c.get('/account')
    const text = lines.join('\n')
    expect(text).to.include('--> GET https://api.client.test/account')
    expect(text).to.include('Authorization: Bearer [REDACTED]')
    expect(text).not.to.include('secret-token')
    expect(text).to.match(/<-- 200 GET .* request-id=r-1/)
  })

  it('parses Retry-After in seconds and as a date', () => {
    expect(parseRetryAfter('5')).to.equal(5000)
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).to.equal(6000)
    expect(parseRetryAfter('soon')).to.equal(undefined)
  })
})
