import {captureOutput} from '@oclif/test'
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {gitHostFor} from '../../../src/lib/git/git-host.js'
import {appFromGitUrl, appRemotes} from '../../../src/lib/git/remotes.js'
import {runGit} from '../../../src/lib/git/run-git.js'
import {isolatedEnv} from '../../helpers/cli.js'

describe('app resolution from git remotes', () => {
  let restore: () => void
  let repo: string
  let cwd: string

  beforeEach(async () => {
    restore = isolatedEnv()
    cwd = process.cwd()
    repo = mkdtempSync(join(tmpdir(), 'repo-'))
    await runGit(['init', '-q'], {cwd: repo})
  })

  afterEach(() => {
    process.chdir(cwd)
    rmSync(repo, {force: true, recursive: true})
    restore()
  })

  it('derives the git host from the API URL', () => {
    expect(gitHostFor('https://api.heroku.com', {})).to.equal('git.heroku.com')
    expect(gitHostFor('http://127.0.0.1:5400', {})).to.equal('127.0.0.1:5400')
    expect(gitHostFor('http://127.0.0.1:5400', {HEROKU_GIT_HOST: 'git.example.org'})).to.equal('git.example.org')
  })

  it('reads app names from https, http and ssh git URLs of the platform only', () => {
    expect(appFromGitUrl('https://git.heroku.com/hello.git', 'git.heroku.com')).to.equal('hello')
    expect(appFromGitUrl('http://127.0.0.1:5400/hello.git', '127.0.0.1:5400')).to.equal('hello')
    expect(appFromGitUrl('git@heroku.com:hello.git', 'git.heroku.com')).to.equal('hello')
    expect(appFromGitUrl('https://github.com/me/hello.git', 'git.heroku.com')).to.equal(undefined)
    expect(appFromGitUrl('http://127.0.0.1:5401/hello.git', '127.0.0.1:5400')).to.equal(undefined)
  })

  it('lists the platform remotes of a real repository', async () => {
    await runGit(['remote', 'add', 'heroku', 'https://git.heroku.test/hello.git'], {cwd: repo})
    await runGit(['remote', 'add', 'origin', 'https://github.com/me/hello.git'], {cwd: repo})
    await runGit(['remote', 'add', 'staging', 'https://git.heroku.test/hello-staging.git'], {cwd: repo})
    const remotes = await appRemotes('git.heroku.test', repo)
    expect(remotes.map(r => `${r.name}=${r.app}`).sort()).to.deep.equal(['heroku=hello', 'staging=hello-staging'])
  })

  async function probe() {
    const {AppCommand} = await import('../../../src/lib/command/app-command.js')
    const {Config} = await import('@oclif/core')
    class Probe extends AppCommand<typeof Probe> {
      async run() {
        return this.app()
      }
    }

    const config = await Config.load({root: cwd})
    return (argv: string[]) => captureOutput(() => Probe.run(argv, config))
  }

  it('a command without --app uses the heroku remote, -r picks another, HEROKU_APP and -a win', async () => {
    await runGit(['remote', 'add', 'heroku', 'https://git.heroku.test/hello.git'], {cwd: repo})
    await runGit(['remote', 'add', 'staging', 'https://git.heroku.test/hello-staging.git'], {cwd: repo})
    process.chdir(repo)
    const app = await probe()
    expect((await app([])).result).to.equal('hello')
    expect((await app(['-r', 'staging'])).result).to.equal('hello-staging')
    expect((await app(['-a', 'other'])).result).to.equal('other')
    process.env.HEROKU_APP = 'from-env'
    expect((await app([])).result).to.equal('from-env')
  })

  it('several app remotes and no heroku remote: a usage error asking for --app', async () => {
    await runGit(['remote', 'add', 'staging', 'https://git.heroku.test/a.git'], {cwd: repo})
    await runGit(['remote', 'add', 'prod', 'https://git.heroku.test/b.git'], {cwd: repo})
    process.chdir(repo)
    const {error, stderr} = await (await probe())([])
    expect((error as {oclif?: {exit?: number}}).oclif?.exit).to.equal(2)
    expect(stderr).to.include('remotes for several apps: a, b').and.include('--app APP')
  })

  it('outside a repository, names the ways to give an app', async () => {
    process.chdir(tmpdir())
    const {error, stderr} = await (await probe())([])
    expect((error as {oclif?: {exit?: number}}).oclif?.exit).to.equal(2)
    expect(stderr).to.include('No app specified').and.include('HEROKU_APP')
  })

  it('-r naming a remote that is not an app is an error', async () => {
    await runGit(['remote', 'add', 'origin', 'https://github.com/me/x.git'], {cwd: repo})
    process.chdir(repo)
    const {stderr} = await (await probe())(['-r', 'origin'])
    expect(stderr).to.include('git remote origin does not point at an app')
  })
})
