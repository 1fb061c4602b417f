import {expect} from 'chai'

import {api, run, useIsolatedEnv} from '../../helpers/cli.js'

const stats = {
  app: {id: 'a1', name: 'my-app'},
  hits: 90, misses: 8, stale: 1, revalidated: 1, bypass: 4, hit_ratio: 0.92,
  entries: 12, bytes: 2048, max_bytes: 64 * 1024 * 1024, evictions: 0,
}

describe('cache', () => {
  useIsolatedEnv()

  describe('cache:stats', () => {
    it('shows the hit ratio, counts and size', async () => {
      api().get('/apps/my-app/cache').reply(200, stats)
      const {stdout, exitCode} = await run(['cache:stats', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal([
        '=== my-app Router Cache',
        'Hit ratio:   92.0%',
        'Hits:        90',
        'Revalidated: 1',
        'Stale:       1',
        'Misses:      8',
        'Bypass:      4',
        'Entries:     12',
        'Size:        2.0 KB of 64.0 MB',
        'Evictions:   0',
        '',
      ].join('\n'))
    })

    it('--json prints the API object and nothing else', async () => {
      api().get('/apps/my-app/cache').reply(200, stats)
      const {stdout} = await run(['cache:stats', '-a', 'my-app', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal(stats)
    })

    it('says so when the platform has no such API (a 404 not about the app)', async () => {
      api().get('/apps/my-app/cache').reply(404, {id: 'not_found', message: 'Not found.'})
      const {stderr, exitCode} = await run(['cache:stats', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.include('This platform has no router cache API.')
      expect(stderr).to.not.match(/\n\s+at /)
    })

    it('an unknown app is the server\'s message', async () => {
      api().get('/apps/nope/cache').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      const {stderr, exitCode} = await run(['cache:stats', '-a', 'nope'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.include('Couldn\'t find that app.')
    })
  })

  describe('cache:purge', () => {
    it('purges everything without paths', async () => {
      api().post('/apps/my-app/cache/purge', {}).reply(200, {app: {id: 'a1', name: 'my-app'}, paths: [], purged: 12})
      const {stdout, exitCode} = await run(['cache:purge', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal('Purged everything from my-app\'s router cache: 12 responses.\n')
    })

    it('purges the given paths; --json', async () => {
      const body = {app: {id: 'a1', name: 'my-app'}, paths: ['/index.html', '/a.css'], purged: 1}
      api().post('/apps/my-app/cache/purge', {paths: ['/index.html', '/a.css']}).reply(200, body)
      const {stdout} = await run(['cache:purge', '/index.html', '/a.css', '-a', 'my-app', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal(body)
    })

    it('a path must start with / (usage error, nothing sent)', async () => {
      const {stderr, exitCode} = await run(['cache:purge', 'index.html', '-a', 'my-app'])
      expect(exitCode).to.equal(2)
      expect(stderr).to.include('index.html is not a path.')
    })
  })
})
