// The router's HTTP cache, rule by rule from RFC 9111 (and RFC 5861 for the stale-* extensions,
// RFC 9110 for conditional and range requests). The dyno is a small HTTP server on loopback that
// sets the caching headers a test asks for in the query string and counts the requests it gets:
// the count is how a test knows what the cache served itself.

import type {AddressInfo} from 'node:net'

import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer, type IncomingHttpHeaders, type IncomingMessage, request, type Server, type ServerResponse} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {WebPool} from '../../../../src/platform/dynos/web-pool.js'
import type {LogLine} from '../../../../src/platform/logs/log-sink.js'

import {createUser} from '../../../../src/platform/bootstrap.js'
import {PlatformEvents} from '../../../../src/platform/events.js'
import {HttpRouter, type RouterOptions} from '../../../../src/platform/router/router.js'
import {insertApp, setAppConfig} from '../../../../src/platform/store/apps.js'
import {openStore, type Store} from '../../../../src/platform/store/database.js'

interface Answer {
  body: string
  headers: IncomingHttpHeaders
  status: number
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/**
 * The dyno. Query parameters: cc (Cache-Control), etag, lm (Last-Modified), expires, vary, age,
 * status, body, delay (ms before answering), cookie (Set-Cookie), location, cl (Content-Location),
 * fail (500 from now on for this path), cut (send half the body and close). A conditional request
 * whose If-None-Match names the etag gets 304. Each answer says its request number per path.
 */
function dynoHandler(counts: Map<string, number>, seen: IncomingHttpHeaders[], broken: Set<string>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const key = `${url.pathname}?${url.searchParams.toString()}`
    const n = (counts.get(key) ?? 0) + 1
    counts.set(key, n)
    seen.push(req.headers)
    const q = url.searchParams
    const answer = () => {
      if (broken.has(`${url.pathname} close`)) return req.socket.destroy()
      if (broken.has(url.pathname)) {
        res.writeHead(500, {'Content-Type': 'text/plain'})
        return res.end('broken')
      }

      const headers: Record<string, string> = {'Content-Type': 'text/plain', 'X-Count': String(n)}
      for (const [param, name] of [['cc', 'Cache-Control'], ['etag', 'ETag'], ['lm', 'Last-Modified'], ['expires', 'Expires'], ['vary', 'Vary'], ['age', 'Age'], ['cookie', 'Set-Cookie'], ['location', 'Location'], ['cl', 'Content-Location'], ['xv', 'X-Version']] as const) {
        const value = q.get(param)
        if (value !== null) headers[name] = value
      }

      const etag = q.get('etag')
      if (etag !== null && req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers)
        return res.end()
      }

      const body = q.get('body') ?? `response ${n} to ${req.method} ${req.headers['accept-language'] ?? ''}`
      if (q.has('cut')) {
        res.writeHead(200, {...headers, 'Content-Length': String(body.length * 2)})
        res.write(body)
        return setTimeout(() => res.socket?.destroy(), 20)
      }

      res.writeHead(Number(q.get('status') ?? 200), headers)
      res.end(req.method === 'HEAD' ? undefined : body)
    }

    const delay = Number(q.get('delay') ?? 0)
    if (delay > 0) setTimeout(answer, delay)
    else answer()
  }
}

describe('router HTTP cache (RFC 9111)', function () {
  this.timeout(20_000)
  const app = 'cached'
  let dataDir: string
  let store: Store
  let appId: string
  let lines: LogLine[]
  let pool: WebPool
  let router: HttpRouter
  let dyno: Server
  let events: PlatformEvents
  const counts = new Map<string, number>()
  const seen: IncomingHttpHeaders[] = []
  const broken = new Set<string>()
  let port = 0
  let unique = 0

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'router-cache-'))
    store = openStore(dataDir)
    const owner = await createUser(store, {email: 'cache@example.com', password: 'correct horse battery'})
    appId = insertApp(store, {name: app, ownerId: owner.account.id}).id
    dyno = createServer(dynoHandler(counts, seen, broken))
    await new Promise<void>(resolve => dyno.listen(0, '127.0.0.1', resolve))
    port = (dyno.address() as AddressInfo).port
  })

  after(async () => {
    await new Promise(resolve => {
      dyno.close(resolve)
      dyno.closeAllConnections()
    })
    store.close()
    rmSync(dataDir, {recursive: true, force: true})
  })

  beforeEach(async () => {
    lines = []
    seen.length = 0
    broken.clear()
    pool = {up: [{name: 'web.1', port, inflight: 0}], starting: 0, crashed: 0, wanted: 1, pending: 0}
    await startRouter()
  })

  afterEach(async () => {
    await router.close()
  })

  async function startRouter(options: Partial<RouterOptions> = {}): Promise<void> {
    await router?.close()
    events = new PlatformEvents()
    router = new HttpRouter({
      store, events, port: 0, requestTimeoutMs: 2000, bootWaitMs: 300,
      logs: {write: line => lines.push(line)},
      pools: {webPool: id => (id === appId ? pool : undefined), poolChanged: (_id, ms) => new Promise(resolve => setTimeout(resolve, Math.min(ms, 20)))},
      ...options,
    })
    await router.listen()
  }

  /** A path no other test used: `params` are the dyno's query parameters. */
  function path(params: Record<string, string> = {}): string {
    return `/r${++unique}?${new URLSearchParams(params).toString()}`
  }

  function dynoCount(p: string): number {
    const url = new URL(p, 'http://x')
    return counts.get(`${url.pathname}?${url.searchParams.toString()}`) ?? 0
  }

  function send(p: string, init: {body?: string, headers?: Record<string, string>, method?: string} = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request({host: '127.0.0.1', port: router.port, path: p, method: init.method ?? 'GET', agent: false, headers: {Host: `${app}.localhost:${router.port}`, ...init.headers}}, res => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
        })
        res.on('end', () => resolve({status: res.statusCode!, headers: res.headers, body}))
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end(init.body)
    })
  }

  const routerLines = () => lines.filter(l => l.dyno === 'router').map(l => l.message)
  const past = (s: number) => new Date(Date.now() - s * 1000).toUTCString()
  const future = (s: number) => new Date(Date.now() + s * 1000).toUTCString()

  describe('freshness (§4.2)', () => {
    it('reuses a response within max-age, with Age, without asking the dyno (§4.2.1, §5.2.2.1)', async () => {
      const p = path({cc: 'max-age=60'})
      const first = await send(p)
      const second = await send(p)
      expect(first.headers['x-cache']).to.equal('MISS')
      expect(second.headers['x-cache']).to.equal('HIT')
      expect(second.body).to.equal(first.body)
      expect(second.headers.age).to.match(/^\d+$/)
      expect(dynoCount(p)).to.equal(1)
    })

    it('s-maxage wins over max-age in a shared cache (§5.2.2.10)', async () => {
      const p = path({cc: 'max-age=0, s-maxage=60'})
      await send(p)
      expect((await send(p)).headers['x-cache']).to.equal('HIT')
      expect(dynoCount(p)).to.equal(1)
    })

    it('Expires gives freshness without Cache-Control; an invalid Expires is already expired (§5.3)', async () => {
      const fresh = path({expires: future(60)})
      await send(fresh)
      expect((await send(fresh)).headers['x-cache']).to.equal('HIT')
      const invalid = path({expires: '0'})
      await send(invalid)
      await send(invalid)
      expect(dynoCount(invalid)).to.equal(2)
    })

    it('max-age wins over Expires (§5.3)', async () => {
      const p = path({cc: 'max-age=0', expires: future(60)})
      await send(p)
      await send(p)
      expect(dynoCount(p)).to.equal(2)
    })

    it('counts the Age the dyno sent into the age (§4.2.3)', async () => {
      const p = path({cc: 'max-age=10', age: '20'})
      await send(p)
      await send(p)
      expect(dynoCount(p)).to.equal(2)
    })

    it('a heuristic freshness from Last-Modified when nothing explicit is given (§4.2.2)', async () => {
      const p = path({lm: past(10 * 86_400)})
      await send(p)
      expect((await send(p)).headers['x-cache']).to.equal('HIT')
      expect(dynoCount(p)).to.equal(1)
    })
  })

  describe('what is never stored (§3)', () => {
    it('a response with no caching headers — not even an ETag alone — goes to the dyno every time', async () => {
      const plain = path()
      const etagOnly = path({etag: '"v1"'})
      for (const p of [plain, plain, etagOnly, etagOnly]) expect((await send(p)).headers['x-cache']).to.equal('MISS')
      expect(dynoCount(plain)).to.equal(2)
      expect(dynoCount(etagOnly)).to.equal(2)
      // the client's own conditional reaches the dyno, which answers it as without a cache
      expect((await send(etagOnly, {headers: {'If-None-Match': '"v1"'}})).status).to.equal(304)
      expect(dynoCount(etagOnly)).to.equal(3)
    })

    it('private and no-store responses (§5.2.2.7, §5.2.2.5)', async () => {
      for (const cc of ['private, max-age=60', 'no-store, max-age=60']) {
        const p = path({cc})
        await send(p)
        await send(p)
        expect(dynoCount(p), cc).to.equal(2)
      }
    })

    it('a request with no-store is not stored (§5.2.1.5)', async () => {
      const p = path({cc: 'max-age=60'})
      await send(p, {headers: {'Cache-Control': 'no-store'}})
      await send(p)
      expect(dynoCount(p)).to.equal(2)
    })

    it('a response with Set-Cookie', async () => {
      const p = path({cc: 'public, max-age=60', cookie: 'session=abc'})
      await send(p)
      await send(p)
      expect(dynoCount(p)).to.equal(2)
    })

    it('Set-Cookie named by no-cache="…" or private="…": stored without it (§5.2.2.4, §5.2.2.7)', async () => {
      const p = path({cc: 'max-age=60, no-cache="Set-Cookie"', cookie: 'session=abc'})
      expect((await send(p)).headers['set-cookie']).to.deep.equal(['session=abc'])
      const hit = await send(p)
      expect(hit.headers['x-cache']).to.equal('HIT')
      expect(hit.headers['set-cookie']).to.equal(undefined)
    })

    it('a field named by private="…" is not stored; the rest is (§5.2.2.7)', async () => {
      const p = path({cc: 'max-age=60, private="X-Version"', xv: 'secret'})
      expect((await send(p)).headers['x-version']).to.equal('secret')
      const hit = await send(p)
      expect(hit.headers['x-cache']).to.equal('HIT')
      expect(hit.headers['x-version']).to.equal(undefined)
    })

    it('must-understand with no-store: stored, the status being one this cache implements (§5.2.2.3)', async () => {
      const p = path({cc: 'max-age=60, must-understand, no-store'})
      await send(p)
      expect((await send(p)).headers['x-cache']).to.equal('HIT')
    })

    it('a response to a request with Authorization, unless public, s-maxage or must-revalidate allow it (§3.5)', async () => {
      const auth = {Authorization: 'Bearer secret'}
      const p = path({cc: 'max-age=60'})
      await send(p, {headers: auth})
      await send(p, {headers: auth})
      expect(dynoCount(p)).to.equal(2)
      const allowed = path({cc: 'public, max-age=60'})
      await send(allowed, {headers: auth})
      expect((await send(allowed)).headers['x-cache']).to.equal('HIT')
      expect(dynoCount(allowed)).to.equal(1)
    })

    it('an error response the app did not mark cacheable; one it did is stored (§3, RFC 9110 §15.1)', async () => {
      const error = path({status: '500', lm: past(86_400)})
      await send(error)
      await send(error)
      expect(dynoCount(error)).to.equal(2)
      const notFound = path({status: '404', cc: 'max-age=60'})
      await send(notFound)
      const again = await send(notFound)
      expect(again.status).to.equal(404)
      expect(again.headers['x-cache']).to.equal('HIT')
    })

    it('a body that broke off (§3.3: an incomplete response is not stored as complete)', async () => {
      const p = path({cc: 'max-age=60', cut: '1'})
      await send(p).catch(() => undefined)
      await send(p).catch(() => undefined)
      expect(dynoCount(p)).to.equal(2)
    })

    it('a response larger than the per-object limit streams whole to each client, never stored', async () => {
      await startRouter({cache: {maxObjectBytes: 1000}})
      const big = 'x'.repeat(5000)
      const p = path({cc: 'max-age=60', body: big})
      expect((await send(p)).body).to.equal(big)
      expect((await send(p)).body).to.equal(big)
      expect(dynoCount(p)).to.equal(2)
    })

    it('POST responses are not stored (only GET is)', async () => {
      const p = path({cc: 'max-age=60'})
      await send(p, {method: 'POST', body: 'x'})
      await send(p, {method: 'POST', body: 'x'})
      expect(dynoCount(p)).to.equal(2)
    })
  })

  describe('Vary (§4.1)', () => {
    it('keeps one response per value of the fields Vary names', async () => {
      const p = path({cc: 'max-age=60', vary: 'Accept-Language'})
      const en = await send(p, {headers: {'Accept-Language': 'en'}})
      const fr = await send(p, {headers: {'Accept-Language': 'fr'}})
      expect(fr.body).to.not.equal(en.body)
      expect((await send(p, {headers: {'Accept-Language': 'en'}})).body).to.equal(en.body)
      const frAgain = await send(p, {headers: {'Accept-Language': 'fr'}})
      expect(frAgain.body).to.equal(fr.body)
      expect(frAgain.headers['x-cache']).to.equal('HIT')
      expect(dynoCount(p)).to.equal(2)
    })

    it('Vary: * never matches', async () => {
      const p = path({cc: 'max-age=60', vary: '*'})
      await send(p)
      await send(p)
      expect(dynoCount(p)).to.equal(2)
    })
  })

  describe('validation (§4.3)', () => {
    it('no-cache: every reuse is validated with a conditional request; a 304 serves the stored body (§5.2.2.4, §4.3.1)', async () => {
      const p = path({cc: 'no-cache', etag: '"a"'})
      const first = await send(p)
      const second = await send(p)
      expect(second.status).to.equal(200)
      expect(second.body).to.equal(first.body)
      expect(dynoCount(p)).to.equal(2)
      expect(seen.at(-1)!['if-none-match']).to.equal('"a"')
      expect(routerLines().at(-1)).to.match(/ cache=revalidated$/)
    })

    it('a stale response is validated with If-Modified-Since from Last-Modified (§4.3.1)', async () => {
      const lm = past(3600)
      const p = path({cc: 'max-age=0', lm})
      await send(p)
      await send(p)
      expect(seen.at(-1)!['if-modified-since']).to.equal(lm)
    })

    it('a 304 refreshes the stored response\'s headers (§4.3.4)', async () => {
      // the same path: the dyno's answer depends on the query only, so give X-Version by hand
      const p = path({cc: 'max-age=0', etag: '"e"', xv: '1'})
      await send(p)
      const validated = await send(p)
      expect(validated.headers['x-version']).to.equal('1')
      expect(validated.headers['x-count']).to.equal('2')
      expect(validated.body).to.equal('response 1 to GET ')
    })

    it('a request with Cache-Control: no-cache or max-age=0, or Pragma: no-cache, is validated (§5.2.1.4, §5.4)', async () => {
      const p = path({cc: 'max-age=60', etag: '"r"'})
      await send(p)
      await send(p, {headers: {'Cache-Control': 'no-cache'}})
      await send(p, {headers: {'Cache-Control': 'max-age=0'}})
      await send(p, {headers: {Pragma: 'no-cache'}})
      expect(dynoCount(p)).to.equal(4)
      await send(p)
      expect(dynoCount(p)).to.equal(4)
    })

    it('the client\'s conditional requests are answered from the cache (§4.3.2)', async () => {
      const lm = past(3600)
      const p = path({cc: 'max-age=60', etag: '"c"', lm})
      await send(p)
      const inm = await send(p, {headers: {'If-None-Match': 'W/"c", "other"'}})
      expect(inm.status).to.equal(304)
      expect(inm.headers.etag).to.equal('"c"')
      expect(inm.body).to.equal('')
      expect((await send(p, {headers: {'If-Modified-Since': new Date().toUTCString()}})).status).to.equal(304)
      expect((await send(p, {headers: {'If-Modified-Since': past(7200)}})).status).to.equal(200)
      expect((await send(p, {headers: {'If-None-Match': '"nope"'}})).status).to.equal(200)
      expect(dynoCount(p)).to.equal(1)
    })

    it('must-revalidate: never served stale, even when the client allows it (§5.2.2.2)', async () => {
      const p = path({cc: 'max-age=1, must-revalidate', age: '5', etag: '"m"'})
      await send(p)
      await send(p, {headers: {'Cache-Control': 'max-stale=60'}})
      expect(dynoCount(p)).to.equal(2)
    })
  })

  describe('request directives (§5.2.1)', () => {
    it('max-stale serves a stale response as it is', async () => {
      const p = path({cc: 'max-age=1', age: '5'})
      await send(p)
      const stale = await send(p, {headers: {'Cache-Control': 'max-stale=60'}})
      expect(stale.headers['x-cache']).to.equal('STALE')
      expect(dynoCount(p)).to.equal(1)
    })

    it('min-fresh and max-age refuse responses that are not fresh enough', async () => {
      const p = path({cc: 'max-age=60', age: '30'})
      await send(p)
      await send(p, {headers: {'Cache-Control': 'min-fresh=40'}})
      await send(p, {headers: {'Cache-Control': 'max-age=10'}})
      expect(dynoCount(p)).to.equal(3)
    })

    it('only-if-cached: 504 when nothing is stored, the stored response otherwise (§5.2.1.7)', async () => {
      const p = path({cc: 'max-age=60'})
      expect((await send(p, {headers: {'Cache-Control': 'only-if-cached'}})).status).to.equal(504)
      expect(dynoCount(p)).to.equal(0)
      await send(p)
      expect((await send(p, {headers: {'Cache-Control': 'only-if-cached'}})).status).to.equal(200)
    })
  })

  describe('HEAD and Range from a stored GET', () => {
    it('HEAD is answered from a stored GET (§4.3.5): its fields, no body', async () => {
      const p = path({cc: 'max-age=60', body: 'hello world'})
      await send(p)
      const head = await send(p, {method: 'HEAD'})
      expect(head.status).to.equal(200)
      expect(head.body).to.equal('')
      expect(head.headers['content-length']).to.equal('11')
      expect(head.headers['x-cache']).to.equal('HIT')
      expect(dynoCount(p)).to.equal(1)
    })

    it('a HEAD that revalidates a stale GET does not drop it', async () => {
      const p = path({cc: 'max-age=0', etag: '"h"'})
      const first = await send(p)
      expect((await send(p, {method: 'HEAD'})).status).to.equal(200)
      const again = await send(p)
      expect(again.body).to.equal(first.body)
      expect(routerLines().at(-1)).to.match(/ cache=revalidated$/)
    })

    it('a byte range of a stored full response: 206, suffix ranges, 416, If-Range (RFC 9110 §14, §13.1.5)', async () => {
      const p = path({cc: 'max-age=60', body: '0123456789', etag: '"strong"'})
      await send(p)
      const part = await send(p, {headers: {Range: 'bytes=2-4'}})
      expect(part.status).to.equal(206)
      expect(part.body).to.equal('234')
      expect(part.headers['content-range']).to.equal('bytes 2-4/10')
      expect((await send(p, {headers: {Range: 'bytes=-3'}})).body).to.equal('789')
      expect((await send(p, {headers: {Range: 'bytes=7-'}})).body).to.equal('789')
      const none = await send(p, {headers: {Range: 'bytes=20-30'}})
      expect(none.status).to.equal(416)
      expect(none.headers['content-range']).to.equal('bytes */10')
      expect((await send(p, {headers: {Range: 'bytes=2-4', 'If-Range': '"strong"'}})).status).to.equal(206)
      expect((await send(p, {headers: {Range: 'bytes=2-4', 'If-Range': '"other"'}})).status).to.equal(200)
      expect(dynoCount(p)).to.equal(1)
    })
  })

  describe('invalidation by unsafe methods (§4.4)', () => {
    it('a successful POST, PUT, PATCH or DELETE drops the stored response for its URI', async () => {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const p = path({cc: 'max-age=60'})
        await send(p)
        await send(p, {method, body: 'x'})
        const after = await send(p)
        expect(after.headers['x-cache'], method).to.equal('MISS')
        expect(dynoCount(p), method).to.equal(3)
      }
    })

    it('and those for the same-app URIs in Location and Content-Location', async () => {
      const target = path({cc: 'max-age=60'})
      const other = path({cc: 'max-age=60'})
      await send(target)
      await send(other)
      await send(path({location: target, cl: `http://${app}.localhost:${router.port}${other}`}), {method: 'POST', body: 'x'})
      expect((await send(target)).headers['x-cache']).to.equal('MISS')
      expect((await send(other)).headers['x-cache']).to.equal('MISS')
    })

    it('an error response to the unsafe method invalidates nothing', async () => {
      const p = path({cc: 'max-age=60'})
      await send(p)
      broken.add(new URL(p, 'http://x').pathname)
      await send(p, {method: 'POST', body: 'x'})
      broken.clear()
      expect((await send(p)).headers['x-cache']).to.equal('HIT')
    })
  })

  describe('request coalescing', () => {
    it('concurrent misses for one key send one request to the dyno; all get its response', async () => {
      const p = path({cc: 'max-age=60', delay: '150'})
      const answers = await Promise.all(Array.from({length: 32}, () => send(p)))
      expect(dynoCount(p)).to.equal(1)
      expect(new Set(answers.map(a => a.body)).size).to.equal(1)
      expect(answers.every(a => a.status === 200)).to.equal(true)
    })

    it('a response that turns out uncacheable releases the waiters to the dyno; later ones do not wait', async () => {
      const p = path({delay: '100'})
      const answers = await Promise.all(Array.from({length: 8}, () => send(p)))
      expect(dynoCount(p)).to.equal(8)
      expect(new Set(answers.map(a => a.body)).size).to.equal(8)
      const started = Date.now()
      await Promise.all(Array.from({length: 8}, () => send(p)))
      // no waiting behind one another: all in about one dyno delay
      expect(Date.now() - started).to.be.below(600)
      expect(dynoCount(p)).to.equal(16)
    })
  })

  describe('stale-while-revalidate and stale-if-error (RFC 5861)', () => {
    it('stale-while-revalidate serves the stale response and refreshes it in the background', async () => {
      const p = path({cc: 'max-age=1, stale-while-revalidate=60', age: '2'})
      const first = await send(p)
      const stale = await send(p)
      expect(stale.headers['x-cache']).to.equal('STALE')
      expect(stale.body).to.equal(first.body)
      for (let i = 0; i < 50 && dynoCount(p) < 2; i++) await sleep(20)
      expect(dynoCount(p)).to.equal(2)
      expect((await send(p)).headers['x-count']).to.equal('2')
    })

    it('stale-if-error serves the stale response when the dyno answers 5xx', async () => {
      const p = path({cc: 'max-age=1, stale-if-error=60', age: '2'})
      const first = await send(p)
      broken.add(new URL(p, 'http://x').pathname)
      const stale = await send(p)
      expect(stale.status).to.equal(200)
      expect(stale.body).to.equal(first.body)
      expect(stale.headers['x-cache']).to.equal('STALE')
    })

    it('stale-if-error serves the stale response when no dyno answers (H10) instead of the error page', async () => {
      const p = path({cc: 'max-age=1, stale-if-error=60', age: '2'})
      const first = await send(p)
      pool = {up: [], starting: 0, crashed: 1, wanted: 1, pending: 0}
      const stale = await send(p)
      expect(stale.status).to.equal(200)
      expect(stale.body).to.equal(first.body)
      expect(routerLines().at(-1)).to.match(/^at=error code=H10 .* status=200 .* cache=stale$/)
    })

    it('stale-if-error serves the stale response when the dyno closes the connection without answering (H13)', async () => {
      const p = path({cc: 'max-age=1, stale-if-error=60', age: '2'})
      const first = await send(p)
      broken.add(`${new URL(p, 'http://x').pathname} close`)
      const stale = await send(p)
      expect(stale.status).to.equal(200)
      expect(stale.body).to.equal(first.body)
      expect(routerLines().at(-1)).to.match(/^at=error code=H13 .* cache=stale$/)
    })

    it('without stale-if-error the error page is served (§4.2.4)', async () => {
      const p = path({cc: 'max-age=1', age: '2'})
      await send(p)
      pool = {up: [], starting: 0, crashed: 1, wanted: 1, pending: 0}
      expect((await send(p)).status).to.equal(503)
    })
  })

  describe('memory, releases, the header, the log line, stats and purge', () => {
    it('stays within its bytes per app: the least recently used go first', async () => {
      const body = 'y'.repeat(1500)
      const paths = Array.from({length: 3}, () => path({cc: 'max-age=60', body}))
      // room for three entries of this size and a half
      await send(path({cc: 'max-age=60', body}))
      const max = Math.floor(router.cache!.stats(appId).bytes * 3.5)
      await startRouter({cache: {maxBytesPerApp: max}})
      for (const p of paths) await send(p)
      await send(paths[0]) // used: the second is now the least recently used
      await send(path({cc: 'max-age=60', body}))
      expect((await send(paths[0])).headers['x-cache']).to.equal('HIT')
      expect((await send(paths[1])).headers['x-cache']).to.equal('MISS')
      expect(router.cache!.stats(appId).bytes).to.be.at.most(max)
      expect(router.cache!.stats(appId).evictions).to.be.above(0)
    })

    it('is emptied for the app on each new release (release.current)', async () => {
      const p = path({cc: 'max-age=60'})
      await send(p)
      events.emit('release.current', {appId, appName: app, releaseId: 'r', version: 2})
      expect((await send(p)).headers['x-cache']).to.equal('MISS')
    })

    it('stores nothing while the dynos move to the new release (preboot: old dynos still answer)', async () => {
      const p = path({cc: 'max-age=60'})
      pool = {...pool, pending: 1}
      events.emit('release.current', {appId, appName: app, releaseId: 'r', version: 5})
      await send(p)
      expect((await send(p)).headers['x-cache']).to.equal('MISS')
      pool = {...pool, pending: 0}
      await send(p)
      expect((await send(p)).headers['x-cache']).to.equal('HIT')
      expect(dynoCount(p)).to.equal(3)
    })

    it('X-Cache is off when the app sets ROUTER_CACHE_HEADER=off; caching is not', async () => {
      setAppConfig(store, appId, {ROUTER_CACHE_HEADER: 'off'}, new Date().toISOString())
      events.emit('release.current', {appId, appName: app, releaseId: 'r', version: 3})
      try {
        const p = path({cc: 'max-age=60'})
        await send(p)
        const hit = await send(p)
        expect(hit.headers['x-cache']).to.equal(undefined)
        expect(dynoCount(p)).to.equal(1)
      } finally {
        setAppConfig(store, appId, {}, new Date().toISOString())
        events.emit('release.current', {appId, appName: app, releaseId: 'r', version: 4})
      }
    })

    it('the router line says what the cache did', async () => {
      const p = path({cc: 'max-age=60'})
      await send(p)
      await send(p)
      await send(p, {method: 'POST', body: 'x'})
      const [miss, hit, post] = routerLines()
      expect(miss).to.match(/^at=info method=GET .* dyno=web\.1 .* status=200 bytes=\d+ protocol=http cache=miss$/)
      expect(hit).to.match(/^at=info method=GET .* dyno= connect=0ms .* status=200 bytes=\d+ protocol=http cache=hit$/)
      expect(post).to.match(/ cache=bypass$/)
    })

    it('counts hits and misses; purges by path or all', async () => {
      const a = path({cc: 'max-age=60'})
      const b = path({cc: 'max-age=60'})
      await send(a)
      await send(a)
      await send(b)
      const stats = router.cache!.stats(appId)
      expect(stats.hits).to.equal(1)
      expect(stats.misses).to.equal(2)
      expect(stats.entries).to.equal(2)
      expect(router.cache!.purge(appId, [new URL(a, 'http://x').pathname])).to.equal(1)
      expect((await send(a)).headers['x-cache']).to.equal('MISS')
      expect((await send(b)).headers['x-cache']).to.equal('HIT')
      expect(router.cache!.purge(appId)).to.equal(2)
      expect(router.cache!.stats(appId).entries).to.equal(0)
    })

    it('with the cache off the router adds no header and no log field', async () => {
      await startRouter({cache: false})
      const p = path({cc: 'max-age=60'})
      await send(p)
      const second = await send(p)
      expect(second.headers['x-cache']).to.equal(undefined)
      expect(dynoCount(p)).to.equal(2)
      expect(routerLines().at(-1)).to.match(/ protocol=http$/)
    })
  })
})
