import type {AddressInfo} from 'node:net'

import {expect} from 'chai'
import {createServer, type RequestListener, type Server} from 'node:http'

import {httpGetStream, httpRequest, HttpTimeoutError} from '../../../src/lib/api/http.js'
import {failure} from '../../helpers/failure.js'

async function serve(handler: RequestListener): Promise<{server: Server, url: string}> {
  const server = createServer(handler)
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  return {server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`}
}

describe('httpRequest', () => {
  let server: Server | undefined

  afterEach(() => {
    server?.closeAllConnections()
    server?.close()
    server = undefined
  })

  it('sends method, headers and body with its length, and reads the answer as UTF-8 whatever its status', async () => {
    let seen: undefined | {body: string, headers: Record<string, unknown>, method?: string}
    const s = await serve((req, res) => {
      let body = ''
      req.setEncoding('utf8')
      req.on('data', c => {
        body += c
      })
      req.on('end', () => {
        seen = {body, headers: req.headers, method: req.method}
        res.writeHead(422, 'Unprocessable Entity', {'Request-Id': 'r-9'}).end('{"message":"café"}')
      })
    })
    server = s.server
    const res = await httpRequest(`${s.url}/apps`, {body: '{"name":"é"}', headers: {'X-One': '1'}, method: 'PATCH', timeoutMs: 5000})
    expect(seen).to.deep.include({body: '{"name":"é"}', method: 'PATCH'})
    expect(seen?.headers).to.include({'content-length': '13', 'x-one': '1'})
    expect(res).to.deep.include({body: '{"message":"café"}', status: 422, statusMessage: 'Unprocessable Entity'})
    expect(res.headers['request-id']).to.equal('r-9')
  })

  it('fails with HttpTimeoutError (code ETIMEDOUT) when the body stops arriving, not only the headers', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200)
      res.write('{"partial":') // and never the rest
    })
    server = s.server
    const started = Date.now()
    const err = await failure(httpRequest(`${s.url}/slow`, {headers: {}, method: 'GET', timeoutMs: 150}))
    expect(err).to.be.instanceOf(HttpTimeoutError)
    expect(err).to.include({code: 'ETIMEDOUT'})
    expect(Date.now() - started).to.be.lessThan(2000)
  })

  it('rejects with the network code when nothing listens', async () => {
    const err = await failure(httpRequest('http://127.0.0.1:9/', {headers: {}, method: 'GET', timeoutMs: 5000}))
    expect(err).to.include({code: 'ECONNREFUSED'})
  })

  it('refuses a URL that is not http(s)', async () => {
    const err = await failure(httpRequest('ftp://127.0.0.1/', {headers: {}, method: 'GET', timeoutMs: 5000}))
    expect(err).to.be.instanceOf(TypeError)
  })
})

describe('httpGetStream', () => {
  it('hands over the body as a stream once the headers arrived, the timeout no longer running', async () => {
    const {server, url} = await serve((_req, res) => {
      res.writeHead(200)
      res.write('first ')
      setTimeout(() => res.end('second'), 250)
    })
    try {
      const {status, stream} = await httpGetStream(`${url}/dump`, {headers: {}, timeoutMs: 100})
      expect(status).to.equal(200)
      let text = ''
      for await (const chunk of stream) text += String(chunk)
      expect(text).to.equal('first second')
    } finally {
      server.close()
    }
  })
})
