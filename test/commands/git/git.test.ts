import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {api, isolatedEnv, run} from '../../helpers/cli.js'

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, {cwd, encoding: 'utf8'})

function app(name: string, gitUrl: string) {
  return {git_url: gitUrl, id: `id-${name}`, name, web_url: `https://${name}.example.test/`}
}

describe('git', () => {
  let restore: () => void
  let dir: string
  let previous: string

  before(async () => {
    // load the CLI config from the project root before any test changes directory
    await run(['--version'])
  })

  beforeEach(() => {
    restore = isolatedEnv()
    previous = process.cwd()
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'heroku-git-')))
    process.chdir(dir)
  })

  afterEach(() => {
    process.chdir(previous)
    rmSync(dir, {force: true, recursive: true})
    restore()
  })

  describe('git:remote', () => {
    it('adds the heroku remote from app.git_url, then updates it', async () => {
      git(dir, 'init', '-q')
      api().get('/apps/my-app').reply(200, app('my-app', 'https://git.heroku.test/my-app.git'))
      const added = await run(['git:remote', '-a', 'my-app'])
      expect(added.exitCode).to.equal(0)
      expect(added.stdout).to.equal('Git remote heroku added: https://git.heroku.test/my-app.git\n')
      expect(git(dir, 'remote', '-v')).to.equal('heroku\thttps://git.heroku.test/my-app.git (fetch)\nheroku\thttps://git.heroku.test/my-app.git (push)\n')

      api().get('/apps/other').reply(200, app('other', 'https://git.heroku.test/other.git'))
      const updated = await run(['git:remote', '-a', 'other', '--json'])
      expect(JSON.parse(updated.stdout)).to.deep.equal({action: 'updated', app: 'other', remote: 'heroku', url: 'https://git.heroku.test/other.git'})
      expect(git(dir, 'remote', 'get-url', 'heroku').trim()).to.equal('https://git.heroku.test/other.git')
    })

    it('names the remote with -r', async () => {
      git(dir, 'init', '-q')
      api().get('/apps/my-app').reply(200, app('my-app', 'https://git.heroku.test/my-app.git'))
      await run(['git:remote', '-a', 'my-app', '-r', 'staging'])
      expect(git(dir, 'remote').trim()).to.equal('staging')
    })

    it('needs --app (exit 2), and a git repository (exit 1)', async () => {
      const noApp = await run(['git:remote'])
      expect(noApp.exitCode).to.equal(2)
      expect(noApp.stderr).to.contain('--app')
      api().get('/apps/my-app').reply(200, app('my-app', 'https://git.heroku.test/my-app.git'))
      const noRepo = await run(['git:remote', '-a', 'my-app'])
      expect(noRepo.exitCode).to.equal(1)
      expect(noRepo.stderr).to.contain('git init')
    })

    it('fails on an unknown app', async () => {
      git(dir, 'init', '-q')
      api().get('/apps/nope').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      expect((await run(['git:remote', '-a', 'nope'])).exitCode).to.equal(1)
      expect(git(dir, 'remote')).to.equal('')
    })
  })

  describe('git:clone', () => {
    function bareRepoWithCommit(): string {
      const work = join(dir, 'work')
      const bare = join(dir, 'origin.git')
      git(dir, 'init', '-q', '--bare', bare)
      git(dir, 'init', '-q', work)
      writeFileSync(join(work, 'Procfile'), 'web: npm start\n')
      git(work, 'add', 'Procfile')
      git(work, '-c', 'user.name=T', '-c', 'user.email=t@example.test', 'commit', '-q', '-m', 'first')
      git(work, 'push', '-q', bare, 'HEAD:refs/heads/main')
      git(dir, '--git-dir', bare, 'symbolic-ref', 'HEAD', 'refs/heads/main')
      return `file://${bare}`
    }

    it('clones app.git_url with a real git clone, the remote named heroku', async () => {
      const url = bareRepoWithCommit()
      api().get('/apps/my-app').reply(200, app('my-app', url))
      const {stdout, exitCode} = await run(['git:clone', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal('Cloned my-app into my-app (remote heroku)\n')
      expect(readFileSync(join(dir, 'my-app', 'Procfile'), 'utf8')).to.equal('web: npm start\n')
      expect(git(join(dir, 'my-app'), 'remote', '-v')).to.equal(`heroku\t${url} (fetch)\nheroku\t${url} (push)\n`)
    })

    it('clones into DIR with --remote; --json', async () => {
      const url = bareRepoWithCommit()
      api().get('/apps/my-app').reply(200, app('my-app', url))
      const {stdout} = await run(['git:clone', '-a', 'my-app', 'elsewhere', '--remote', 'production', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal({app: 'my-app', directory: join(dir, 'elsewhere'), url})
      expect(git(join(dir, 'elsewhere'), 'remote').trim()).to.equal('production')
    })

    it('refuses an existing directory, fails on an unreachable repository and on an unknown app', async () => {
      git(dir, 'init', '-q', 'taken')
      api().get('/apps/taken').reply(200, app('taken', 'file:///nonexistent.git'))
      expect((await run(['git:clone', '-a', 'taken'])).stderr).to.contain('taken already exists')

      api().get('/apps/gone').reply(200, app('gone', `file://${join(dir, 'missing.git')}`))
      const gone = await run(['git:clone', '-a', 'gone'])
      expect(gone.exitCode).to.equal(1)
      expect(gone.stderr).to.contain('git clone failed')
      expect(existsSync(join(dir, 'gone'))).to.equal(false)

      api().get('/apps/nope').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      expect((await run(['git:clone', '-a', 'nope'])).exitCode).to.equal(1)
    })

    it('needs -a (exit 2)', async () => {
      expect((await run(['git:clone'])).exitCode).to.equal(2)
    })
  })
})
