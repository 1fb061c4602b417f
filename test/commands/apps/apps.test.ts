import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, realpathSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {confirmDestructive} from '../../../src/lib/apps/confirm.js'
import {api, isolatedEnv, run} from '../../helpers/cli.js'
import {scriptedPrompter} from '../../helpers/scripted-prompter.js'
import {testOutput} from '../../helpers/test-output.js'

const GIT = 'https://git.heroku.test'

function appObject(name: string, extra: Record<string, unknown> = {}) {
  return {
    acm: false,
    archived_at: null,
    build_stack: {id: '69bee368-352b-4bd0-9b7c-819d860a2588', name: 'heroku-24'},
    buildpack_provided_description: null,
    created_at: '2026-01-01T00:00:00Z',
    git_url: `${GIT}/${name}.git`,
    id: '01234567-89ab-cdef-0123-456789abcdef',
    internal_routing: null,
    maintenance: false,
    name,
    organization: null,
    owner: {email: 'jane@example.com', id: '11111111-89ab-cdef-0123-456789abcdef'},
    region: {id: '22222222-89ab-cdef-0123-456789abcdef', name: 'us'},
    released_at: '2026-01-02T00:00:00Z',
    repo_size: 2048,
    slug_size: 5_242_880,
    space: null,
    stack: {id: '69bee368-352b-4bd0-9b7c-819d860a2588', name: 'heroku-24'},
    team: null,
    updated_at: '2026-01-02T00:00:00Z',
    web_url: `https://${name}.example.test/`,
    ...extra,
  }
}

/** A real temporary git repository as cwd; restores cwd and removes it afterwards. */
function tempRepo(): {dir: string, git: (...args: string[]) => string, remotes: () => string, restore: () => void} {
  const previous = process.cwd()
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'heroku-repo-')))
  const git = (...args: string[]) => execFileSync('git', args, {cwd: dir, encoding: 'utf8'})
  git('init', '-q')
  process.chdir(dir)
  return {
    dir,
    git,
    remotes: () => git('remote', '-v'),
    restore() {
      process.chdir(previous)
      rmSync(dir, {force: true, recursive: true})
    },
  }
}

describe('apps', () => {
  let restore: () => void

  before(async () => {
    // load the CLI config from the project root before any test changes directory
    await run(['--version'])
  })

  beforeEach(() => {
    restore = isolatedEnv()
  })

  afterEach(() => restore())

  describe('apps (list)', () => {
    it('lists the account\'s apps by name', async () => {
      api().get('/apps').reply(200, [appObject('zeta'), appObject('alpha', {region: {id: 'x', name: 'eu'}})])
      const {stdout, exitCode} = await run(['apps'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal('=== Apps\nalpha (eu)\nzeta\n')
    })

    it('prints the API objects with --json', async () => {
      api().get('/apps').reply(200, [appObject('alpha')])
      const {stdout, exitCode} = await run(['apps', '--json'])
      expect(exitCode).to.equal(0)
      expect(JSON.parse(stdout)).to.deep.equal([appObject('alpha')])
    })

    it('says so when there are none', async () => {
      api().get('/apps').reply(200, [])
      const {stdout} = await run(['apps'])
      expect(stdout).to.equal('You have no apps.\n')
    })

    it('reports an API error with its message and exit 1', async () => {
      api().get('/apps').reply(403, {id: 'forbidden', message: 'You do not have access.'}, {'Request-Id': 'req-1'})
      const {stderr, exitCode} = await run(['apps'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('You do not have access.')
      expect(stderr).to.contain('req-1')
    })
  })

  describe('apps:create', () => {
    let repo: ReturnType<typeof tempRepo>

    beforeEach(() => {
      repo = tempRepo()
    })

    afterEach(() => repo.restore())

    it('creates a named app and adds the heroku remote to the app\'s own git URL', async () => {
      // a git URL on another host: the CLI follows the URL the object carries, never builds one
      const app = appObject('my-app', {git_url: 'https://elsewhere.test/repos/my-app.git'})
      api().post('/apps', {name: 'my-app', region: 'eu', stack: 'heroku-24'}).reply(201, app)
      const {stdout, stderr, exitCode} = await run(['apps:create', 'my-app', '--region', 'eu', '--stack', 'heroku-24'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal('https://my-app.example.test/ | https://elsewhere.test/repos/my-app.git\n')
      expect(stderr).to.equal('Creating my-app... done, stack is heroku-24\nGit remote heroku added\n')
      expect(repo.remotes()).to.equal('heroku\thttps://elsewhere.test/repos/my-app.git (fetch)\nheroku\thttps://elsewhere.test/repos/my-app.git (push)\n')
    })

    it('names the app the server picked, with its stack', async () => {
      api().post('/apps', {}).reply(201, appObject('sunny-river-123'))
      const {stderr, exitCode} = await run(['apps:create'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.contain('Creating app... done, sunny-river-123, stack is heroku-24\n')
    })

    it('keeps a heroku remote that points at another app, adds none and says how to add one', async () => {
      repo.git('remote', 'add', 'heroku', `${GIT}/other-app.git`)
      api().post('/apps', {name: 'my-app'}).reply(201, appObject('my-app'))
      const {stderr, exitCode} = await run(['apps:create', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(repo.remotes()).to.equal(`heroku\t${GIT}/other-app.git (fetch)\nheroku\t${GIT}/other-app.git (push)\n`)
      expect(stderr).to.contain(`The git remote heroku points at ${GIT}/other-app.git: kept as it is, and no remote added for my-app.`)
      expect(stderr).to.contain('heroku git:remote -a my-app -r NAME')
      expect(stderr).not.to.contain('Git remote heroku added')
    })

    it('lets the server pick a name, honours --remote, and prints the app with --json', async () => {
      api().post('/apps', {}).reply(201, appObject('sunny-river-123'))
      const {stdout, exitCode} = await run(['apps:create', '--remote', 'staging', '--json'])
      expect(exitCode).to.equal(0)
      expect(JSON.parse(stdout)).to.deep.equal(appObject('sunny-river-123'))
      expect(repo.remotes()).to.contain(`staging\t${GIT}/sunny-river-123.git (push)`)
    })

    it('adds no remote with --no-remote', async () => {
      api().post('/apps', {name: 'my-app'}).reply(201, appObject('my-app'))
      const {exitCode} = await run(['apps:create', 'my-app', '--no-remote'])
      expect(exitCode).to.equal(0)
      expect(repo.remotes()).to.equal('')
    })

    const pgAddon = {
      addon_service: {id: 's1', name: 'heroku-postgresql'}, app: {id: 'a1', name: 'my-app'}, billed_price: {cents: 0, contract: false, unit: 'month'}, config_vars: ['DATABASE_URL'],
      id: 'ad1', name: 'postgresql-shiny-1', plan: {id: 'p1', name: 'heroku-postgresql:essential-0'}, state: 'provisioned', web_url: null,
    }
    const newest = (version: number) => api().get('/apps/my-app/releases').matchHeader('range', 'version ..; order=desc,max=1').reply(200, [{id: `r${version}`, version}])

    it('provisions --addons after creating the app, each reported as addons:create reports it', async () => {
      api().post('/apps', {name: 'my-app'}).reply(201, appObject('my-app'))
      api().post('/apps/my-app/addons', {plan: 'heroku-postgresql'}).reply(201, pgAddon)
      newest(2)
      api().post('/apps/my-app/addons', {plan: 'heroku-redis:mini'}).reply(201, {
        addon_service: {id: 's2', name: 'heroku-redis'}, app: {id: 'a1', name: 'my-app'}, billed_price: {cents: 300, contract: false, unit: 'month'}, config_vars: ['REDIS_URL'],
        id: 'ad2', name: 'redis-round-2', plan: {id: 'p2', name: 'heroku-redis:mini'}, state: 'provisioned', web_url: null,
      })
      newest(3)
      const {stdout, stderr, exitCode} = await run(['apps:create', 'my-app', '--no-remote', '--addons', 'heroku-postgresql, heroku-redis:mini'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.equal([
        'Creating my-app... done, stack is heroku-24',
        'Adding heroku-postgresql on my-app... done, v2 (free)',
        'Adding heroku-redis:mini on my-app... done, v3 ($3/month)',
        '',
      ].join('\n'))
      expect(stdout).to.equal([
        `https://my-app.example.test/ | ${GIT}/my-app.git`,
        'Created postgresql-shiny-1 as DATABASE_URL',
        'Use `heroku addons:docs heroku-postgresql` to view documentation.',
        'Created redis-round-2 as REDIS_URL',
        'Use `heroku addons:docs heroku-redis` to view documentation.',
        '',
      ].join('\n'))
    })

    it('a failing add-on fails the command (exit 1) but keeps the app, and says so and how to add it', async () => {
      api().post('/apps', {name: 'my-app'}).reply(201, appObject('my-app'))
      api().post('/apps/my-app/addons', {plan: 'nope'}).reply(404, {id: 'not_found', message: 'Couldn\'t find either the add-on service or the add-on plan of "nope".'}, {'Request-Id': 'req-9'})
      const {stdout, stderr, exitCode} = await run(['apps:create', 'my-app', '--no-remote', '--addons', 'nope'])
      expect(exitCode).to.equal(1)
      expect(stdout).to.equal(`https://my-app.example.test/ | ${GIT}/my-app.git\n`)
      expect(stderr).to.equal([
        'Creating my-app... done, stack is heroku-24',
        'Adding nope on my-app... failed',
        ' ›   Error: The app my-app was created, but the add-on nope could not be added: Couldn\'t find either the add-on service or the add-on plan of "nope".',
        ' ›   Request ID: req-9',
        ' ›   See the available services with heroku addons:services. The app is kept: add it with heroku addons:create nope -a my-app.',
        '',
      ].join('\n'))
    })

    it('goes on past a failing add-on to the next ones, then fails naming those missing', async () => {
      api().post('/apps', {name: 'my-app'}).reply(201, appObject('my-app'))
      api().post('/apps/my-app/addons', {plan: 'heroku-redis:huge'}).reply(422, {id: 'invalid_params', message: 'Couldn\'t find either the add-on service or the add-on plan of "heroku-redis:huge".'})
      // --json: the add-on's release is not asked for (stderr is progress only)
      api().post('/apps/my-app/addons', {plan: 'heroku-postgresql'}).reply(201, pgAddon)
      const {stdout, stderr, exitCode} = await run(['apps:create', 'my-app', '--no-remote', '--addons', 'heroku-redis:huge,heroku-postgresql', '--json'])
      expect(exitCode).to.equal(1)
      expect(stdout).to.equal('')
      expect(stderr).to.contain('Adding heroku-redis:huge on my-app... failed\n')
      expect(stderr).to.contain('Could not add heroku-redis:huge: Couldn\'t find either the add-on service')
      expect(stderr).to.contain('Adding heroku-postgresql on my-app... done (free)\n')
      const {error} = JSON.parse(stderr.trim().split('\n').at(-1)!)
      expect(error).to.deep.include({
        hint: 'See the available services with heroku addons:services, and the plans of heroku-redis with heroku addons:plans heroku-redis. The app is kept: add it with heroku addons:create heroku-redis:huge -a my-app.',
        id: 'invalid_params',
        message: 'The app my-app was created, but the add-on heroku-redis:huge could not be added: Couldn\'t find either the add-on service or the add-on plan of "heroku-redis:huge".',
      })
    })

    it('several failing add-ons: one warning each, then one error naming them all, the services hint once', async () => {
      api().post('/apps', {name: 'my-app'}).reply(201, appObject('my-app'))
      for (const plan of ['sendgrid', 'nope']) {
        api().post('/apps/my-app/addons', {plan}).reply(404, {id: 'not_found', message: `Couldn't find either the add-on service or the add-on plan of "${plan}".`})
      }

      const {stderr, exitCode} = await run(['apps:create', 'my-app', '--no-remote', '--addons', 'sendgrid,nope'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.equal([
        'Creating my-app... done, stack is heroku-24',
        'Adding sendgrid on my-app... failed',
        ' ›   Warning: Could not add sendgrid: Couldn\'t find either the add-on service or the add-on plan of "sendgrid".',
        'Adding nope on my-app... failed',
        ' ›   Warning: Could not add nope: Couldn\'t find either the add-on service or the add-on plan of "nope".',
        ' ›   Error: The app my-app was created, but 2 of its 2 add-ons could not be added: sendgrid, nope.',
        ' ›   See the available services with heroku addons:services. The app is kept: add them with heroku addons:create sendgrid -a my-app, heroku addons:create nope -a my-app.',
        '',
      ].join('\n'))
    })

    it('still succeeds when git refuses the remote, saying how to add it', async () => {
      api().post('/apps', {name: 'my-app'}).reply(201, appObject('my-app'))
      const {stdout, stderr, exitCode} = await run(['apps:create', 'my-app', '--remote', 'a..b'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal(`https://my-app.example.test/ | ${GIT}/my-app.git\n`)
      expect(stderr).to.contain('Could not add the git remote a..b')
      expect(stderr).to.contain('heroku git:remote -a my-app -r a..b')
    })

    it('fails with the server\'s message on 422 and adds no remote', async () => {
      api().post('/apps', {name: 'Bad_Name'}).reply(422, {id: 'invalid_params', message: 'Name must start with a letter and can only contain lowercase letters, numbers, and dashes.'})
      const {stderr, exitCode} = await run(['apps:create', 'Bad_Name'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Name must start with a letter')
      expect(repo.remotes()).to.equal('')
    })
  })

  describe('apps:info', () => {
    it('shows the app, its add-ons and dynos', async () => {
      api().get('/apps/my-app').reply(200, appObject('my-app'))
      api().get('/apps/my-app/addons').reply(200, [{id: 'ad1', name: 'postgresql-shiny-1'}])
      api().get('/apps/my-app/dynos').reply(200, [{name: 'worker.1', type: 'worker'}, {name: 'web.1', type: 'web'}, {name: 'web.2', type: 'web'}])
      api().get('/apps/my-app/pipeline-couplings').reply(200, {id: 'c1', app: {id: 'a1'}, pipeline: {id: 'p1', name: 'shop'}, stage: 'staging'})
      const {stdout, exitCode} = await run(['apps:info', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal([
        '=== my-app',
        'Addons:    postgresql-shiny-1',
        'Dynos:     web: 2, worker: 1',
        `Git URL:   ${GIT}/my-app.git`,
        'Owner:     jane@example.com',
        'Pipeline:  shop - staging',
        'Region:    us',
        'Repo Size: 2 KB',
        'Slug Size: 5.0 MB',
        'Stack:     heroku-24',
        'Web URL:   https://my-app.example.test/',
        '',
      ].join('\n'))
    })

    it('prints key=value lines with --shell and the app object with --json', async () => {
      api().get('/apps/my-app').twice().reply(200, appObject('my-app'))
      api().get('/apps/my-app/addons').twice().reply(200, [])
      api().get('/apps/my-app/dynos').twice().reply(200, [])
      // an app in no pipeline: the 404 leaves the line out
      api().get('/apps/my-app/pipeline-couplings').twice().reply(404, {id: 'not_found', message: 'my-app is not in a pipeline.'})
      const shell = await run(['apps:info', 'my-app', '--shell'])
      expect(shell.stdout).to.contain(`git_url='${GIT}/my-app.git'\n`)
      expect(shell.stdout).to.contain('owner=\'jane@example.com\'\n')
      const json = await run(['apps:info', '-a', 'my-app', '--json'])
      expect(shell.stdout).to.not.contain('pipeline')
      expect(JSON.parse(json.stdout)).to.deep.equal(appObject('my-app'))
    })

    it('fails on an unknown app with exit 1 and a hint', async () => {
      api().get('/apps/nope').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      api().get('/apps/nope/addons').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      api().get('/apps/nope/dynos').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      api().get('/apps/nope/pipeline-couplings').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      const {stderr, exitCode} = await run(['apps:info', '-a', 'nope'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Couldn\'t find that app.')
      expect(stderr).to.contain('No app nope')
    })

    it('needs an app: usage error, exit 2', async () => {
      const {stderr, exitCode} = await run(['apps:info'])
      expect(exitCode).to.equal(2)
      expect(stderr).to.contain('--app')
    })
  })

  describe('apps:destroy', () => {
    let repo: ReturnType<typeof tempRepo>

    beforeEach(() => {
      repo = tempRepo()
    })

    afterEach(() => repo.restore())

    it('without a TTY and without --confirm exits 2 naming --confirm, and deletes nothing', async () => {
      api().get('/apps/my-app').reply(200, appObject('my-app'))
      const {stderr, exitCode} = await run(['apps:destroy', '-a', 'my-app'])
      expect(exitCode).to.equal(2)
      expect(stderr).to.contain('--confirm my-app')
    })

    it('refuses a --confirm that does not match', async () => {
      api().get('/apps/my-app').reply(200, appObject('my-app'))
      const {stderr, exitCode} = await run(['apps:destroy', '-a', 'my-app', '--confirm', 'other-app'])
      expect(exitCode).to.equal(2)
      expect(stderr).to.contain('did not match my-app')
    })

    it('deletes the app and removes the remotes pointing at it (only those)', async () => {
      repo.git('remote', 'add', 'heroku', `${GIT}/my-app.git`)
      repo.git('remote', 'add', 'staging', `${GIT}/my-app-staging.git`)
      repo.git('remote', 'add', 'origin', 'https://github.example/me/my-app.git')
      api().get('/apps/my-app').reply(200, appObject('my-app'))
      api().delete('/apps/my-app').reply(200, appObject('my-app'))
      const {stderr, stdout, exitCode} = await run(['apps:destroy', 'my-app', '--confirm', 'my-app', '--json'])
      expect(exitCode).to.equal(0)
      expect(JSON.parse(stdout)).to.deep.equal(appObject('my-app'))
      expect(stderr).to.contain('Git remote heroku removed')
      const remotes = repo.remotes()
      expect(remotes).not.to.contain('heroku\t')
      expect(remotes).to.contain(`staging\t${GIT}/my-app-staging.git`)
      expect(remotes).to.contain('origin\thttps://github.example/me/my-app.git')
    })

    it('on a terminal, asks to type the app name and accepts only that', async () => {
      const {out, stderr} = testOutput({env: {NO_COLOR: '1'}, stdoutTTY: true})
      await confirmDestructive({action: 'destroy my-app', app: 'my-app', out, prompter: scriptedPrompter([{answer: 'my-app', flag: '--confirm my-app', input: '>'}])})
      expect(stderr.text).to.contain('To proceed, type my-app or re-run this command with --confirm my-app')
      let failure: Error | undefined
      await confirmDestructive({action: 'destroy my-app', app: 'my-app', out, prompter: scriptedPrompter([{answer: 'my-ap', input: '>'}])}).catch(error => {
        failure = error
      })
      expect(failure?.message).to.contain('did not match my-app')
    })

    it('fails on an unknown app without asking', async () => {
      api().get('/apps/nope').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      const {stderr, exitCode} = await run(['apps:destroy', '-a', 'nope', '--confirm', 'nope'])
      expect(exitCode).to.equal(1)
      expect(stderr).to.contain('Couldn\'t find that app.')
    })
  })

  describe('apps:rename', () => {
    let repo: ReturnType<typeof tempRepo>

    beforeEach(() => {
      repo = tempRepo()
    })

    afterEach(() => repo.restore())

    it('renames the app and points the git remotes of the old app at the new git URL', async () => {
      repo.git('remote', 'add', 'heroku', `${GIT}/old-name.git`)
      repo.git('remote', 'add', 'origin', 'https://github.example/me/x.git')
      api().get('/apps/old-name').reply(200, appObject('old-name'))
      api().patch('/apps/old-name', {name: 'new-name'}).reply(200, appObject('new-name'))
      const {stdout, stderr, exitCode} = await run(['apps:rename', 'new-name'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal(`https://new-name.example.test/ | ${GIT}/new-name.git\n`)
      expect(stderr).to.contain('Git remote heroku updated')
      expect(repo.remotes()).to.equal([
        `heroku\t${GIT}/new-name.git (fetch)`, `heroku\t${GIT}/new-name.git (push)`,
        'origin\thttps://github.example/me/x.git (fetch)', 'origin\thttps://github.example/me/x.git (push)', '',
      ].join('\n'))
    })

    it('--json prints the renamed app', async () => {
      api().get('/apps/old-name').reply(200, appObject('old-name'))
      api().patch('/apps/old-name', {name: 'new-name'}).reply(200, appObject('new-name'))
      const {stdout, exitCode} = await run(['apps:rename', 'new-name', '-a', 'old-name', '--json'])
      expect(exitCode).to.equal(0)
      expect(JSON.parse(stdout)).to.deep.equal(appObject('new-name'))
    })

    it('fails with 422 when the name is taken, leaving the remotes alone', async () => {
      repo.git('remote', 'add', 'heroku', `${GIT}/old-name.git`)
      api().get('/apps/old-name').reply(200, appObject('old-name'))
      api().patch('/apps/old-name', {name: 'taken'}).reply(422, {id: 'invalid_params', message: 'Name is already taken'})
      const {stderr, exitCode} = await run(['apps:rename', 'taken', '-a', 'old-name', '--json'])
      expect(exitCode).to.equal(1)
      // progress lines come first on stderr; the error is the last line, as JSON
      expect(JSON.parse(stderr.trim().split('\n').at(-1)!).error).to.include({id: 'invalid_params', message: 'Name is already taken', status: 422})
      expect(repo.remotes()).to.contain(`heroku\t${GIT}/old-name.git`)
    })
  })

  describe('apps:open', () => {
    it('prints the web URL with a path when no browser can open (not a TTY)', async () => {
      api().get('/apps/my-app').reply(200, appObject('my-app'))
      const {stdout, exitCode} = await run(['open', '/admin', '-a', 'my-app'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.equal('https://my-app.example.test/admin\n')
    })

    it('returns the URL with --json', async () => {
      api().get('/apps/my-app').reply(200, appObject('my-app'))
      const {stdout} = await run(['apps:open', '-a', 'my-app', '--json'])
      expect(JSON.parse(stdout)).to.deep.equal({app: 'my-app', url: 'https://my-app.example.test/'})
    })

    it('fails on an unknown app', async () => {
      api().get('/apps/nope').reply(404, {id: 'not_found', message: 'Couldn\'t find that app.', resource: 'app'})
      const {exitCode} = await run(['apps:open', '-a', 'nope'])
      expect(exitCode).to.equal(1)
    })
  })
})
