import {expect} from 'chai'

import {api, run, useIsolatedEnv} from '../../helpers/cli.js'

const PATH = '/apps/my-app/buildpack-installations'
const installed = (...urls: string[]) => urls.map((url, ordinal) => ({buildpack: {name: url, url}, ordinal}))
const updates = (...urls: string[]) => ({updates: urls.map(buildpack => ({buildpack}))})

describe('buildpacks', () => {
  useIsolatedEnv()

  describe('buildpacks (list)', () => {
    it('shows a single buildpack, several numbered in order, or none', async () => {
      api().get(PATH).reply(200, installed('heroku/nodejs'))
      expect((await run(['buildpacks', '-a', 'my-app'])).stdout).to.equal('=== my-app Buildpack URL\nheroku/nodejs\n')

      api().get(PATH).reply(200, [installed('x', 'heroku/static')[1], installed('heroku/nodejs')[0]])
      expect((await run(['buildpacks', '-a', 'my-app'])).stdout).to.equal('=== my-app Buildpack URLs\n1. heroku/nodejs\n2. heroku/static\n')

      api().get(PATH).reply(200, [])
      const none = await run(['buildpacks', '-a', 'my-app'])
      expect(none.exitCode).to.equal(0)
      expect(none.stdout).to.equal('my-app has no Buildpack URL set.\n')
    })

    it('--json prints the installations', async () => {
      api().get(PATH).reply(200, installed('heroku/nodejs'))
      const {stdout, exitCode} = await run(['buildpacks', '-a', 'my-app', '--json'])
      expect(exitCode).to.equal(0)
      expect(JSON.parse(stdout)).to.deep.equal(installed('heroku/nodejs'))
    })

    it('reports an unknown app', async () => {
      api().get('/apps/nope/buildpack-installations').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      const {stderr, exitCode} = await run(['buildpacks', '-a', 'nope'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Couldn\'t find that app.')
    })
  })

  describe('buildpacks:set', () => {
    it('sets the first buildpack and says what the next release uses', async () => {
      api().get(PATH).reply(200, [])
      api().put(PATH, updates('heroku/nodejs')).reply(200, installed('heroku/nodejs'))
      const {stdout, exitCode} = await run(['buildpacks:set', 'heroku/nodejs', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal('Buildpack set. Next release on my-app will use heroku/nodejs.\nRun git push heroku main to create a new release using this buildpack.\n')
    })

    it('replaces the buildpack at --index, keeping the others', async () => {
      api().get(PATH).reply(200, installed('heroku/nodejs', 'heroku/static'))
      api().put(PATH, updates('heroku/nodejs', 'file:///opt/pack')).reply(200, installed('heroku/nodejs', 'file:///opt/pack'))
      const {stdout} = await run(['buildpacks:set', 'file:///opt/pack', '-i', '2', '-a', 'my-app'])
      expect(stdout).to.equal([
        'Buildpack set. Next release on my-app will use:',
        '  1. heroku/nodejs',
        '  2. file:///opt/pack',
        'Run git push heroku main to create a new release using these buildpacks.',
        '',
      ].join('\n'))
    })

    it('refuses a buildpack that is already set, and an index out of range, before any change', async () => {
      api().get(PATH).reply(200, installed('heroku/nodejs', 'heroku/static'))
      const duplicate = await run(['buildpacks:set', 'heroku/static', '-a', 'my-app'])
      expect(duplicate.exitCode).to.equal(1)
      expect(duplicate.stderr).to.contain('The buildpack heroku/static is already set on your app.')
      api().get(PATH).reply(200, installed('heroku/nodejs'))
      const index = await run(['buildpacks:set', 'heroku/static', '-i', '5', '-a', 'my-app'])
      expect(index.exitCode).to.equal(2)
      expect(index.stderr).to.contain('Invalid index. Please choose a value between 1 and 2.')
    })

    it('shows the platform\'s reason for a buildpack it cannot use', async () => {
      api().get(PATH).reply(200, [])
      api().put(PATH, updates('https://github.com/x/y')).reply(422, {id: 'invalid_params', message: 'updates[0]: Cannot use https://github.com/x/y: this platform does not download buildpacks.'})
      const {stderr, exitCode} = await run(['buildpacks:set', 'https://github.com/x/y', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('this platform does not download buildpacks')
    })
  })

  describe('buildpacks:add', () => {
    it('appends by default, inserts at --index, and --json prints the new list', async () => {
      api().get(PATH).reply(200, installed('heroku/nodejs'))
      api().put(PATH, updates('heroku/nodejs', 'heroku/static')).reply(200, installed('heroku/nodejs', 'heroku/static'))
      const appended = await run(['buildpacks:add', 'heroku/static', '-a', 'my-app'])
      expect(appended.exitCode).to.equal(0)
      expect(appended.stdout).to.contain('Buildpack added. Next release on my-app will use:\n  1. heroku/nodejs\n  2. heroku/static\n')

      api().get(PATH).reply(200, installed('heroku/nodejs'))
      api().put(PATH, updates('heroku/static', 'heroku/nodejs')).reply(200, installed('heroku/static', 'heroku/nodejs'))
      const inserted = await run(['buildpacks:add', 'heroku/static', '--index', '1', '-a', 'my-app', '--json'])
      expect(JSON.parse(inserted.stdout)).to.deep.equal(installed('heroku/static', 'heroku/nodejs'))
    })

    it('refuses a buildpack that is already there', async () => {
      api().get(PATH).reply(200, installed('heroku/nodejs'))
      const {stderr, exitCode} = await run(['buildpacks:add', 'heroku/nodejs', '-a', 'my-app'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('The buildpack heroku/nodejs is already set on your app.')
    })
  })

  describe('buildpacks:remove', () => {
    it('removes by URL and by --index', async () => {
      api().get(PATH).reply(200, installed('heroku/nodejs', 'heroku/static'))
      api().put(PATH, updates('heroku/static')).reply(200, installed('heroku/static'))
      const byUrl = await run(['buildpacks:remove', 'heroku/nodejs', '-a', 'my-app'])
      expect(byUrl.exitCode).to.equal(0)
      expect(byUrl.stdout).to.equal('Buildpack removed. Next release on my-app will use heroku/static.\nRun git push heroku main to create a new release using this buildpack.\n')

      api().get(PATH).reply(200, installed('heroku/static'))
      api().put(PATH, updates()).reply(200, [])
      const byIndex = await run(['buildpacks:remove', '-i', '1', '-a', 'my-app'])
      expect(byIndex.stdout).to.equal('Buildpack removed. Next release on my-app will detect buildpacks normally.\n')
    })

    it('says when the buildpack is not there, and needs a URL or --index (usage error, no request)', async () => {
      api().get(PATH).reply(200, installed('heroku/nodejs'))
      const missing = await run(['buildpacks:remove', 'heroku/static', '-a', 'my-app'])
      expect(missing.exitCode).to.equal(1)
      expect(missing.stderr).to.contain('Buildpack not found. Nothing was removed.')
      const neither = await run(['buildpacks:remove', '-a', 'my-app'])
      expect(neither.exitCode).to.equal(2)
      expect(neither.stderr).to.contain('Give either a buildpack URL or --index')
    })
  })

  describe('buildpacks:clear', () => {
    it('clears them all', async () => {
      api().put(PATH, updates()).reply(200, [])
      const {stdout, exitCode} = await run(['buildpacks:clear', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal('Buildpacks cleared. Next release on my-app will detect buildpacks normally.\n')
    })
  })
})
