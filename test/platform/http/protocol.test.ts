import {expect} from 'chai'

import {ApiError} from '../../../src/platform/http/errors.js'
import {type ApiResponse, expectError, expectSchema, startTestPlatform, type TestPlatform} from '../helpers.js'

describe('platform API: protocol (headers, pagination, rate limit, errors)', () => {
  let t: TestPlatform

  before(async () => {
    t = await startTestPlatform()
    for (const name of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']) await t.client.post('/apps', {name})
  })

  after(() => t.close())

  describe('Accept', () => {
    it('serves version 3, and treats a missing or generic Accept as version 3', async () => {
      expect((await t.client.get('/account')).status).to.equal(200)
      expect((await t.client.get('/account', {headers: {Accept: 'application/json'}})).status).to.equal(200)
      const bare = await fetch(`${t.platform.url}/account`, {headers: {Authorization: `Bearer ${t.owner.token}`}})
      expect(bare.status).to.equal(200)
    })

    it('refuses other versions with 406 not_acceptable', async () => {
      expectError(await t.client.get('/account', {headers: {Accept: 'application/vnd.heroku+json; version=2'}}), 406, 'not_acceptable')
    })
  })

  describe('Request-Id and ETag', () => {
    it('echoes a valid Request-Id and generates a uuid otherwise, on success and error', async () => {
      expect((await t.client.get('/account', {headers: {'Request-Id': 'abc-123'}})).headers.get('request-id')).to.equal('abc-123')
      const generated = (await t.client.get('/account', {headers: {'Request-Id': 'bad id with spaces'}})).headers.get('request-id')
      expect(generated).to.match(/^[0-9a-f-]{36}$/)
      expect((await t.client.get('/apps/missing-app')).headers.get('request-id')).to.match(/^[0-9a-f-]{36}$/)
      expect((await t.client.get('/apps', {token: null})).headers.get('request-id')).to.match(/^[0-9a-f-]{36}$/)
    })

    it('sends an ETag and answers 304 to a matching If-None-Match', async () => {
      const first = await t.client.get('/apps/page-a')
      const etag = first.headers.get('etag')
      expect(etag).to.match(/^"[\w-]+"$/)
      const second = await t.client.get('/apps/page-a', {headers: {'If-None-Match': etag!}})
      expect(second.status).to.equal(304)
      expect(second.headers.get('etag')).to.equal(etag)
      await t.client.patch('/apps/page-a', {maintenance: true})
      expect((await t.client.get('/apps/page-a', {headers: {'If-None-Match': etag!}})).status).to.equal(200)
    })
  })

  describe('Range pagination', () => {
    it('pages through a list with Next-Range and 206 until the end', async () => {
      const names: string[] = []
      let range: null | string = 'name ..; max=2'
      let pages = 0
      while (range !== null) {
        const res: ApiResponse<{name: string}[]> = await t.client.get('/apps', {headers: {Range: range}})
        expectSchema('app', 'GET', 'List', res.body)
        expect(res.headers.get('accept-ranges')).to.equal('id, name')
        names.push(...res.body.map(a => a.name))
        range = res.headers.get('next-range')
        expect(res.status).to.equal(range === null ? 200 : 206)
        pages++
      }

      expect(pages).to.equal(3)
      expect(names).to.deep.equal(['page-a', 'page-b', 'page-c', 'page-d', 'page-e'])
    })

    it('pages in descending order and by id', async () => {
      const desc = await t.client.get('/apps', {headers: {Range: 'name ..; order=desc, max=3'}})
      expect(desc.status).to.equal(206)
      expect(desc.body.map((a: {name: string}) => a.name)).to.deep.equal(['page-e', 'page-d', 'page-c'])
      expect(desc.headers.get('content-range')).to.equal('name page-e..page-c; max=3')
      const rest = await t.client.get('/apps', {headers: {Range: desc.headers.get('next-range')!}})
      expect(rest.status).to.equal(200)
      expect(rest.body.map((a: {name: string}) => a.name)).to.deep.equal(['page-b', 'page-a'])
      const byId = await t.client.get('/apps', {headers: {Range: 'id ..; max=1'}})
      const ids = (await t.client.get('/apps')).body.map((a: {id: string}) => a.id).sort()
      expect(byId.body[0].id).to.equal(ids[0])
    })

    it('pages releases by version past 1000 items with the default and capped max', async () => {
      const app = (await t.client.post('/apps', {name: 'many-releases'})).body
      // 1100 releases, written directly: the API path is exercised elsewhere
      t.platform.store.transaction(() => {
        for (let v = 2; v <= 1100; v++) {
          t.platform.store.run(
            "INSERT INTO releases (id, app_id, version, description, status, config, user_id, created_at, updated_at) VALUES (?, ?, ?, 'bulk', 'succeeded', '{}', ?, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')",
            crypto.randomUUID(), app.id, v, t.owner.account.id,
          )
        }
      })
      const first = await t.client.get('/apps/many-releases/releases', {headers: {Range: 'version ..; max=5000'}})
      expect(first.status).to.equal(206)
      expect(first.body).to.have.length(1000)
      expect(first.headers.get('next-range')).to.equal('version ]1000..; max=1000')
      const second = await t.client.get('/apps/many-releases/releases', {headers: {Range: first.headers.get('next-range')!}})
      expect(second.status).to.equal(200)
      expect(second.body.map((r: {version: number}) => r.version)).to.deep.equal(Array.from({length: 100}, (_, i) => 1001 + i))
      const newest = await t.client.get('/apps/many-releases/releases', {headers: {Range: 'version ..; order=desc,max=1'}})
      expect(newest.body[0].version).to.equal(1100)
      expect(newest.body[0].current).to.equal(true)
    })

    it('pages on values that contain dots (domain hostnames)', async () => {
      for (const host of ['a.example.com', 'b.example.com', 'c.example.com']) await t.client.post('/apps/page-c/domains', {hostname: host, sni_endpoint: null})
      const first = await t.client.get('/apps/page-c/domains', {headers: {Range: 'hostname ..; max=2'}})
      expect(first.status).to.equal(206)
      expect(first.body.map((d: {hostname: string}) => d.hostname)).to.deep.equal(['a.example.com', 'b.example.com'])
      expect(first.headers.get('next-range')).to.equal('hostname ]b.example.com..; max=2')
      const rest = await t.client.get('/apps/page-c/domains', {headers: {Range: first.headers.get('next-range')!}})
      expect(rest.status).to.equal(200)
      expect(rest.body.map((d: {hostname: string}) => d.hostname)).to.deep.equal(['c.example.com', 'page-c.localhost'])
    })

    it('rejects malformed Range headers with 400 bad_request', async () => {
      for (const range of ['bogus', 'size ..', 'name ..; max=0', 'name ..; max=abc', 'name ..; order=sideways', 'version x..y']) {
        const path = range.startsWith('version') ? '/apps/many-releases/releases' : '/apps'
        expectError(await t.client.get(path, {headers: {Range: range}}), 400, 'bad_request')
      }
    })
  })

  describe('rate limit', () => {
    it('counts down RateLimit-Remaining and answers 429 rate_limit when spent, per token', async () => {
      const limited = await startTestPlatform({rateLimit: {budget: 5, refillMs: 60 * 60 * 1000}})
      try {
        const remaining: number[] = []
        for (let i = 0; i < 5; i++) {
          const res = await limited.client.get('/account')
          expect(res.status).to.equal(200)
          remaining.push(Number(res.headers.get('ratelimit-remaining')))
        }

        expect(remaining).to.deep.equal([4, 3, 2, 1, 0])
        const refused = await limited.client.get('/account')
        expectError(refused, 429, 'rate_limit')
        expect(refused.headers.get('ratelimit-remaining')).to.equal('0')
        // another token has its own budget
        const other = await limited.client.post('/oauth/authorizations', {}, {
          token: null, headers: {Authorization: `Basic ${Buffer.from(`${limited.owner.account.email}:${limited.owner.password}`).toString('base64')}`},
        })
        expect(other.status).to.equal(201)
        expect((await limited.client.withToken(other.body.access_token.token).get('/account')).status).to.equal(200)
      } finally {
        await limited.close()
      }
    })

    it('refills over time', async () => {
      const limited = await startTestPlatform({rateLimit: {budget: 2, refillMs: 200}})
      try {
        await limited.client.get('/account')
        await limited.client.get('/account')
        expectError(await limited.client.get('/account'), 429, 'rate_limit')
        await new Promise(resolve => setTimeout(resolve, 250))
        expect((await limited.client.get('/account')).status).to.equal(200)
      } finally {
        await limited.close()
      }
    })
  })

  describe('errors', () => {
    it('answers unknown endpoints with 404 not_found and wrong methods with 405', async () => {
      expectError(await t.client.get('/no-such-endpoint'), 404, 'not_found')
      expectError(await t.client.request('PUT', '/apps/page-a'), 405, 'method_not_allowed')
    })

    it('lets later parts serve non-API paths on the API port (e.g. git), with API-shaped errors', async () => {
      const extended = await startTestPlatform({
        httpHandlers: [(_platform, req, res, segments) => {
          if (segments[0] !== 'custom') return false
          if (segments[1] === 'fail') throw new ApiError(403, 'forbidden', 'not for you')
          res.writeHead(200, {'Content-Type': 'text/plain'}).end(`custom ${req.method}`)
          return true
        }],
      })
      try {
        const ok = await fetch(`${extended.platform.url}/custom/x`)
        expect(await ok.text()).to.equal('custom GET')
        expectError(await extended.client.get('/custom/fail', {token: null}), 403, 'forbidden')
        expect((await extended.client.get('/account')).status).to.equal(200)
      } finally {
        await extended.close()
      }
    })

    it('logs one line a request, without credentials or capability secrets', async () => {
      const session = await t.client.post('/apps/page-b/log-sessions', {})
      await fetch(session.body.logplex_url)
      await t.client.get('/apps/page-b', {headers: {'Request-Id': 'logged-request'}})
      const log = t.serverLog.join('\n')
      expect(log).to.match(/\[logged-request\] GET \/apps\/page-b 200 [\d.]+ms/)
      expect(log).to.include('GET /log-sessions/… 200')
      expect(log).not.to.include(new URL(session.body.logplex_url).pathname)
      expect(log).not.to.include(t.owner.token)
    })

    it('listens on 127.0.0.1 by default', () => {
      expect(new URL(t.platform.url).hostname).to.equal('127.0.0.1')
    })
  })
})
