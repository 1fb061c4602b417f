// git push deploys against a real platform: real git over smart HTTP, real buildpack processes,
// real tarballs, on a server listening on an ephemeral port with a temp data dir.
import {expect} from 'chai'
import {execFileSync, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {createUser} from '../../../src/platform/bootstrap.js'
import {slugPath, unpackSlug} from '../../../src/platform/build/slug.js'
import {repoDir} from '../../../src/platform/git/repos.js'
import {findBuildById, insertBuild} from '../../../src/platform/store/builds.js'
import {authedUrl, commitAll, createAppRepo, gitEnvironment, mustGit, remoteLines, runGit, tempHome, writeFiles} from '../fixtures/deploy/git.js'
import {expectError, expectSchema, startTestPlatform, type TestPlatform} from '../helpers.js'

const FIXTURES = fileURLToPath(new URL('../fixtures/deploy/', import.meta.url))
const NODE_APP = {
  'package.json': JSON.stringify({name: 'hello', version: '1.0.0', scripts: {start: 'node server.js'}}, null, 2),
  'server.js': "require('node:http').createServer((req, res) => res.end('hello\\n')).listen(process.env.PORT)\n",
}

async function waitUntil(probe: () => boolean | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise(r => setTimeout(r, 50))
  }
}

describe('platform: git push deploys', function () {
  this.timeout(60_000)
  let t: TestPlatform
  let home: string
  const cleanup: string[] = []

  before(async () => {
    t = await startTestPlatform()
    home = tempHome()
    cleanup.push(home)
  })

  after(async () => {
    await t.close()
    for (const dir of cleanup) rmSync(dir, {recursive: true, force: true})
  })

  async function createApp(name: string): Promise<{git_url: string, id: string, name: string}> {
    const res = await t.client.post('/apps', {name})
    expect(res.status, res.text).to.equal(201)
    return res.body
  }

  async function appRepo(files: Record<string, string>): Promise<string> {
    const dir = await createAppRepo(home, files)
    cleanup.push(dir)
    return dir
  }

  const push = (dir: string, url: string, refspec = 'main') => runGit(['push', url, refspec], {cwd: dir, home})
  const releases = async (app: string) => (await t.client.get(`/apps/${app}/releases`)).body as {description: string, slug: null | {id: string}, version: number}[]
  const builds = async (app: string) => (await t.client.get(`/apps/${app}/builds`)).body as {id: string, output_stream_url: string, release: null | {id: string}, slug: null | {id: string}, status: string}[]

  describe('a Node.js app without dependencies', () => {
    let app: {git_url: string, id: string, name: string}
    let dir: string
    let sha: string
    let pushOutput: string

    before(async () => {
      app = await createApp('node-hello')
      dir = await appRepo(NODE_APP)
      sha = (await mustGit(['rev-parse', 'HEAD'], dir, home)).stdout.trim()
      const result = await push(dir, authedUrl(app.git_url, t.owner.token))
      pushOutput = result.output
      expect(result.code, result.output).to.equal(0)
    })

    it('streams the build to the pusher as remote: lines', () => {
      const lines = remoteLines(pushOutput)
      expect(lines).to.include('-----> Node.js app detected')
      expect(lines).to.include('       No dependencies in package.json: nothing to install')
      expect(lines).to.include('       Released v2')
      expect(lines.some(l => l.includes('http://node-hello.localhost:'))).to.equal(true)
      expect(pushOutput).to.match(/\* \[new branch\]\s+main -> main/)
    })

    it('records a succeeded build with its slug and release, and the complete output behind output_stream_url', async () => {
      const list = await t.client.get('/apps/node-hello/builds')
      expectSchema('build', 'GET', 'List', list.body)
      expect(list.body).to.have.length(1)
      const build = list.body[0]
      expect(build.status).to.equal('succeeded')
      expect(build.source_blob.version).to.equal(sha)
      expect(build.buildpacks).to.deep.equal([{url: 'heroku/nodejs', name: 'heroku/nodejs'}])
      const info = await t.client.get(`/apps/node-hello/builds/${build.id}`)
      expectSchema('build', 'GET', 'Info', info.body)
      const output = await fetch(build.output_stream_url)
      expect(output.status).to.equal(200)
      const text = await output.text()
      expect(text).to.contain('-----> Node.js app detected')
      expect(text).to.contain('Released v2')
    })

    it('creates a slug with the process types, commit and size, and a release "Deploy <sha>" running it', async () => {
      const [build] = await builds('node-hello')
      const slug = await t.client.get(`/apps/node-hello/slugs/${build.slug!.id}`)
      expectSchema('slug', 'GET', 'Info', slug.body)
      expect(slug.body.process_types).to.deep.equal({web: 'npm start'})
      expect(slug.body.commit).to.equal(sha)
      expect(slug.body.commit_description).to.equal('initial commit')
      expect(slug.body.buildpack_provided_description).to.equal('Node.js')
      expect(slug.body.size).to.be.greaterThan(0)
      expect(slug.body.checksum).to.match(/^SHA256:[0-9a-f]{64}$/)
      const list = await t.client.get('/apps/node-hello/releases')
      expectSchema('release', 'GET', 'List', list.body)
      const current = list.body.at(-1)
      expect(current).to.include({version: 2, description: `Deploy ${sha.slice(0, 8)}`, current: true})
      expect(current.slug).to.deep.equal({id: build.slug!.id})
      expect(current.id).to.equal(build.release!.id)
      const formation = await t.client.get('/apps/node-hello/formation')
      expect(formation.body.map((f: {command: string, type: string}) => [f.type, f.command])).to.deep.equal([['web', 'npm start']])
    })

    it('writes a slug tarball that unpacks to the app dir (no .git) with a .profile.d putting node on PATH', async () => {
      const [build] = await builds('node-hello')
      expect(existsSync(slugPath(t.dataDir, build.slug!.id))).to.equal(true)
      const target = mkdtempSync(join(tmpdir(), 'slug-'))
      cleanup.push(target)
      await unpackSlug(t.dataDir, build.slug!.id, target)
      expect(readdirSync(target).sort()).to.deep.equal(['.profile.d', 'package.json', 'server.js'])
      const profile = readFileSync(join(target, '.profile.d', 'nodejs.sh'), 'utf8')
      expect(profile).to.contain(join(process.execPath, '..'))
      // the process model: source .profile.d/*.sh in the app dir, then run the command with bash
      const out = execFileSync('bash', ['-c', 'for f in .profile.d/*.sh; do . "$f"; done; node -e "console.log(process.env.NODE_ENV)"'], {cwd: target, env: {PATH: '/usr/bin:/bin'}, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit']})
      expect(out.trim()).to.equal('production')
    })

    it('redeploys a one-line change as the next release; git clone of git_url gets the pushed code', async () => {
      writeFiles(dir, {'server.js': `${NODE_APP['server.js']}// changed\n`})
      const next = await commitAll(dir, home, 'one-line change')
      const result = await push(dir, authedUrl(app.git_url, t.owner.token))
      expect(result.code, result.output).to.equal(0)
      expect(remoteLines(result.output)).to.include('       Released v3')
      expect((await releases('node-hello')).at(-1)!.description).to.equal(`Deploy ${next.slice(0, 8)}`)

      const clone = mkdtempSync(join(tmpdir(), 'deploy-clone-'))
      cleanup.push(clone)
      const cloned = await runGit(['clone', '--quiet', authedUrl(app.git_url, t.owner.token), clone], {home})
      expect(cloned.code, cloned.output).to.equal(0)
      expect(readFileSync(join(clone, 'server.js'), 'utf8')).to.contain('// changed')
      expect((await mustGit(['rev-parse', 'HEAD'], clone, home)).stdout.trim()).to.equal(next)
    })

    it('keeps working after a rename (the repository is keyed by app id)', async () => {
      const renamed = await t.client.patch('/apps/node-hello', {name: 'node-renamed'})
      expect(renamed.status, renamed.text).to.equal(200)
      writeFiles(dir, {'README.md': 'renamed\n'})
      await commitAll(dir, home, 'after rename')
      const result = await push(dir, authedUrl(renamed.body.git_url, t.owner.token))
      expect(result.code, result.output).to.equal(0)
      expect(remoteLines(result.output)).to.include('       Released v4')
      expect(existsSync(repoDir(t.dataDir, app.id))).to.equal(true)
      await t.client.patch('/apps/node-renamed', {name: 'node-hello'})
    })
  })

  describe('Procfile and buildpack detection', () => {
    it('merges the Procfile over the buildpack defaults', async () => {
      const app = await createApp('with-procfile')
      const dir = await appRepo({...NODE_APP, Procfile: '# processes\nweb: node server.js --port $PORT\n\nworker: node server.js --worker\n'})
      const result = await push(dir, authedUrl(app.git_url, t.owner.token))
      expect(result.code, result.output).to.equal(0)
      expect(remoteLines(result.output)).to.include('       Procfile declares types -> web, worker')
      const [build] = await builds('with-procfile')
      const slug = await t.client.get(`/apps/with-procfile/slugs/${build.slug!.id}`)
      expect(slug.body.process_types).to.deep.equal({web: 'node server.js --port $PORT', worker: 'node server.js --worker'})
    })

    it('fails the build on a bad Procfile, naming the line; nothing is released and the ref does not move', async () => {
      const app = await createApp('bad-procfile')
      const dir = await appRepo({...NODE_APP, Procfile: 'web: node server.js\nweb worker: node w.js\n'})
      const result = await push(dir, authedUrl(app.git_url, t.owner.token))
      expect(result.code).to.not.equal(0)
      expect(result.output).to.contain('Invalid Procfile: Procfile line 2: invalid process type "web worker"')
      expect(result.output).to.contain('[remote rejected] main -> main (pre-receive hook declined)')
      expect((await releases('bad-procfile')).map(r => r.version)).to.deep.equal([1])
      expect((await builds('bad-procfile')).map(b => b.status)).to.deep.equal(['failed'])
      const refs = await runGit(['ls-remote', authedUrl(app.git_url, t.owner.token)], {home})
      expect(refs.code, refs.output).to.equal(0)
      expect(refs.stdout).to.equal('')
    })

    it('refuses a Procfile or .slugignore that is a symbolic link (it could name any file of the machine); the file never leaks', async () => {
      const outside = mkdtempSync(join(tmpdir(), 'procfile-target-'))
      const secret = join(outside, 'secret')
      writeFileSync(secret, 'web: node LEAKED-HOST-FILE-CONTENT.js\n')
      try {
        for (const name of ['Procfile', '.slugignore']) {
          const appName = name === 'Procfile' ? 'linked-procfile' : 'linked-slugignore'
          const app = await createApp(appName)
          const dir = await appRepo(NODE_APP)
          symlinkSync(secret, join(dir, name))
          await mustGit(['add', '-A'], dir, home)
          await mustGit(['commit', '-q', '-m', `${name} as a link`], dir, home)
          const result = await push(dir, authedUrl(app.git_url, t.owner.token))
          expect(result.code, result.output).to.not.equal(0)
          expect(result.output).to.contain(`${name} is a symbolic link: it must be a regular file of the app.`)
          expect(result.output).to.not.contain('LEAKED-HOST-FILE-CONTENT')
          expect((await releases(appName)).map(r => r.version)).to.deep.equal([1])
        }
      } finally {
        rmSync(outside, {recursive: true, force: true})
      }
    })

    it('detects a static site and serves it with the buildpack\'s server, run the way the process model says', async () => {
      const app = await createApp('static-site')
      const dir = await appRepo({'index.html': '<h1>static</h1>\n', '.hidden': 'secret\n'})
      const result = await push(dir, authedUrl(app.git_url, t.owner.token))
      expect(result.code, result.output).to.equal(0)
      expect(remoteLines(result.output)).to.include('-----> Static site app detected')
      const [build] = await builds('static-site')
      const slug = await t.client.get(`/apps/static-site/slugs/${build.slug!.id}`)
      expect(slug.body.process_types).to.deep.equal({web: 'node .heroku-static/server.mjs'})
      const target = mkdtempSync(join(tmpdir(), 'slug-'))
      cleanup.push(target)
      await unpackSlug(t.dataDir, build.slug!.id, target)
      // PORT=0: the server picks a free port and says which
      const child = spawn('bash', ['-c', `for f in .profile.d/*.sh; do . "$f"; done; exec ${slug.body.process_types.web}`], {cwd: target, env: {PATH: '/usr/bin:/bin', PORT: '0'}, stdio: ['ignore', 'pipe', 'inherit']})
      try {
        const said = await new Promise<string>(resolve => child.stdout.setEncoding('utf8').once('data', resolve))
        const port = Number(/listening on port (\d+)/.exec(said)?.[1])
        expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).to.equal('<h1>static</h1>\n')
        expect((await fetch(`http://127.0.0.1:${port}/.hidden`)).status).to.equal(404)
      } finally {
        child.kill()
      }
    })

    it('leaves out what .slugignore names (.gitignore patterns) before the build', async () => {
      const app = await createApp('slugignored')
      const dir = await appRepo({
        Procfile: 'web: sleep 1000\n', '.slugignore': '# big stuff\n*.psd\n/docs\ntmp/\n',
        'keep.txt': 'k', 'art.psd': 'p', 'sub/more.psd': 'p', 'docs/guide.md': 'd', 'src/docs/kept.md': 'k', 'tmp/scratch': 't', 'src/tmp/also-gone': 't',
      })
      const result = await push(dir, authedUrl(app.git_url, t.owner.token))
      expect(result.code, result.output).to.equal(0)
      expect(remoteLines(result.output), result.output).to.include('-----> Removed 5 paths matching .slugignore')
      const [build] = await builds('slugignored')
      const target = mkdtempSync(join(tmpdir(), 'slug-'))
      cleanup.push(target)
      await unpackSlug(t.dataDir, build.slug!.id, target)
      const listing = execFileSync('find', ['.', '-type', 'f'], {cwd: target, encoding: 'utf8'}).split('\n').filter(Boolean).sort()
      expect(listing).to.deep.equal(['./.slugignore', './Procfile', './keep.txt', './src/docs/kept.md'])
    })

    it('uses the procfile buildpack for an app with only a Procfile, and refuses an app nothing detects', async () => {
      const app = await createApp('only-procfile')
      const dir = await appRepo({Procfile: 'worker: sh -c "sleep 1000"\n'})
      const result = await push(dir, authedUrl(app.git_url, t.owner.token))
      expect(result.code, result.output).to.equal(0)
      expect(remoteLines(result.output)).to.include('-----> Procfile app detected')
      expect(remoteLines(result.output)).to.include('       No web process type: the app gets no HTTP traffic (add "web: <command>" to a Procfile).')

      const other = await createApp('undetectable')
      const plain = await appRepo({'notes.txt': 'nothing to run\n'})
      const refused = await push(plain, authedUrl(other.git_url, t.owner.token))
      expect(refused.code).to.not.equal(0)
      expect(refused.output).to.contain('No default language could be detected for this app')
    })
  })

  describe('failing builds', () => {
    it('a compile error fails the push with the reason and leaves the current release running', async () => {
      const app = await createApp('compile-error')
      const dir = await appRepo(NODE_APP)
      const url = authedUrl(app.git_url, t.owner.token)
      expect((await push(dir, url)).code).to.equal(0)
      const before = await releases('compile-error')
      writeFiles(dir, {'package.json': '{"name": "broken",'})
      await commitAll(dir, home, 'break package.json')
      const result = await push(dir, url)
      expect(result.code).to.not.equal(0)
      const lines = remoteLines(result.output)
      expect(lines.some(l => l.includes('package.json is not valid JSON'))).to.equal(true)
      expect(lines).to.include(' !     Failed to compile the app: heroku/nodejs bin/compile exited with 1.')
      expect(lines).to.include(' !     Push rejected, failed to build Node.js app. The app keeps running its current release.')
      expect(await releases('compile-error')).to.deep.equal(before)
      // builds list in id order (random uuids), not in time order
      const list = await builds('compile-error')
      expect(list.map(b => b.status).sort()).to.deep.equal(['failed', 'succeeded'])
      const failed = list.find(b => b.status === 'failed')!
      expect(failed.slug).to.equal(null)
      expect(failed.release).to.equal(null)
      expect(await (await fetch(failed.output_stream_url)).text()).to.contain('package.json is not valid JSON')
    })

    it('a buildpack set for the app runs instead of detection; its stderr reaches the pusher', async () => {
      const app = await createApp('custom-pack')
      const put = await t.client.request('PUT', '/apps/custom-pack/buildpack-installations', {body: {updates: [{buildpack: join(FIXTURES, 'buildpacks', 'failing')}]}})
      expect(put.status, put.text).to.equal(200)
      const dir = await appRepo(NODE_APP)
      const result = await push(dir, authedUrl(app.git_url, t.owner.token))
      expect(result.code).to.not.equal(0)
      const lines = remoteLines(result.output)
      expect(lines).to.include('-----> Failing test app detected')
      expect(lines).to.include('compile went wrong: missing frobnicator')
      expect(lines.some(l => l.includes('bin/compile exited with 3'))).to.equal(true)
      expect((await releases('custom-pack')).map(r => r.version)).to.deep.equal([1])
    })
  })

  describe('what a buildpack gets', () => {
    it('ENV_DIR with the config vars as files, STACK and SOURCE_VERSION, a cache kept between builds, no .git, none of the platform\'s environment', async () => {
      const app = await createApp('env-echo')
      expect((await t.client.patch('/apps/env-echo/config-vars', {GREETING: 'hello there', OTHER: 'x'})).status).to.equal(200)
      await t.client.request('PUT', '/apps/env-echo/buildpack-installations', {body: {updates: [{buildpack: join(FIXTURES, 'buildpacks', 'env-echo')}]}})
      const dir = await appRepo({'README.md': 'env\n'})
      const sha = (await mustGit(['rev-parse', 'HEAD'], dir, home)).stdout.trim()
      process.env.PLATFORM_SECRET = 'do-not-leak'
      try {
        const first = await push(dir, authedUrl(app.git_url, t.owner.token))
        expect(first.code, first.output).to.equal(0)
        const lines = remoteLines(first.output)
        expect(lines).to.include('GREETING from ENV_DIR: hello there')
        expect(lines).to.include('config vars in ENV_DIR: GREETING OTHER')
        expect(lines).to.include(`STACK=heroku-24 SOURCE_VERSION=${sha}`)
        expect(lines).to.include('GREETING in the environment: unset')
        expect(lines).to.include('platform secrets in the environment: none')
        expect(lines).to.include('cache: empty')
        expect(lines.some(l => l.includes('.git dir'))).to.equal(false)
      } finally {
        delete process.env.PLATFORM_SECRET
      }

      writeFiles(dir, {'README.md': 'env 2\n'})
      await commitAll(dir, home, 'second')
      const second = await push(dir, authedUrl(app.git_url, t.owner.token))
      expect(remoteLines(second.output).some(l => /^cache: built \d+$/.test(l)), second.output).to.equal(true)
    })
  })

  describe('access', () => {
    it('refuses a push without credentials (401, git asks for them) and writes nothing', async () => {
      const app = await createApp('no-creds')
      const dir = await appRepo(NODE_APP)
      const result = await push(dir, app.git_url)
      expect(result.code).to.not.equal(0)
      expect(result.output).to.match(/could not read Username|Authentication failed/)
      const res = await fetch(`${app.git_url}/info/refs?service=git-receive-pack`)
      expect(res.status).to.equal(401)
      expect(res.headers.get('www-authenticate')).to.equal('Basic realm="heroku"')
      const bad = await push(dir, authedUrl(app.git_url, 'not-a-token'))
      expect(bad.code).to.not.equal(0)
      expect(existsSync(repoDir(t.dataDir, app.id))).to.equal(false)
      expect(await builds('no-creds')).to.deep.equal([])
    })

    it('takes the token from `heroku git:credentials` as git\'s credential helper (the real CLI)', async () => {
      const app = await createApp('via-helper')
      const dir = await appRepo(NODE_APP)
      const helperHome = tempHome()
      cleanup.push(helperHome)
      const tsx = fileURLToPath(new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url))
      const cli = fileURLToPath(new URL('../../../bin/dev.js', import.meta.url))
      const {origin} = new URL(app.git_url)
      writeFileSync(join(helperHome, '.gitconfig'), `[credential "${origin}"]\n\thelper = !'${process.execPath}' --import '${tsx}' --no-warnings '${cli}' git:credentials\n`)
      const env = {HEROKU_API_URL: t.platform.url, HEROKU_API_KEY: t.owner.token, XDG_CONFIG_HOME: join(helperHome, 'config'), XDG_DATA_HOME: join(helperHome, 'data')}
      const result = await runGit(['push', app.git_url, 'main'], {cwd: dir, home: helperHome, env})
      expect(result.code, result.output).to.equal(0)
      expect(remoteLines(result.output)).to.include('       Released v2')
    })

    it('refuses a push to another account\'s app, and to a missing app, the same way (403), writing nothing', async () => {
      const app = await createApp('owners-only')
      const intruder = await createUser(t.platform.store, {email: 'intruder@example.com', password: 'intruder password'})
      const dir = await appRepo(NODE_APP)
      const result = await push(dir, authedUrl(app.git_url, intruder.token))
      expect(result.code).to.not.equal(0)
      expect(result.output).to.contain('You do not have access to the app owners-only, or it does not exist.')
      const missing = await push(dir, authedUrl(app.git_url.replace('owners-only', 'no-such-app'), intruder.token))
      expect(missing.output).to.contain('You do not have access to the app no-such-app, or it does not exist.')
      const clone = await runGit(['ls-remote', authedUrl(app.git_url, intruder.token)], {home})
      expect(clone.code).to.not.equal(0)
      expect(existsSync(repoDir(t.dataDir, app.id))).to.equal(false)
      expect(await builds('owners-only')).to.deep.equal([])
    })

    it('refuses a push to a branch other than main or master, and deploys from master', async () => {
      const app = await createApp('branches')
      const dir = await appRepo(NODE_APP)
      const url = authedUrl(app.git_url, t.owner.token)
      const result = await push(dir, url, 'main:feature')
      expect(result.code).to.not.equal(0)
      expect(remoteLines(result.output)).to.include(' !     Pushed feature: push to main or master to deploy (git push heroku HEAD:main).')
      expect((await runGit(['ls-remote', url], {home})).stdout).to.equal('')
      expect(await builds('branches')).to.deep.equal([])
      const master = await push(dir, url, 'main:master')
      expect(master.code, master.output).to.equal(0)
      const clone = mkdtempSync(join(tmpdir(), 'deploy-clone-'))
      cleanup.push(clone)
      const cloned = await runGit(['clone', '--quiet', url, clone], {home})
      expect(cloned.code, cloned.output).to.equal(0)
      expect((await mustGit(['rev-parse', '--abbrev-ref', 'HEAD'], clone, home)).stdout.trim()).to.equal('master')
    })

    it('removes the repository, build cache and slugs when the app is deleted', async () => {
      const app = await createApp('short-lived')
      const dir = await appRepo(NODE_APP)
      expect((await push(dir, authedUrl(app.git_url, t.owner.token))).code).to.equal(0)
      expect(existsSync(repoDir(t.dataDir, app.id))).to.equal(true)
      const [build] = await builds('short-lived')
      const tarball = slugPath(t.dataDir, build.slug!.id)
      expect(existsSync(tarball)).to.equal(true)
      expect((await t.client.delete('/apps/short-lived')).status).to.equal(200)
      for (let i = 0; i < 50 && (existsSync(repoDir(t.dataDir, app.id)) || existsSync(tarball)); i++) await new Promise(r => setTimeout(r, 20))
      expect(existsSync(repoDir(t.dataDir, app.id))).to.equal(false)
      expect(existsSync(tarball), 'the slug tarball').to.equal(false)
      expect(existsSync(join(t.dataDir, 'cache', app.id)), 'the build cache').to.equal(false)
    })
  })

  describe('concurrent pushes and live output', () => {
    it('refuses a second push while a build runs, and streams the running build at output_stream_url', async () => {
      const app = await createApp('busy-app')
      const put = await t.client.request('PUT', '/apps/busy-app/buildpack-installations', {body: {updates: [{buildpack: `file://${join(FIXTURES, 'buildpacks', 'slow')}`}]}})
      expect(put.status, put.text).to.equal(200)
      const gate = join(mkdtempSync(join(tmpdir(), 'gate-')), 'open')
      cleanup.push(join(gate, '..'))
      const first = await appRepo({'version.txt': 'first\n', gate})
      const second = await appRepo({'version.txt': 'second\n', gate})
      const url = authedUrl(app.git_url, t.owner.token)

      const firstPush = push(first, url)
      let running: undefined | {id: string, output_stream_url: string}
      for (let i = 0; i < 200 && running === undefined; i++) {
        running = (await builds('busy-app')).find(b => b.status === 'pending')
        if (running === undefined) await new Promise(r => setTimeout(r, 25))
      }

      expect(running, 'a pending build').to.not.equal(undefined)
      const live = await fetch(running!.output_stream_url)
      const reader = live.body!.getReader()
      let seen = ''
      while (!seen.includes('slow buildpack compiling first')) seen += new TextDecoder().decode((await reader.read()).value)

      const secondPush = await push(second, url)
      expect(secondPush.code).to.not.equal(0)
      expect(remoteLines(secondPush.output)).to.include(' !     Another build is running for busy-app: wait for it to finish, then push again.')

      // the output so far reaches the build record while the build runs (a crash keeps it)
      await waitUntil(() => findBuildById(t.platform.store, running!.id)?.output.includes('slow buildpack compiling first'), 5000)

      writeFileSync(gate, '')
      const firstResult = await firstPush
      expect(firstResult.code, firstResult.output).to.equal(0)
      for (;;) {
        const {value, done} = await reader.read()
        if (done) break
        seen += new TextDecoder().decode(value)
      }

      expect(seen).to.contain('slow buildpack done')
      expect(seen).to.contain('Released v2')
      expect((await builds('busy-app')).map(b => b.status)).to.deep.equal(['succeeded'])
    })
  })

  describe('git protocol', () => {
    it('serves a fetch whose negotiation git sends gzip-compressed (Content-Encoding: gzip)', async () => {
      const app = await createApp('gzip-fetch')
      const url = authedUrl(app.git_url, t.owner.token)
      const dir = await appRepo({Procfile: 'web: sleep 1000\n'})
      expect((await push(dir, url)).code).to.equal(0)
      const other = mkdtempSync(join(tmpdir(), 'deploy-clone-'))
      cleanup.push(other)
      expect((await runGit(['clone', '--quiet', url, other], {home})).code).to.equal(0)
      writeFiles(other, {'b.txt': 'b\n'})
      const theirs = await commitAll(other, home, 'their change')
      expect((await push(other, url)).code).to.equal(0)
      // 60 local commits the platform lacks: their "have" lines exceed 1 KB, which git gzips
      execFileSync('sh', ['-c', 'for i in $(seq 60); do git commit --quiet --allow-empty -m "local $i"; done'], {cwd: dir, env: gitEnvironment(home), stdio: 'ignore'})
      const fetched = await runGit(['fetch', url, 'main'], {cwd: dir, home, env: {GIT_TRACE_CURL: '1', GIT_TRACE_CURL_NO_DATA: '1'}})
      expect(fetched.code, fetched.output.slice(-2000)).to.equal(0)
      expect(fetched.output).to.contain('Content-Encoding: gzip')
      expect((await mustGit(['rev-parse', 'FETCH_HEAD'], dir, home)).stdout.trim()).to.equal(theirs)
    })
  })

  describe('restarts', () => {
    it('marks a build that a stopped platform left pending as failed', async () => {
      const other = await startTestPlatform()
      try {
        const app = (await other.client.post('/apps', {name: 'interrupted'})).body
        other.platform.store.transaction(() => {
          insertBuild(other.platform.store, {appId: app.id, userId: other.owner.account.id, sourceBlob: {url: app.git_url, version: 'a'.repeat(40), checksum: null, version_description: null}, buildpacks: null})
        })
        await other.platform.close()
        const restarted = await startTestPlatform({dataDir: other.dataDir})
        try {
          const list = (await restarted.client.withToken(other.owner.token).get('/apps/interrupted/builds')).body as {output_stream_url: string, status: string}[]
          expect(list.map(b => b.status)).to.deep.equal(['failed'])
          expect(await (await fetch(list[0].output_stream_url)).text()).to.contain('The platform stopped during this build.')
        } finally {
          await restarted.close()
        }
      } finally {
        await other.close()
      }
    })
  })

  describe('the buildpack-installations API', () => {
    it('lists, sets and clears an app\'s buildpacks; refuses what it cannot use', async () => {
      await createApp('bp-api')
      const empty = await t.client.get('/apps/bp-api/buildpack-installations')
      expectSchema('buildpack-installation', 'GET', 'List', empty.body)
      expect(empty.body).to.deep.equal([])
      const set = await t.client.request('PUT', '/apps/bp-api/buildpack-installations', {body: {updates: [{buildpack: 'heroku/nodejs'}, {buildpack: 'https://github.com/heroku/heroku-buildpack-static'}]}})
      expect(set.status, set.text).to.equal(200)
      expectSchema('buildpack-installation', 'PUT', 'Update', set.body)
      expect(set.body).to.deep.equal([
        {ordinal: 0, buildpack: {url: 'heroku/nodejs', name: 'heroku/nodejs'}},
        {ordinal: 1, buildpack: {url: 'https://github.com/heroku/heroku-buildpack-static', name: 'heroku/static'}},
      ])
      expect((await t.client.get('/apps/bp-api/buildpack-installations')).body).to.deep.equal(set.body)
      const remote = await t.client.request('PUT', '/apps/bp-api/buildpack-installations', {body: {updates: [{buildpack: 'https://github.com/someone/heroku-buildpack-go'}]}})
      expectError(remote, 422, 'invalid_params')
      expect(remote.body.message).to.contain('does not download buildpacks')
      expectError(await t.client.request('PUT', '/apps/bp-api/buildpack-installations', {body: {updates: [{buildpack: 'heroku/cobol'}]}}), 422, 'invalid_params')
      expectError(await t.client.request('PUT', '/apps/bp-api/buildpack-installations', {body: {updates: [{buildpack: '/nonexistent/pack'}]}}), 422, 'invalid_params')
      expect((await t.client.get('/apps/bp-api/buildpack-installations')).body).to.deep.equal(set.body)
      const cleared = await t.client.request('PUT', '/apps/bp-api/buildpack-installations', {body: {updates: []}})
      expect(cleared.body).to.deep.equal([])
    })
  })
})
