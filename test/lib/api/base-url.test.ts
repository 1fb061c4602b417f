import {expect} from 'chai'

import {apiHostKey, DEFAULT_API_URL, resolveApiUrl} from '../../../src/lib/api/base-url.js'

describe('resolveApiUrl', () => {
  it('prefers HEROKU_API_URL over everything', () => {
    expect(resolveApiUrl({HEROKU_API_URL: 'http://127.0.0.1:5400/', HEROKU_HOST: 'example.com'}, {apiUrl: 'https://saved.test'})).to.equal('http://127.0.0.1:5400')
  })

  it('reads HEROKU_HOST as a host name, as the Heroku CLI does', () => {
    expect(resolveApiUrl({HEROKU_HOST: 'example.com'}, {})).to.equal('https://api.example.com')
  })

  it('reads HEROKU_HOST as a full URL', () => {
    expect(resolveApiUrl({HEROKU_HOST: 'http://localhost:5400'}, {apiUrl: 'https://saved.test'})).to.equal('http://localhost:5400')
  })

  it('falls back to the URL saved by login, then Heroku', () => {
    expect(resolveApiUrl({}, {apiUrl: 'https://saved.test/'})).to.equal('https://saved.test')
    expect(resolveApiUrl({}, {})).to.equal(DEFAULT_API_URL)
  })

  it('rejects what is not an http(s) URL, naming where it came from', () => {
    expect(() => resolveApiUrl({HEROKU_API_URL: 'ftp://x'}, {})).to.throw(/HEROKU_API_URL must be an http/)
    expect(() => resolveApiUrl({HEROKU_API_URL: 'not a url'}, {})).to.throw(/HEROKU_API_URL is not a URL/)
  })

  it('keys credentials by host and port', () => {
    expect(apiHostKey('http://127.0.0.1:5400')).to.equal('127.0.0.1:5400')
    expect(apiHostKey('https://api.heroku.com')).to.equal('api.heroku.com')
  })
})
