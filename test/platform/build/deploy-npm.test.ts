// The Node.js buildpack with real npm and no network: a dependency from a local tarball (file:),
// installed with npm ci from the lockfile, then reused from the app's cache on the next build.
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {unpackSlug} from '../../../src/platform/build/slug.js'
import {authedUrl, commitAll, createAppRepo, remoteLines, runGit, tempHome, writeFiles} from '../fixtures/deploy/git.js'
import {startTestPlatform, type TestPlatform} from '../helpers.js'

describe('platform: git push deploys of a Node.js app with dependencies', function () {
  this.timeout(120_000)
  let t: TestPlatform
  let home: string
  let work: string

  before(async () => {
    t = await startTestPlatform()
    home = tempHome()
    work = mkdtempSync(join(tmpdir(), 'deploy-npm-'))
  })

  after(async () => {
    await t.close()
    rmSync(home, {recursive: true, force: true})
    rmSync(work, {recursive: true, force: true})
  })

  it('installs a file: dependency with npm ci, then reuses the cached node_modules for a one-line change', async () => {
    const depDir = join(work, 'local-dep')
    writeFiles(depDir, {
      'package.json': JSON.stringify({name: 'local-dep', version: '1.0.0', main: 'index.js'}),
      'index.js': "module.exports = () => 'from local-dep'\n",
    })
    const npmEnv = {...process.env, npm_config_cache: join(work, 'npm-cache'), npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false'}
    // the tarball is part of the app (a build sees only the app, as on Heroku)
    const files = {
      'package.json': JSON.stringify({name: 'with-deps', version: '1.0.0', scripts: {start: 'node server.js'}, dependencies: {'local-dep': 'file:vendor/local-dep-1.0.0.tgz'}}, null, 2),
      'server.js': "console.log(require('local-dep')())\n",
      '.gitignore': 'node_modules\n',
    }
    const dir = await createAppRepo(home, files, work)
    mkdirSync(join(dir, 'vendor'))
    execFileSync('npm', ['pack', '--silent', '--pack-destination', join(dir, 'vendor')], {cwd: depDir, env: npmEnv})
    expect(existsSync(join(dir, 'vendor', 'local-dep-1.0.0.tgz'))).to.equal(true)
    execFileSync('npm', ['install', '--package-lock-only', '--offline'], {cwd: dir, env: npmEnv, stdio: 'ignore'})
    await commitAll(dir, home, 'lockfile')

    const app = (await t.client.post('/apps', {name: 'with-deps'})).body
    const url = authedUrl(app.git_url, t.owner.token)
    const first = await runGit(['push', url, 'main'], {cwd: dir, home})
    expect(first.code, first.output).to.equal(0)
    const firstLines = remoteLines(first.output)
    expect(firstLines).to.include('       Installing with npm ci (package-lock.json)')

    const builds = (await t.client.get('/apps/with-deps/builds')).body
    const target = mkdtempSync(join(work, 'slug-'))
    await unpackSlug(t.dataDir, builds[0].slug.id, target)
    expect(readFileSync(join(target, 'node_modules', 'local-dep', 'index.js'), 'utf8')).to.contain('from local-dep')
    const ran = execFileSync('bash', ['-c', 'for f in .profile.d/*.sh; do . "$f"; done; exec node server.js'], {cwd: target, env: {PATH: '/usr/bin:/bin'}, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit']})
    expect(ran.trim()).to.equal('from local-dep')

    writeFiles(dir, {'server.js': `${files['server.js']}// one more line\n`})
    await commitAll(dir, home, 'one-line change')
    const started = Date.now()
    const second = await runGit(['push', url, 'main'], {cwd: dir, home})
    const elapsed = Date.now() - started
    expect(second.code, second.output).to.equal(0)
    const secondLines = remoteLines(second.output)
    expect(secondLines).to.include('       package.json and lockfile unchanged: reusing the cached node_modules')
    expect(secondLines.some(l => l.includes('npm ci'))).to.equal(false)
    expect(secondLines).to.include('       Released v3')
    expect(elapsed).to.be.lessThan(5000)

    // a changed dependency set invalidates the cache: npm runs again
    writeFileSync(join(dir, 'package.json'), JSON.stringify({...JSON.parse(files['package.json']), dependencies: {}}, null, 2))
    execFileSync('npm', ['install', '--package-lock-only', '--offline'], {cwd: dir, env: npmEnv, stdio: 'ignore'})
    await commitAll(dir, home, 'drop the dependency')
    const third = await runGit(['push', url, 'main'], {cwd: dir, home})
    expect(third.code, third.output).to.equal(0)
    expect(remoteLines(third.output)).to.include('       No dependencies in package.json: nothing to install')
  })
})
