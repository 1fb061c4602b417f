import {expect} from 'chai'
import nock from 'nock'

import {api, run, useIsolatedEnv} from '../../helpers/cli.js'

function release(version: number, extra: Record<string, unknown> = {}) {
  return {
    addon_plan_names: ['heroku-postgresql:essential-0'],
    app: {id: 'a1', name: 'my-app'},
    artifacts: [],
    created_at: '2026-01-01T00:00:00Z',
    current: false,
    description: `Deploy v${version}`,
    eligible_for_rollback: true,
    id: `rel-${version}`,
    output_stream_url: null,
    slug: {id: `slug-${version}`},
    status: 'succeeded',
    updated_at: '2026-01-01T00:00:00Z',
    user: {email: 'jane@example.com', id: 'u1'},
    version,
    ...extra,
  }
}

describe('releases', () => {
  useIsolatedEnv()

  describe('releases (list)', () => {
    it('asks for the newest N by version and lists them', async () => {
      api().get('/apps/my-app/releases').matchHeader('range', 'version ..; order=desc,max=2').reply(206, [release(3, {current: true}), release(2, {description: 'Set FOO config vars', status: 'failed'})], {'Next-Range': ']rel-2..; max=2'})
      const {stdout, exitCode} = await run(['releases', '-a', 'my-app', '-n', '2'])
      expect(exitCode).to.equal(0)
      const lines = stdout.split('\n')
      expect(lines[0]).to.equal('=== my-app Releases')
      expect(lines[1]).to.match(/^Version\s+Description\s+By\s+When$/)
      expect(lines[2]).to.match(/^v3\s+Deploy v3\s+jane@example.com\s+2026-01-01T00:00:00Z \(\d+d ago\)$/)
      expect(lines[3]).to.match(/^v2\s+Set FOO config vars \(release command failed\)\s+jane@example.com/)
    })

    it('--json prints the releases; defaults to 15', async () => {
      api().get('/apps/my-app/releases').matchHeader('range', 'version ..; order=desc,max=15').reply(200, [release(1)])
      const {stdout} = await run(['releases', '-a', 'my-app', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal([release(1)])
    })

    it('fails on an unknown app; rejects -n 0', async () => {
      api().get('/apps/nope/releases').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      expect((await run(['releases', '-a', 'nope'])).exitCode).to.equal(1)
      expect((await run(['releases', '-a', 'my-app', '-n', '0'])).exitCode).to.equal(2)
    })
  })

  describe('releases:info', () => {
    it('shows a given version', async () => {
      api().get('/apps/my-app/releases/12').reply(200, release(12, {current: true}))
      const {stdout, exitCode} = await run(['releases:info', 'v12', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal([
        '=== Release v12',
        'Add-ons: heroku-postgresql:essential-0',
        'Change:  Deploy v12',
        'By:      jane@example.com',
        'When:    2026-01-01T00:00:00Z',
        'Status:  succeeded',
        'Current: yes',
        '',
      ].join('\n'))
    })

    it('shows the newest without a version; --json', async () => {
      api().get('/apps/my-app/releases').matchHeader('range', 'version ..; order=desc,max=1').reply(200, [release(4)])
      const {stdout} = await run(['releases:info', '-a', 'my-app', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal(release(4))
    })

    it('rejects a bad version (exit 2) and reports a missing one (exit 1)', async () => {
      expect((await run(['releases:info', 'latest', '-a', 'my-app'])).exitCode).to.equal(2)
      api().get('/apps/my-app/releases/99').reply(404, {id: 'not_found', message: 'Couldn\'t find that release.'})
      const {stderr, exitCode} = await run(['releases:info', 'v99', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Couldn\'t find that release.')
    })
  })

  describe('releases:info of a release with a release phase', () => {
    it('shows its status and release command', async () => {
      api().get('/apps/my-app/releases/9').reply(200, release(9, {status: 'failed', output_stream_url: 'https://api.example.com/release-outputs/rel-9/sig'}))
      api().get('/apps/my-app/slugs/slug-9').reply(200, {id: 'slug-9', process_types: {web: 'node server.js', release: 'node migrate.js'}})
      const {stdout, exitCode} = await run(['releases:info', 'v9', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.match(/^Status: +failed$/m)
      expect(stdout).to.match(/^Release command: +node migrate\.js$/m)
    })
  })

  describe('releases:output', () => {
    it('prints what the release command printed, from output_stream_url', async () => {
      api().get('/apps/my-app/releases/3').reply(200, release(3, {output_stream_url: 'https://api.example.com/release-outputs/rel-3/sig', status: 'failed'}))
      const stream = nock('https://api.example.com').get('/release-outputs/rel-3/sig').reply(200, 'migrating\nmigration failed\n')
      const {stdout, exitCode} = await run(['releases:output', 'v3', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal('migrating\nmigration failed\n')
      stream.done()
    })

    it('says so when the release ran no release command', async () => {
      api().get('/apps/my-app/releases').reply(200, [release(2)])
      const {stderr, exitCode} = await run(['releases:output', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Release v2 of my-app has no release command output.')
    })
  })

  describe('releases:retry', () => {
    it('releases the newest release\'s slug again', async () => {
      api().get('/apps/my-app/releases').reply(200, [release(4, {status: 'failed', description: 'Deploy abc'})])
      api().post('/apps/my-app/releases', {slug: 'slug-4', description: 'Retry of v4: Deploy abc'}).reply(201, release(5, {status: 'pending', description: 'Retry of v4: Deploy abc'}))
      const {stderr, exitCode} = await run(['releases:retry', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.contain('Retrying v4 on my-app... done, v5')
      expect(stderr).to.contain('heroku releases:output v5 -a my-app')
    })
  })

  describe('releases:rollback', () => {
    it('rolls back to the release before the newest: POST {release: id}', async () => {
      api().get('/apps/my-app/releases').matchHeader('range', 'version ..; order=desc,max=50').reply(200, [release(5, {current: true}), release(4)])
      api().post('/apps/my-app/releases', {release: 'rel-4'}).reply(201, release(6, {description: 'Rollback to v4'}))
      const {stderr, exitCode} = await run(['releases:rollback', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.contain('Rolling back my-app to v4... done, v6')
    })

    it('skips releases whose release command failed: to the one before the current one that ran', async () => {
      api().get('/apps/my-app/releases').matchHeader('range', 'version ..; order=desc,max=50')
        .reply(200, [release(7, {status: 'failed'}), release(6, {current: true}), release(5, {status: 'failed'}), release(4)])
      api().post('/apps/my-app/releases', {release: 'rel-4'}).reply(201, release(8, {description: 'Rollback to v4'}))
      const {stderr, exitCode} = await run(['releases:rollback', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.contain('Rolling back my-app to v4... done, v8')
    })

    it('rolls back to a given version; --json prints the new release', async () => {
      api().get('/apps/my-app/releases/2').reply(200, release(2))
      api().post('/apps/my-app/releases', {release: 'rel-2'}).reply(201, release(7, {description: 'Rollback to v2'}))
      const {stdout} = await run(['rollback', 'v2', '-a', 'my-app', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal(release(7, {description: 'Rollback to v2'}))
    })

    it('fails with the platform\'s message on 422', async () => {
      api().get('/apps/my-app/releases/1').reply(200, release(1))
      api().post('/apps/my-app/releases', {release: 'rel-1'}).reply(422, {id: 'invalid_params', message: 'Cannot roll back to a release without a slug.'})
      const {stderr, exitCode} = await run(['releases:rollback', 'v1', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Cannot roll back to a release without a slug.')
    })

    it('says so when there is nothing to roll back to', async () => {
      api().get('/apps/my-app/releases').reply(200, [release(1)])
      const {stderr, exitCode} = await run(['releases:rollback', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('no earlier release')
    })
  })
})
